// The zoo's DeepLabV3 MobileNetV2 (dm 0.5, output stride 8) loaded with the real weights of TF's
// deeplabv3_257_mv_gpu model (its tf2onnx export in ../shared/models) reproduces that model's logits
// as onnxruntime computes them.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { zoo } from '../lib/index';
import type { NamedTensor } from '../lib/index';
import { modelProtoType } from '../lib/import/onnx/schema';
import { sharedPath } from './helpers/data';
import { maxAbsDiff, nchwToNhwc, seededRandom } from './helpers/onnx-writer';

interface OnnxTensor { name: string; dims: (number | { toNumber(): number })[]; raw_data?: Uint8Array; float_data?: number[] }
interface OnnxNode { op_type: string; input: string[] }

/**
 * tf2onnx renamed the folded conv weights (const_fold_opt__N) but kept TF's bias names, so each Conv's
 * weight takes the TF name of its scope: `<scope>/Conv2D_bias` → `<scope>/weights`,
 * `<scope>/depthwise_bias` → `<scope>/depthwise_weights`.
 */
function tfNamedWeights(bytes: Uint8Array): Map<string, NamedTensor> {
  const model = modelProtoType().decode(bytes) as unknown as { graph: { initializer: OnnxTensor[]; node: OnnxNode[] } };
  const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const tensor = (t: OnnxTensor): NamedTensor => {
    const shape = t.dims.map(Number);
    const data = t.raw_data && t.raw_data.length
      ? new Float32Array(new Uint8Array(t.raw_data).buffer, 0, t.raw_data.length / 4)
      : Float32Array.from(t.float_data ?? []);
    return { shape, data };
  };
  const out = new Map<string, NamedTensor>();
  for (const node of model.graph.node) {
    if (node.op_type !== 'Conv') continue;
    const [, w, b] = node.input as [string, string, string];
    const m = b.match(/^(.*)\/(Conv2D_bias|depthwise_bias)$/);
    if (!m) throw new Error(`unexpected bias name ${b}`);
    out.set(`${m[1]}/${m[2] === 'depthwise_bias' ? 'depthwise_weights' : 'weights'}`, tensor(init.get(w)!));
    out.set(b, tensor(init.get(b)!));
  }
  return out;
}

/** The real model with its pre-upsampling logits (`logits/semantic/BiasAdd`, NCHW 33×33) as a second output. */
function withScoresOutput(bytes: Uint8Array): Uint8Array {
  const type = modelProtoType();
  const model = type.decode(bytes) as unknown as { graph: { output: unknown[] } };
  model.graph.output.push({ name: 'logits/semantic/BiasAdd', type: { tensor_type: { elem_type: 1 } } });
  return type.encode(model as never).finish();
}

const spreadOf = (a: Float32Array) => a.reduce((m, v) => Math.max(m, v), -Infinity) - a.reduce((m, v) => Math.min(m, v), Infinity);

test('deeplabV3 mobilenetv2 dm0.5 OS8 with the real TF weights reproduces the real model (onnxruntime)', async () => {
  const bytes = fs.readFileSync(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx'));
  const weights = tfNamedWeights(bytes);
  const image = seededRandom(257 * 257 * 3, 2024, -1, 1); // the model's input range, NHWC
  const session = await ort.InferenceSession.create(withScoresOutput(bytes));
  const theirs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', image, [1, 257, 257, 3]) });
  const refScores = nchwToNhwc(theirs['logits/semantic/BiasAdd']!.data as Float32Array, [1, 21, 33, 33]);
  const refLogits = theirs['ResizeBilinear_3']!.data as Float32Array; // NHWC [1, 257, 257, 21]

  // tf2onnx wrote TF's align-corners ResizeBilinear as opset-9 Upsample (asymmetric), so the upsampled
  // output is compared with the network built in that coordinate mode; the 33×33 scores need no such care.
  const net = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, depthMultiplier: 0.5, inputSize: [257, 257], coordinateMode: 'asymmetric' });
  net.loadWeights(weights, { map: zoo.tfMobileNetV2Keys({ layout: 'onnx' }) }); // strict: every weight, no extras
  net.graph.output('scores', net.scores);
  const ours = await (await net.compile()).run(image);
  assert.equal(ours.scores!.shape, [1, 33, 33, 21]);
  assert.equal(ours.logits!.shape, [1, 257, 257, 21]);
  const spread = spreadOf(refScores);
  const dScores = maxAbsDiff(ours.scores!.data as Float32Array, refScores);
  const dLogits = maxAbsDiff(ours.logits!.data as Float32Array, refLogits);
  console.log(`  real dm0.5 model: max abs diff scores ${dScores.toExponential(2)}, logits ${dLogits.toExponential(2)} (spread ${spread.toFixed(1)})`);
  assert.ok(spread > 1, `reference logits spread ${spread}`);
  assert.ok(dScores <= 1e-4, `scores max abs diff ${dScores}`);
  assert.ok(dLogits <= 1e-4, `logits max abs diff ${dLogits}`);
});

test.run();
