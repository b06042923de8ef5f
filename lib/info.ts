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
  cuda: CudaInfo;
  descriptorVersion: number;
}

/** Whether the CUDA backend can be used, and why not when it cannot. */
export interface CudaInfo {
  available: boolean;
  /** Why CUDA is unavailable (no plugin, no driver, no device…). */
  reason?: string;
  /** Path of the CUDA plugin found, when one was. */
  plugin?: string;
  /** GPU name. */
  device?: string;
  /** CUDA driver version, e.g. "12.4". */
  driver?: string;
  /** CUDA runtime version inside the plugin. */
  runtime?: string;
}

/** Version, SIMD level, threads, and whether CUDA is available. */
export function info(): AtrousInfo {
  const n = native().info();
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    simd: n.simd,
    threads: n.hardwareThreads,
    cuda: { ...n.cuda },
    descriptorVersion: n.descriptorVersion,
  };
}
