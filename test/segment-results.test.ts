// Results (legend, PNG output), input kinds, and option/input errors, with the synthetic network.
import sharp from 'sharp';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { denseCrf } from '../lib/crf';
import { AtrousError } from '../lib/errors';
import { vocColor } from '../lib/segment/colormap';
import { segment } from '../lib/segment';
import { SegmentationModel } from '../lib/segment/model';
import { syntheticModel, twoColourImage } from './helpers/synthetic-model';

let m: SegmentationModel;
const width = 37;
const height = 23;
const { data } = twoColourImage(width, height, (x, y) => x < 15 || y > 18);
const raw = { data, width, height, channels: 3 as const };

test.before(async () => {
  m = await syntheticModel(17, 2, 'pad');
});

async function rejects(p: Promise<unknown>, code: string, mention: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, AtrousError);
    assert.is((e as AtrousError).code, code, (e as Error).message);
    assert.ok((e as Error).message.includes(mention), `message should mention ${mention}: ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`should reject with ${code}`);
}

test('legend: classes present, by id, with their VOC colour and pixel counts', async () => {
  const r = await m.segment(raw);
  const counts = new Map<number, number>();
  for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const legend = r.legend();
  assert.equal(legend.map((e) => e.id), [...counts.keys()].sort((a, b) => a - b));
  for (const e of legend) {
    assert.is(e.pixels, counts.get(e.id));
    assert.is(e.name, r.classes[e.id]);
    assert.equal(e.color, vocColor(e.id));
  }
  assert.is(legend.reduce((a, e) => a + e.pixels, 0), width * height);
  assert.ok(counts.has(1) && counts.has(2), 'both colours are found');
});

test('toPNG decodes back to the right size, ids and colours', async () => {
  const r = await m.segment(raw);
  const labelsPng = await r.toPNG({ mode: 'labels' });
  assert.is((await sharp(labelsPng).metadata()).channels, 1, 'a one-channel (grey) PNG');
  const labels = await sharp(labelsPng).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  assert.equal([labels.info.width, labels.info.height, labels.info.channels], [width, height, 1]);
  assert.equal([...labels.data], [...r.labels]);
  const color = await sharp(await r.toPNG({ mode: 'color' })).raw().toBuffer({ resolveWithObject: true });
  assert.equal([color.info.width, color.info.height, color.info.channels], [width, height, 3]);
  for (let p = 0; p < width * height; p++) assert.equal([...color.data.subarray(p * 3, p * 3 + 3)], vocColor(r.labels[p] as number), `pixel ${p}`);
  const overlay = await sharp(await r.toPNG({ mode: 'overlay', alpha: 0.25 })).raw().toBuffer({ resolveWithObject: true });
  for (let p = 0; p < width * height; p++) {
    const l = r.labels[p] as number;
    const c = vocColor(l);
    for (let k = 0; k < 3; k++) {
      const img = data[p * 3 + k] as number;
      const want = l === 0 ? img : Math.round(0.75 * img + 0.25 * (c[k] as number));
      assert.is(overlay.data[p * 3 + k], want, `overlay pixel ${p} channel ${k}`);
    }
  }
});

test('the same image as raw pixels, RGBA, an encoded PNG buffer and a file gives the same labels', async () => {
  const png = await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).png().toBuffer();
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atrous-')), 'img.png');
  fs.writeFileSync(file, png);
  const base = (await m.segment(raw)).labels;
  for (const input of [png, new Uint8Array(png), file, { data: rgba, width, height, channels: 4 as const }]) {
    const r = await m.segment(input);
    assert.equal([r.width, r.height], [width, height]);
    assert.equal([...r.labels], [...base]);
  }
});

test('undecodable images and bad inputs reject with INVALID_ARGUMENT / NOT_FOUND / SHAPE_MISMATCH', async () => {
  await rejects(m.segment(Buffer.from('this is not an image')), 'INVALID_ARGUMENT', 'decode');
  await rejects(m.segment(new Uint8Array(0)), 'INVALID_ARGUMENT', 'decode');
  await rejects(m.segment('/nonexistent/image.jpg'), 'NOT_FOUND', '/nonexistent/image.jpg');
  await rejects(m.segment({ data, width, height: height + 1, channels: 3 }), 'SHAPE_MISMATCH', 'input.data');
  await rejects(m.segment({ data, width, height, channels: 2 as 3 }), 'INVALID_ARGUMENT', 'input.channels');
  await rejects(m.segment(42 as unknown as string), 'INVALID_ARGUMENT', 'input');
});

test('bad options reject with INVALID_ARGUMENT naming the option and value', async () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ scales: 0 }, 'options.scales'], [{ scales: [1, -0.5] }, '-0.5'], [{ scales: [] }, 'options.scales'], [{ scales: [NaN] }, 'options.scales'],
    [{ flip: 'yes' }, 'options.flip'], [{ outputs: ['labels', 'logits'] }, 'logits'], [{ outputs: [] }, 'options.outputs'],
    [{ slidingWindow: { overlap: 1 } }, 'overlap'], [{ slidingWindow: 3 }, 'options.slidingWindow'], [{ threads: -1 }, 'options.threads'],
    [{ signal: 'stop' }, 'options.signal'], [{ crf: 5 }, 'options.crf'], [{ sclaes: [1] }, 'sclaes'],
  ];
  for (const [opts, mention] of bad) await rejects(m.segment(raw, opts as never), 'INVALID_ARGUMENT', mention);
  const r = await m.segment(raw);
  await rejects(r.toPNG({ mode: 'heatmap' as 'color' }), 'INVALID_ARGUMENT', 'heatmap');
  await rejects(r.toPNG({ mode: 'overlay', alpha: 2 }), 'INVALID_ARGUMENT', 'alpha');
});

test('an aborted signal rejects with ABORTED; crf refines the probabilities exactly as denseCrf() does', async () => {
  const ac = new AbortController();
  ac.abort();
  await rejects(m.segment(raw, { signal: ac.signal }), 'ABORTED', 'abort');
  await rejects(m.segment(raw, { crf: 'no-such-preset' as 'densecrf' }), 'INVALID_ARGUMENT', 'no-such-preset');
  const plain = await m.segment(raw, { outputs: ['labels', 'probabilities'] });
  const refined = await m.segment(raw, { crf: 'densecrf', outputs: ['labels', 'probabilities'] });
  const direct = await denseCrf(data, width, height, plain.probabilities!, plain.classes.length, { preset: 'densecrf' });
  assert.equal([...refined.labels], [...direct.labels], 'segment() applies the CRF at full resolution before the argmax');
  assert.ok(refined.probabilities!.every((v, i) => Math.abs(v - direct.probabilities[i]!) < 1e-6));
});

test('threads: a model recompiles for another thread count and gives the same labels; dispose makes it unusable', async () => {
  const other = await syntheticModel(17, 2, 'stretch');
  const a = await other.segment(raw);
  const b = await other.segment(raw, { threads: 2 });
  assert.equal([...b.labels], [...a.labels]);
  other.dispose();
  await rejects(other.segment(raw), 'DISPOSED', 'disposed');
});

test('top-level segment() takes a loaded model as options.model and checks the option', async () => {
  const direct = await m.segment(raw, { flip: true });
  const viaTop = await segment(raw, { model: m, flip: true });
  assert.equal([...viaTop.labels], [...direct.labels]);
  await rejects(segment(raw, { model: 5 as unknown as string }), 'INVALID_ARGUMENT', 'model');
  await rejects(segment(raw, { model: m, scales: -1 }), 'INVALID_ARGUMENT', 'options.scales');
});

test.after(() => m.dispose());

test.run();
