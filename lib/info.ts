import { native, packageRoot } from './native';
import fs from 'node:fs';
import path from 'node:path';

/** What {@link info} reports. */
export interface AtrousInfo {
  version: string;
  /** SIMD level the CPU kernels use: avx512, avx2 or portable. */
  simd: string;
  /** Default thread count (hardware threads). */
  threads: number;
  cuda: { available: boolean; reason?: string; device?: string };
  descriptorVersion: number;
}

/** Version, SIMD level, threads, and whether CUDA is available. */
export function info(): AtrousInfo {
  const n = native().info();
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    simd: n.simd,
    threads: n.hardwareThreads,
    cuda: { available: false, reason: 'the CUDA plugin is not built into this package' },
    descriptorVersion: n.descriptorVersion,
  };
}
