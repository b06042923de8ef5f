// Builds bench/conv_micro.cc against the native test build (node scripts/native-tests.mjs first)
// and runs it: GFLOP/s of the optimized conv kernels per SIMD level.
//   node bench/conv-micro.mjs [threads | --cpu] [shape-name-filter]
import { execFileSync } from 'node:child_process';

const out = 'build-tests/conv_micro';
const libs = ['build-tests/libatrous_core.a', 'build-tests/libatrous_avx2.a', 'build-tests/libatrous_avx512.a'];
execFileSync('g++', ['-O2', '-std=c++17', '-Inative', 'bench/conv_micro.cc', '-o', out, ...libs, '-lpthread'], {
  stdio: 'inherit',
});
execFileSync(out, process.argv.slice(2), { stdio: 'inherit' });
