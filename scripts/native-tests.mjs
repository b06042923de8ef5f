// Builds the native kernel tests with CMake and runs them with ctest.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const dir = 'build-tests';
const jobs = String(Math.max(1, os.cpus().length));
const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
sh('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release']);
sh('cmake', ['--build', dir, '-j', jobs]);
sh('ctest', ['--test-dir', dir, '--output-on-failure', '-j', jobs]);
