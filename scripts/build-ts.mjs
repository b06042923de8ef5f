// Compiles lib/ to CommonJS (dist/cjs) and writes a thin ESM wrapper (dist/esm) over it, so
// `import` and `require` share one instance of the native addon.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const cjs = require(path.resolve('dist/cjs/index.js'));
const names = Object.keys(cjs).filter((n) => n !== 'default' && n !== '__esModule');
mkdirSync('dist/esm', { recursive: true });
writeFileSync(
  'dist/esm/index.mjs',
  `import cjs from '../cjs/index.js';\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
);
writeFileSync('dist/esm/index.d.mts', `export * from '../cjs/index.js';\n`);
const cli = 'dist/cjs/cli/main.js';
if (existsSync(cli)) chmodSync(cli, 0o755);
