// The dense CRF as a graph op (and at the end of zoo v1/v2) gives exactly what denseCrf() gives.
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { AtrousError, compile, Graph, zoo } from '../lib/index';
import { denseCrf } from '../lib/crf';
import { sharedPath } from './helpers/data';
import { maxAbsDiff, seededRandom } from './helpers/onnx-writer';

async function crop(width: number, height: number): Promise<Uint8Array> {
  const { data } = await sharp(sharedPath('data', 'densecrf-examples', 'im1.png')).removeAlpha().resize(width, height).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Noisy logits that follow the colours: label l likes channel l. */
function logitsFor(rgb: Uint8Array, labels: number, seed: number): Float32Array {
  const noise = seededRandom((rgb.length / 3) * labels, seed, -1.5, 1.5);
  return noise.map((v, i) => v + ((rgb[Math.floor(i / labels) * 3 + (i % labels)] as number) / 255) * 3);
}

test('graph op dense_crf equals denseCrf() on a batch of two real crops', async () => {
  const [w, h, labels] = [48, 36, 3];
  const a = await crop(w, h);
  const b = Uint8Array.from(a).reverse();
  const la = logitsFor(a, labels, 1), lb = logitsFor(b, labels, 2);
  const g = new Graph();
  const scores = g.input('scores', [2, h, w, labels]);
  const image = g.input('image', [2, h, w, 3]);
  const options = { iterations: 5, gaussian: { sxy: 3, weight: 3 }, bilateral: { sxy: 20, srgb: 13, weight: 10 }, normalization: 'symmetric' as const };
  g.output('q', g.denseCrf(scores, image, options));
  const model = await compile(g, undefined, { threads: 2 });
  const out = await model.run({ scores: Float32Array.from([...la, ...lb]), image: Float32Array.from([...a, ...b]) });
  model.dispose();
  const q = out.q!.data as Float32Array;
  for (const [i, rgb, logits] of [[0, a, la], [1, b, lb]] as const) {
    const ref = await denseCrf(rgb, w, h, logits, labels, {
      scores: 'logits', iterations: 5, gaussian: { sxy: 3, compat: 3 }, bilateral: { sxy: 20, srgb: 13, compat: 10 }, normalization: 'symmetric',
    });
    const part = q.subarray(i * w * h * labels, (i + 1) * w * h * labels);
    assert.ok(maxAbsDiff(part, ref.probabilities) < 1e-6, `image ${i}: graph op differs from denseCrf()`);
    // And the CRF did something: labels differ from the raw argmax somewhere, marginals sum to 1.
    let changed = 0;
    for (let p = 0; p < w * h; p++) {
      const raw = logits.subarray(p * labels, (p + 1) * labels);
      if (raw.indexOf(Math.max(...raw)) !== ref.labels[p]) changed++;
      const sum = part.subarray(p * labels, (p + 1) * labels).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4);
    }
    assert.ok(changed > 0, 'the CRF changed some labels');
  }
});

test("zoo.deeplabV1({crf: true}) ends with DeepLab v1's CRF on its own logits", async () => {
  const net = zoo.deeplabV1({ inputSize: [40, 48], numClasses: 4, crf: true }).initRandom(3);
  const model = await net.compile({ threads: 2 });
  const rgb = await crop(48, 40);
  const image = Float32Array.from(rgb, (v) => (v - 120) / 60);
  const out = await model.run({ image, rgb: Float32Array.from(rgb) });
  model.dispose();
  assert.equal(out.crf!.shape, [1, 40, 48, 4]);
  const ref = await denseCrf(rgb, 48, 40, out.logits!.data as Float32Array, 4, { preset: 'deeplab-v1', scores: 'logits' });
  assert.ok(maxAbsDiff(out.crf!.data, ref.probabilities) < 1e-6, 'graph CRF = denseCrf with the deeplab-v1 preset');
});

test('bad dense_crf arguments are AtrousErrors', () => {
  const g = new Graph();
  const s = g.input('s', [1, 8, 8, 3]);
  for (const [fn, code] of [
    [() => g.denseCrf(s, g.input('i4', [1, 8, 8, 4])), 'SHAPE_MISMATCH'],
    [() => g.denseCrf(s, g.input('i5', [1, 8, 9, 3])), 'SHAPE_MISMATCH'],
    [() => g.denseCrf(s, g.input('i6', [1, 8, 8, 3]), { bilateral: { sxy: -1, srgb: 3, weight: 1 } }), 'INVALID_ARGUMENT'],
    [() => g.denseCrf(s, g.input('i7', [1, 8, 8, 3]), { iterations: 1.5 }), 'INVALID_ARGUMENT'],
    [() => zoo.deeplabV2({ inputSize: [32, 32], crf: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT'],
  ] as const) {
    try {
      fn();
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, AtrousError);
      assert.is((e as AtrousError).code, code, (e as Error).message);
    }
  }
});

test.run();
