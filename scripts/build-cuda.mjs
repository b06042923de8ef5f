// Builds the CUDA plugin (libatrous_cuda.so / atrous_cuda.dll) with CMake when nvcc is on PATH, and
// copies it next to the addon (build/Release/) where the addon looks for it. Without nvcc it prints
// one skip line and exits 0: the CPU package never needs the plugin.
//   node scripts/build-cuda.mjs              plugin only (sm_75 code + compute_80 PTX)
//   node scripts/build-cuda.mjs --all-archs  native code for sm_75/80/86/89/90 (+ PTX): release builds
//   node scripts/build-cuda.mjs --test       also build the native tests beside it and run the 'cuda'
//                                            group (kernels vs reference; says so when there is no GPU)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const nvcc = process.env.CUDACXX || 'nvcc';
const probe = spawnSync(nvcc, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log(`atrous: ${nvcc} not found; skipping the CUDA plugin (the CPU addon does not need it)`);
  process.exit(0);
}
const version = /release ([\d.]+)/.exec(probe.stdout)?.[1] ?? 'unknown';
console.log(`atrous: building the CUDA plugin with nvcc ${version}`);

const dir = 'build-cuda';
const jobs = String(Math.max(1, os.cpus().length));
const sh = (cmd, argv) => execFileSync(cmd, argv, { stdio: 'inherit' });
sh('cmake', [
  '-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DATROUS_CUDA=ON',
  `-DATROUS_CUDA_ALL_ARCHS=${args.has('--all-archs') ? 'ON' : 'OFF'}`,
  `-DATROUS_TESTS=${args.has('--test') ? 'ON' : 'OFF'}`,
]);
const targets = ['atrous_cuda', ...(args.has('--test') ? ['atrous_native_tests'] : [])];
sh('cmake', ['--build', dir, '-j', jobs, '--target', ...targets]);

const file = process.platform === 'win32' ? 'atrous_cuda.dll' : process.platform === 'darwin' ? 'libatrous_cuda.dylib' : 'libatrous_cuda.so';
const built = [path.join(dir, file), path.join(dir, 'Release', file)].find((f) => existsSync(f));
if (!built) {
  console.error(`atrous: the build did not produce ${file}`);
  process.exit(1);
}
if (existsSync(path.join('build', 'Release'))) {
  copyFileSync(built, path.join('build', 'Release', file));
  console.log(`atrous: CUDA plugin → build/Release/${file}`);
} else {
  console.log(`atrous: CUDA plugin at ${built} (build the addon first to have it copied next to it)`);
}
if (args.has('--test')) {
  const runner = [path.join(dir, 'atrous_native_tests'), path.join(dir, 'Release', 'atrous_native_tests.exe')].find((f) => existsSync(f));
  sh(runner, ['cuda']);
}
