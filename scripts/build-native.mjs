// Builds the CPU addon with node-gyp. Configure runs every time (it is quick) so that added or removed
// sources are picked up by the globbing in binding.gyp; the build itself is incremental.
// Uses the running Node's own headers when they are installed beside it (no download).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ||
  (existsSync(path.join(prefix, 'include/node/node_api.h')) ? prefix : undefined);
const run = (...args) =>
  execFileSync(process.execPath, [gyp, ...args, ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { stdio: 'inherit' });
run('configure');
run('build', '-j', 'max');
