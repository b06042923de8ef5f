// ONNX import: the real DeepLab ONNX model against onnxruntime-node on the shared VOC images, and
// small ONNX graphs (the ops DeepLab exports use) against onnxruntime.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError } from '../lib/errors';
import { importModel } from '../lib/import';
import { compile } from '../lib/model';
import { sharedPath } from './helpers/data';
import { normalize, rgbResized, vocIds } from './helpers/images';
import { maxAbsDiff, nchwToNhwc, OnnxNodeSpec, seededRandom, writeOnnx } from './helpers/onnx-writer';

test('deeplabv3_mnv2_dm05_voc_257.onnx matches onnxruntime on all shared VOC images (max abs diff <= 1e-3)', async () => {
  const file = sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx');
  const imported = await importModel(file);
  assert.equal(imported.meta.inputSize, [257, 257]);
  assert.equal(imported.meta.dataset, 'voc');
  assert.equal(imported.meta.classes[3], 'bird');
  // The ONNX model starts and ends with NHWC↔NCHW Transposes: they fold away.
  assert.not.ok(imported.graph.nodeList.some((n) => n.op === 'transpose'));
  const model = await compile(imported.graph);
  const session = await ort.InferenceSession.create(file);
  const ids = vocIds();
  assert.is(ids.length, 20);
  let worst = 0;
  for (const id of ids) {
    // As the MANIFEST says: image squashed to 257×257, (p - 127.5) / 127.5.
    const x = normalize(await rgbResized(sharedPath('data', 'voc-sample', 'images', `${id}.jpg`), 257, 257), imported.meta.normalization);
    const ours = (await model.run(x)).logits!;
    const ref = (await session.run({ sub_7: new ort.Tensor('float32', x, [1, 257, 257, 3]) })).ResizeBilinear_3!;
    assert.equal(ours.shape, ref.dims);
    worst = Math.max(worst, maxAbsDiff(ours.data, ref.data as Float32Array));
  }
  console.log(`  onnx 257 vs onnxruntime, 20 VOC images: max abs diff ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-3, `max abs diff ${worst}`);
  model.dispose();
});

/** Imports an ONNX graph written in the test and compares it with onnxruntime on a seeded input. */
async function checkAgainstOrt(nodes: OnnxNodeSpec[], inits: { name: string; shape: number[]; data: Float32Array | BigInt64Array }[],
  inShape: number[], outShape: number[], opset = 13, layout: 'nchw' | 'nhwc' = 'nchw'): Promise<void> {
  const bytes = writeOnnx({ inputs: [{ name: 'x', shape: inShape }], outputs: [{ name: 'y', shape: outShape }], initializers: inits, nodes, opset });
  const x = seededRandom(inShape.reduce((a, b) => a * b, 1), 7);
  const ref = (await (await ort.InferenceSession.create(bytes)).run({ x: new ort.Tensor('float32', x, inShape) })).y!;
  const imported = await importModel(bytes);
  const model = await compile(imported.graph);
  const ours = (await model.run(layout === 'nchw' ? nchwToNhwc(x, inShape) : x)).logits!;
  const dims = ref.dims as number[];
  const refNhwc = layout === 'nchw' ? nchwToNhwc(ref.data as Float32Array, dims) : (ref.data as Float32Array);
  assert.equal(ours.shape, layout === 'nchw' ? [dims[0], dims[2], dims[3], dims[1]] : dims);
  const d = maxAbsDiff(ours.data, refNhwc);
  assert.ok(d < 1e-4, `max abs diff ${d} vs onnxruntime`);
  model.dispose();
}

test('Conv with dilations, groups and pads, BatchNormalization, Clip, Relu vs onnxruntime', async () => {
  const w1 = seededRandom(8 * 4 * 3 * 3, 1), w2 = seededRandom(8 * 1 * 3 * 3, 2), b2 = seededRandom(8, 3);
  const bn = [seededRandom(8, 4, 0.5, 1.5), seededRandom(8, 5), seededRandom(8, 6), seededRandom(8, 8, 0.5, 2)];
  await checkAgainstOrt([
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [2, 1, 2, 1], dilations: [2, 1], strides: [1, 2] } },
    { op: 'BatchNormalization', inputs: ['c1', 's', 'o', 'm', 'v'], outputs: ['b1'], attrs: { epsilon: { float: 0.001 } } },
    { op: 'Relu', inputs: ['b1'], outputs: ['r1'] },
    { op: 'Conv', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [4, 4, 4, 4], dilations: [4, 4], group: 8 } },
    { op: 'Clip', inputs: ['c2', 'lo', 'hi'], outputs: ['y'] },
  ], [
    { name: 'w1', shape: [8, 4, 3, 3], data: w1 }, { name: 'w2', shape: [8, 1, 3, 3], data: w2 }, { name: 'b2', shape: [8], data: b2 },
    { name: 's', shape: [8], data: bn[0]! }, { name: 'o', shape: [8], data: bn[1]! }, { name: 'm', shape: [8], data: bn[2]! }, { name: 'v', shape: [8], data: bn[3]! },
    { name: 'lo', shape: [], data: new Float32Array([0]) }, { name: 'hi', shape: [], data: new Float32Array([0.5]) },
  ], [1, 4, 17, 19], [1, 8, 17, 10]);
});

test('MaxPool, AveragePool, GlobalAveragePool, Add, Mul, Concat, Pad vs onnxruntime', async () => {
  await checkAgainstOrt([
    { op: 'MaxPool', inputs: ['x'], outputs: ['p1'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { op: 'AveragePool', inputs: ['x'], outputs: ['p2'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
    { op: 'Mul', inputs: ['p1', 'g'], outputs: ['m'] },
    { op: 'Add', inputs: ['m', 'bias'], outputs: ['a'] },
    { op: 'Concat', inputs: ['a', 'p2'], outputs: ['c'], attrs: { axis: 1 } },
    { op: 'Pad', inputs: ['c', 'pads', 'padv'], outputs: ['y'], attrs: { mode: 'constant' } },
  ], [
    { name: 'bias', shape: [1, 3, 1, 1], data: seededRandom(3, 9) },
    { name: 'pads', shape: [8], data: new BigInt64Array([0n, 0n, 1n, 2n, 0n, 0n, 3n, 0n]) },
    { name: 'padv', shape: [], data: new Float32Array([0.25]) },
  ], [1, 3, 15, 16], [1, 6, 12, 10]);
});

for (const mode of ['align_corners', 'half_pixel', 'pytorch_half_pixel', 'asymmetric'] as const) {
  test(`Resize linear (${mode}) with sizes and scales vs onnxruntime`, async () => {
    await checkAgainstOrt([
      { op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['r'], attrs: { mode: 'linear', coordinate_transformation_mode: mode } },
      { op: 'Resize', inputs: ['r', '', 'scales'], outputs: ['y'], attrs: { mode: 'linear', coordinate_transformation_mode: mode } },
    ], [
      { name: 'sizes', shape: [4], data: new BigInt64Array([1n, 5n, 19n, 33n]) },
      { name: 'scales', shape: [4], data: new Float32Array([1, 1, 1.5, 0.75]) },
    ], [1, 5, 7, 9], [1, 5, 28, 24]);
  });
}

test('opset-9 Upsample linear (asymmetric, explicit scales) and layout Transposes vs onnxruntime', async () => {
  await checkAgainstOrt([
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
    { op: 'Upsample', inputs: ['t', 'scales'], outputs: ['u'], attrs: { mode: 'linear' } },
    { op: 'Transpose', inputs: ['u'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
  ], [{ name: 'scales', shape: [4], data: new Float32Array([1, 1, 257 / 33, 257 / 33]) }], [1, 33, 33, 3], [1, 257, 257, 3], 9, 'nhwc');
});

test('an unsupported ONNX op is rejected with UNSUPPORTED naming the op and the node', async () => {
  const bytes = writeOnnx({
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y', shape: [1, 3, 8, 8] }], initializers: [],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Softsign', inputs: ['r'], outputs: ['y'] }],
  });
  try {
    await importModel(bytes);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.ok(isAtrousError(e, 'UNSUPPORTED'), String(e));
    assert.match((e as Error).message, /Softsign/);
    assert.match((e as Error).message, /n1/);
  }
});

test('a non-foldable Reshape is UNSUPPORTED; the real model has none', async () => {
  const bytes = writeOnnx({
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 'shape', shape: [2], data: new BigInt64Array([1n, 192n]) }],
    nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
  });
  await importModel(bytes).then(() => assert.unreachable('should have thrown'), (e) => assert.ok(isAtrousError(e, 'UNSUPPORTED'), String(e)));
  assert.ok(fs.existsSync(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx')));
});

test.run();
