// The atrous CLI, run in-process: info, models, segment (real default model; needs the importers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { main } from '../lib/cli/main';
import { REGISTRY } from '../lib/registry';
import { sharedPath } from './helpers/data';

// Models come from the shared folder, never from the network.
test.before.each(() => {
  process.env.ATROUS_MODELS = sharedPath('models');
  process.env.ATROUS_OFFLINE = '1';
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

test('info prints the version, SIMD level and default model', async () => {
  const r = await run('info');
  assert.is(r.code, 0, r.err);
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  assert.ok(r.out.includes(pkg.version));
  assert.match(r.out, /simd: (avx512|avx2|portable)/);
  assert.match(r.out, /default model: \S+/);
});

test('models lists every registry entry and where it is present', async () => {
  const r = await run('models');
  assert.is(r.code, 0, r.err);
  for (const e of REGISTRY) {
    assert.ok(r.out.includes(e.name), e.name);
    assert.ok(r.out.includes(path.join(sharedPath('models'), e.main)), `${e.name} found in ATROUS_MODELS`);
  }
});

test('bad arguments exit non-zero with a message', async () => {
  const img = sharedPath('data', 'voc-sample', 'images', '2007_000676.jpg');
  const bad = await run('segment', img, '--mode', 'color,heatmap');
  assert.is(bad.code, 1);
  assert.match(bad.err, /INVALID_ARGUMENT.*heatmap/);
  const scales = await run('segment', img, '--scales', '1,0');
  assert.is(scales.code, 1);
  assert.match(scales.err, /--scales/);
  assert.is((await run('frobnicate')).code, 2);
  assert.match((await run('segment', img, '--alpha', '3')).err, /--alpha/);
});

test('segment writes colour and overlay PNGs at each image size, one line per image when not a TTY', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'atrous-cli-'));
  const ids = ['2007_000676', '2007_003373'];
  const images = ids.map((id) => sharedPath('data', 'voc-sample', 'images', `${id}.jpg`));
  const r = await run('segment', ...images, '--out', out, '--mode', 'color,overlay');
  assert.is(r.code, 0, r.err);
  assert.is(r.out.trim().split('\n').length, 2, r.out);
  const missing = await run('segment', path.join(out, 'missing.jpg'), images[0] as string, '--out', out);
  assert.is(missing.code, 1, 'a failed image makes the exit code 1');
  assert.match(missing.err, /NOT_FOUND.*missing\.jpg/);
  assert.is(missing.out.trim().split('\n').length, 1, 'the other image is still done');
  for (const [i, id] of ids.entries()) {
    const src = await sharp(images[i] as string).metadata();
    for (const mode of ['color', 'overlay']) {
      const meta = await sharp(path.join(out, `${id}.${mode}.png`)).metadata();
      assert.equal([meta.width, meta.height, meta.format], [src.width, src.height, 'png'], `${id}.${mode}.png`);
    }
  }
});

test.run();
