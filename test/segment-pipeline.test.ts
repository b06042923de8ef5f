// segment() around a synthetic network: geometry of pad/stretch preprocessing and the mapping back to
// the original size, multi-scale / flip / sliding-window merging, against oracles computed here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SegmentationModel, SegmentOptions } from '../lib/segment/model';
import { labelsFromLogits, ProbabilityAccumulator } from '../lib/segment/merge';
import { planRuns, tileStarts } from '../lib/segment/policies';
import { nativeCapable, NativePostprocess } from '../lib/segment/postprocess';
import { pixelProbabilities, syntheticModel, twoColourImage } from './helpers/synthetic-model';

const models = new Map<string, Promise<SegmentationModel>>();
function model(size: number, stride: 1 | 2, resize: 'pad' | 'stretch'): Promise<SegmentationModel> {
  const key = `${size}/${stride}/${resize}`;
  if (!models.has(key)) models.set(key, syntheticModel(size, stride, resize));
  return models.get(key) as Promise<SegmentationModel>;
}

/** Labels must match the truth exactly at pixels farther than `margin` from the colour boundary. */
function checkGeometry(labels: ArrayLike<number>, truth: Uint8Array, width: number, height: number, margin: number, what: string): void {
  let wrong = 0;
  let checked = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const t = truth[y * width + x];
      let near = false;
      for (let dy = -margin; dy <= margin && !near; dy++)
        for (let dx = -margin; dx <= margin && !near; dx++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          if (truth[yy * width + xx] !== t) near = true;
        }
      const l = labels[y * width + x];
      if (near) continue; // mixed colours there are 'background' for this network
      // away from it, a 'background' label would be padding leaking into the result
      checked++;
      if (l !== t) wrong++;
    }
  assert.ok(checked > width * height * 0.3, `${what}: too few pixels away from the boundary`);
  assert.is(wrong, 0, `${what}: ${wrong} of ${checked} pixels away from the boundary have the wrong class`);
}

const CASES: [string, number, number, (x: number, y: number) => boolean][] = [
  ['wide, vertical boundary', 40, 30, (x) => x < 12],
  ['tall, horizontal boundary', 30, 40, (_x, y) => y < 29],
  ['wide, diagonal boundary', 48, 24, (x, y) => x + y < 30],
];
const OPTIONS: [string, SegmentOptions][] = [
  ['default', {}],
  ['flip', { flip: true }],
  ['scales 0.5,1,1.75 (1.75 is tiled)', { scales: [0.5, 1, 1.75] }],
  ['slidingWindow', { slidingWindow: true }],
  ['slidingWindow overlap 0 + flip + probabilities', { slidingWindow: { overlap: 0 }, flip: true, outputs: ['labels', 'probabilities'] }],
];

for (const resize of ['pad', 'stretch'] as const)
  for (const stride of [1, 2] as const)
    test(`${resize}, output stride ${stride}: labels at the original size follow the image (${OPTIONS.length} option sets)`, async () => {
      const m = await model(17, stride, resize);
      for (const [name, width, height, isRed] of CASES) {
        const { data, truth } = twoColourImage(width, height, isRed);
        for (const [label, opts] of OPTIONS) {
          const r = await m.segment({ data, width, height, channels: 3 }, opts);
          assert.is(r.width, width);
          assert.is(r.height, height);
          assert.is(r.labels.length, width * height);
          // one logit cell, in original pixels, is the resolution the network can resolve
          const margin = Math.ceil((stride * Math.max(width, height)) / 17) + 1;
          checkGeometry(r.labels, truth, width, height, margin, `${resize}/${stride}/${name}/${label}`);
        }
      }
    });

test('sliding window at native resolution: every pixel gets exactly softmax(W·x + b), whatever the tiling and flip', async () => {
  const m = await model(17, 1, 'pad');
  const width = 53;
  const height = 38;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 3) * 31) % 256; // arbitrary colours
  for (const opts of [{ slidingWindow: true }, { slidingWindow: { overlap: 0.5 }, flip: true }, { slidingWindow: { overlap: 0 } }] as SegmentOptions[]) {
    const r = await m.segment({ data, width, height, channels: 3 }, { ...opts, outputs: ['probabilities'] });
    const probs = r.probabilities as Float32Array;
    assert.ok(probs, 'probabilities requested');
    assert.is(probs.length, width * height * 3);
    let maxErr = 0;
    for (let p = 0; p < width * height; p++) {
      const want = pixelProbabilities(data[p * 3] as number, data[p * 3 + 1] as number, data[p * 3 + 2] as number);
      for (let k = 0; k < 3; k++) maxErr = Math.max(maxErr, Math.abs((probs[p * 3 + k] as number) - (want[k] as number)));
      const best = want.indexOf(Math.max(...want));
      if (Math.abs((want[best] as number) - Math.max(...want.filter((_, i) => i !== best))) > 1e-4) assert.is(r.labels[p], best, `label at pixel ${p}`);
    }
    assert.ok(maxErr < 1e-5, `${JSON.stringify(opts)}: max probability error ${maxErr}`);
  }
});

test('flip and repeated scales do not change the result of a mirror-symmetric network', async () => {
  const m = await model(17, 2, 'pad');
  const { data } = twoColourImage(45, 31, (x, y) => (x * 3 + y * 5) % 17 < 8);
  const input = { data, width: 45, height: 31, channels: 3 as const };
  const base = (await m.segment(input, { outputs: ['probabilities'] })).probabilities as Float32Array;
  for (const opts of [{ flip: true }, { scales: [1, 1] }] as SegmentOptions[]) {
    const other = (await m.segment(input, { ...opts, outputs: ['probabilities'] })).probabilities as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < base.length; i++) maxErr = Math.max(maxErr, Math.abs((base[i] as number) - (other[i] as number)));
    assert.ok(maxErr < 1e-5, `${JSON.stringify(opts)}: max difference ${maxErr}`);
  }
});

test('pad keeps the aspect ratio and shrinks to fit, never enlarging; stretch fills the canvas', () => {
  const meta = { inputSize: [257, 257] as [number, number], resize: 'pad' as const };
  const [run] = planRuns(375, 500, meta, { scales: [1], flip: false, overlap: undefined });
  assert.equal(run?.size, [Math.round((375 * 257) / 500), 257]);
  assert.equal(run?.valid, run?.size);
  const [small] = planRuns(100, 60, meta, { scales: [1], flip: false, overlap: undefined });
  assert.equal(small?.size, [100, 60]);
  const [s] = planRuns(375, 500, { ...meta, resize: 'stretch' }, { scales: [1], flip: false, overlap: undefined });
  assert.equal(s?.size, [257, 257]);
  const runs = planRuns(375, 500, meta, { scales: [0.5, 1.5], flip: true, overlap: undefined });
  assert.ok(runs.every((r) => r.valid[0] <= 257 && r.valid[1] <= 257 && r.offset[0] + r.valid[0] <= r.size[0] && r.offset[1] + r.valid[1] <= r.size[1]));
  assert.is(runs.filter((r) => r.size[1] === 129).length, 2, 'scale 0.5: one canvas, plain and mirrored');
});

test('tiles cover the axis, start at 0, end flush, and overlap as asked', () => {
  for (const [size, crop, overlap] of [[100, 33, 1 / 3], [34, 33, 0], [513, 257, 0.5], [33, 33, 0.2], [1000, 17, 0]] as const) {
    const starts = tileStarts(size, crop, overlap);
    assert.is(starts[0], 0);
    assert.is((starts[starts.length - 1] as number) + Math.min(crop, size), size);
    const covered = new Uint8Array(size);
    for (const s of starts) covered.fill(1, s, Math.min(size, s + crop));
    assert.ok(covered.every((c) => c === 1), `${size}/${crop}: gap`);
    for (let i = 1; i < starts.length - 1; i++) assert.is((starts[i] as number) - (starts[i - 1] as number), Math.max(1, Math.round(crop * (1 - overlap))));
  }
});

test('native post-processing (resize + argmax/softmax graph) matches the JS back-mapping', async () => {
  const post = new NativePostprocess(1);
  try {
    for (const [L, C, crop, h0, w0, resize] of [[17, 3, 33, 30, 47, 'pad'], [17, 3, 33, 47, 30, 'pad'], [33, 5, 33, 64, 20, 'stretch'], [9, 4, 17, 1, 9, 'pad'], [5, 2, 9, 9, 9, 'pad']] as const) {
      const logits = { data: new Float32Array(L * L * C).map((_, i) => Math.sin(i * 12.9898) * 8), height: L, width: L, channels: C };
      for (const run of planRuns(h0, w0, { inputSize: [crop, crop], resize }, { scales: [1], flip: true, overlap: undefined })) {
        assert.is(nativeCapable(run, [crop, crop]), !run.flip || run.valid[1] === crop);
        if (!nativeCapable(run, [crop, crop])) continue;
        const js = labelsFromLogits(run, logits, h0, w0, [crop, crop]);
        const nat = await post.labels(run, logits, h0, w0, [crop, crop]);
        let same = 0;
        for (let i = 0; i < js.length; i++) if (js[i] === nat[i]) same++;
        assert.ok(same >= js.length - 1, `${L}->${h0}x${w0}: ${js.length - same} labels differ`); // float rounding may flip a near-tie
        const acc = new ProbabilityAccumulator(h0, w0, C);
        acc.add(run, logits, [crop, crop]);
        const probs = await post.probabilities(run, logits, h0, w0, [crop, crop]);
        let maxErr = 0;
        for (let i = 0; i < probs.length; i++) maxErr = Math.max(maxErr, Math.abs((probs[i] as number) - (acc.sum[i] as number)));
        assert.ok(maxErr < 1e-5, `probabilities differ by ${maxErr}`);
      }
    }
  } finally {
    post.dispose();
  }
});

test.after(async () => {
  for (const m of models.values()) (await m).dispose();
});

test.run();
