// Loads the native addon (prebuilt binary or local build) and describes its surface.
import fs from 'node:fs';
import path from 'node:path';

import { AtrousError } from './errors';
import type { CudaInfo } from './info';

/** A weight handed to the addon. */
export interface NativeWeight {
  shape: number[];
  data: Float32Array;
}

export interface NativeIo {
  name: string;
  dtype: 'float32' | 'int32';
  shape: [number, number, number, number];
}

export interface NativeStepTiming {
  node: string;
  op: string;
  ms: number;
}

export interface NativeModel {
  io(): { inputs: NativeIo[]; outputs: NativeIo[] };
  stats(): { threads: number; arenaBytes: number; weightBytes: number; steps: number; backend: string };
  run(
    inputs: Float32Array[],
    outputs: (Float32Array | Int32Array)[],
    token?: NativeAbortToken,
    profile?: boolean,
  ): Promise<NativeStepTiming[] | undefined>;
  dispose(): void;
}

/** What the addon found out about the CUDA plugin (native/core/plugin_loader.h). */
export type NativeCudaInfo = CudaInfo;

export interface NativeAbortToken {
  abort(): void;
}

export interface NativeBinding {
  info(): {
    simd: string;
    simdDetected: string;
    hardwareThreads: number;
    descriptorVersion: number;
    cuda: NativeCudaInfo;
  };
  compile(descriptor: unknown, weights: NativeWeight[], options: { threads?: number; device?: string }): Promise<NativeModel>;
  AbortToken: new () => NativeAbortToken;
}

/** The package root: the nearest folder upwards holding atrous's package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'atrous') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(__dirname, '..');
    dir = parent;
  }
}

let binding: NativeBinding | undefined;

/** The addon, loaded on first use. Throws an AtrousError that says what to do when it cannot load. */
export function native(): NativeBinding {
  if (binding) return binding;
  const root = packageRoot();
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const load = require('node-gyp-build') as (dir: string) => unknown;
    binding = load(root) as NativeBinding;
    return binding;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const platform = `${process.platform}-${process.arch}`;
    let hint: string;
    if (/No native build was found/.test(reason))
      hint = `no prebuilt binary for ${platform} (node ${process.versions.node}, N-API ${process.versions.napi}) and no local build; ` +
        'install a C++17 compiler and Python, then run `npm rebuild atrous`';
    else if (/NODE_MODULE_VERSION|was compiled against|undefined symbol/.test(reason))
      hint = 'the native binary does not match this runtime (ABI mismatch); run `npm rebuild atrous`';
    else hint = 'the native addon failed to load';
    throw new AtrousError('UNSUPPORTED', `atrous: ${hint}. Loader said: ${reason}`, { cause: e });
  }
}
