// One ASPP v3 block and one v3+ decoder, built with the zoo's block functions, against onnxruntime.
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, Graph } from '../lib/index';
import { asppV3 } from '../lib/zoo/heads/aspp';
import { decoderV3Plus } from '../lib/zoo/heads/decoder';
import { TF_STYLE, TORCH_STYLE, ZooBuilder, BuilderStyle } from '../lib/zoo/blocks';
import { graphToOnnx } from './helpers/graph-to-onnx';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, seededRandom } from './helpers/onnx-writer';

function randomWeights(g: Graph, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  g.weights.forEach((w, i) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.name.endsWith('.running_var')) out.set(w.name, seededRandom(n, seed + i, 0.5, 1.5));
    else if (w.shape.length === 4) out.set(w.name, seededRandom(n, seed + i, -0.3, 0.3));
    else out.set(w.name, seededRandom(n, seed + i, -0.5, 0.5));
  });
  return out;
}

async function compareWithOnnx(b: ZooBuilder, seed: number): Promise<number> {
  const g = b.graph;
  const weights = randomWeights(g, seed);
  const inputs = g.inputs.map((v, i) => seededRandom(v.shape.reduce((a, c) => a * c, 1), seed * 31 + i));
  const model = await compile(g, weights);
  const ours = await model.run(inputs);
  const session = await ort.InferenceSession.create(graphToOnnx(g, weights));
  const feeds: Record<string, ort.Tensor> = {};
  g.inputs.forEach((v, i) => {
    const s = v.shape as number[];
    feeds[v.name] = new ort.Tensor('float32', nhwcToNchw(inputs[i]!, s), [s[0]!, s[3]!, s[1]!, s[2]!]);
  });
  const theirs = await session.run(feeds);
  const out = g.outputs[0]!;
  const s = out.value.shape as number[];
  const ref = nchwToNhwc(theirs[`v${out.value.id}`]!.data as Float32Array, [s[0]!, s[3]!, s[1]!, s[2]!]);
  // A comparison of near-constant outputs would prove little: the oracle's output must vary.
  const spread = Math.max(...ref) - Math.min(...ref);
  assert.ok(spread > 0.1, `oracle output spread ${spread}`);
  return maxAbsDiff(ours[out.name]!.data as Float32Array, ref);
}

function aspp(style: BuilderStyle, separable: boolean, order: 'torchvision' | 'tf') {
  const b = new ZooBuilder(new Graph(), style);
  const x = b.graph.input('x', [1, 17, 19, 24]);
  b.graph.output('y', asppV3(b, x, { name: 'aspp', rates: [2, 4, 6], channels: 16, separable, order }));
  return b;
}

function decoder(style: BuilderStyle, separable: boolean) {
  const b = new ZooBuilder(new Graph(), style);
  const enc = b.graph.input('encoder', [1, 5, 6, 16]);
  const low = b.graph.input('low', [1, 17, 21, 12]);
  b.graph.output('y', decoderV3Plus(b, enc, low, { name: 'decoder', numClasses: 7, separable, lowLevelChannels: 8, channels: 16 }));
  return b;
}

test('ASPP v3 (torchvision style, dense atrous branches) matches onnxruntime', async () => {
  const d = await compareWithOnnx(aspp(TORCH_STYLE, false, 'torchvision'), 3);
  assert.ok(d <= 1e-4, `max abs diff ${d}`);
});

test('ASPP v3 (TF style, separable branches, pooling first) matches onnxruntime', async () => {
  const d = await compareWithOnnx(aspp(TF_STYLE, true, 'tf'), 5);
  assert.ok(d <= 1e-4, `max abs diff ${d}`);
});

test('v3+ decoder (separable, align_corners) matches onnxruntime', async () => {
  const d = await compareWithOnnx(decoder(TF_STYLE, true), 7);
  assert.ok(d <= 1e-4, `max abs diff ${d}`);
});

test('v3+ decoder (dense 3x3, half_pixel) matches onnxruntime', async () => {
  const d = await compareWithOnnx(decoder(TORCH_STYLE, false), 9);
  assert.ok(d <= 1e-4, `max abs diff ${d}`);
});

test.run();
