// Packs atrous, installs the tarball into a fresh project with install scripts disabled and no compiler
// on PATH, then uses it from CommonJS, ESM and a strict TypeScript consumer. Prints the package sizes.
//   node scripts/pack-test.mjs            (expects `npm run build` and `npm run build:prebuilds` done)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = process.env.ATROUS_TEST_DATA || path.resolve(root, '../shared');
const fail = (msg) => {
  console.error(`pack-test: ${msg}`);
  process.exit(1);
};
if (!fs.existsSync(path.join(root, 'dist/cjs/index.js'))) fail('dist/ is missing: run `npm run build` first');
if (!fs.existsSync(path.join(root, 'prebuilds'))) fail('prebuilds/ is missing: run `npm run build:prebuilds` first');
if (!fs.existsSync(path.join(shared, 'models'))) fail(`test data not found at ${shared} (set ATROUS_TEST_DATA)`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atrous-pack-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });

// 1. Pack.
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root }))[0];
const tarball = path.join(work, packed.filename);
const tarMB = fs.statSync(tarball).size / 2 ** 20;
for (const f of packed.files.map((x) => x.path)) {
  if (/^(test|bench|\.ci)\//.test(f) || /\.(onnx|tflite|bin)$/.test(f)) fail(`tarball must not contain ${f}`);
}

// 2. A PATH with node and npm only: no compiler, no make, no python.
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
fs.symlinkSync(process.execPath, path.join(bin, 'node'));
const npmCli = process.env.npm_execpath || fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
const env = { ...process.env, PATH: bin, ATROUS_MODELS: path.join(shared, 'models'), npm_config_ignore_scripts: 'true' };
for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' });
    fail(`${tool} is still on PATH`);
  } catch {
    // good: not found
  }
}

// 3. Install into a fresh project, scripts disabled.
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
run(path.join(bin, 'npm'), ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, env });
const duBytes = (dir) => Number(run('du', ['-sb', dir]).split('\t')[0]);
const installedMB = duBytes(path.join(app, 'node_modules')) / 2 ** 20;

// 4. Use it: CommonJS, ESM, TypeScript.
const image = path.join(shared, 'data/voc-sample/images/2007_000676.jpg');
const cjs = `
const atrous = require('atrous');
(async () => {
  const r = await atrous.segment(${JSON.stringify(image)});
  if (r.width !== 500 || r.labels.length !== r.width * r.height) throw new Error('bad result');
  console.log('cjs ok', atrous.info().simd, r.legend().map((l) => l.name).join(','));
})().catch((e) => { console.error(e); process.exit(1); });`;
const esm = `
import { segment, info } from 'atrous';
const r = await segment(${JSON.stringify(image)});
if (r.labels.length !== r.width * r.height) throw new Error('bad result');
console.log('esm ok', info().version, r.legend().map((l) => l.name).join(','));`;
const ts = `
import { segment, AtrousError, type SegmentationResult } from 'atrous';
async function main(): Promise<void> {
  const r: SegmentationResult = await segment(${JSON.stringify(image)}, { outputs: ['labels'] });
  const n: number = r.width * r.height;
  if (r.labels.length !== n) throw new AtrousError('INTERNAL', 'bad result');
  console.log('ts ok', r.classes.length);
}
void main();`;
fs.writeFileSync(path.join(app, 'use.cjs'), cjs);
fs.writeFileSync(path.join(app, 'use.mjs'), esm);
fs.writeFileSync(path.join(app, 'use.ts'), ts);
console.log(run(process.execPath, ['use.cjs'], { cwd: app, env }).trim());
console.log(run(process.execPath, ['use.mjs'], { cwd: app, env }).trim());
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
run(process.execPath, [tsc, '--strict', '--noEmitOnError', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022',
  '--types', 'node', '--typeRoots', path.join(root, 'node_modules/@types'), '--skipLibCheck', 'false', '--outDir', 'out', 'use.ts'], { cwd: app, env });
console.log(run(process.execPath, ['out/use.js'], { cwd: app, env }).trim());

console.log(`packed tarball: ${tarMB.toFixed(2)} MB (${packed.files.length} files); installed with dependencies: ${installedMB.toFixed(1)} MB`);
if (tarMB >= 15) fail(`tarball is ${tarMB.toFixed(2)} MB (limit 15 MB)`);
if (installedMB >= 40) fail(`installed size is ${installedMB.toFixed(1)} MB (limit 40 MB)`);
fs.rmSync(work, { recursive: true, force: true });
console.log('pack-test: 1 passed, 0 failed');
