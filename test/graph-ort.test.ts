// Whole small graphs built with the Graph builder vs onnxruntime-node running the same graph as ONNX.
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, Graph, type Model } from '../lib/index';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, ohwiToOihw, OnnxNodeSpec, seededRandom, writeOnnx } from './helpers/onnx-writer';

const TOL = 1e-4;

interface ConvSpec {
  name: string;
  shape: [number, number, number, number]; // OHWI
  dilation: number;
  groups: number;
  pad: number;
  stride?: number;
  relu?: boolean;
}

/** Builds the conv in both worlds; returns the ONNX output name. */
class Twin {
  readonly g = new Graph();
  readonly nodes: OnnxNodeSpec[] = [];
  readonly inits: { name: string; shape: number[]; data: Float32Array }[] = [];
  private seed = 100;

  conv(x: ReturnType<Graph['input']>, xName: string, s: ConvSpec): [ReturnType<Graph['input']>, string] {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const w = seededRandom(size, this.seed++, -0.5, 0.5);
    const b = seededRandom(s.shape[0], this.seed++, -0.2, 0.2);
    const y = this.g.conv2d(x, {
      weight: this.g.weight(`${s.name}.w`, s.shape, w),
      bias: this.g.weight(`${s.name}.b`, [s.shape[0]], b),
      dilations: s.dilation, groups: s.groups, padding: [s.pad, s.pad, s.pad, s.pad], strides: s.stride ?? 1,
      activation: s.relu ? 'relu' : 'none', name: s.name,
    });
    this.inits.push({ name: `${s.name}.w`, shape: [s.shape[0], s.shape[3], s.shape[1], s.shape[2]], data: ohwiToOihw(w, s.shape) });
    this.inits.push({ name: `${s.name}.b`, shape: [s.shape[0]], data: b });
    const out = s.relu ? `${s.name}.pre` : s.name;
    this.nodes.push({ op: 'Conv', inputs: [xName, `${s.name}.w`, `${s.name}.b`], outputs: [out],
      attrs: { dilations: [s.dilation, s.dilation], group: s.groups, pads: [s.pad, s.pad, s.pad, s.pad], strides: [s.stride ?? 1, s.stride ?? 1], kernel_shape: [s.shape[1], s.shape[2]] } });
    if (s.relu) this.nodes.push({ op: 'Relu', inputs: [out], outputs: [s.name] });
    return [y, s.name];
  }
}

async function runOrt(bytes: Uint8Array, input: Float32Array, shape: number[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  return session.run({ x: new ort.Tensor('float32', nhwcToNchw(input, shape), [shape[0], shape[3], shape[1], shape[2]] as number[]) });
}

// Runs our model and onnxruntime on the same NHWC input; the largest |difference| of output `name`.
async function maxDiffFromOrt(model: Model, bytes: Uint8Array, input: Float32Array, shape: number[], name: string): Promise<number> {
  const ours = await model.run(input);
  const ref = await runOrt(bytes, input, shape);
  return maxAbsDiff(ours[name]!.data, nchwToNhwc(ref[name]!.data as Float32Array, ref[name]!.dims as number[]));
}

test('conv → depthwise dilated conv → concat → resize → argmax matches onnxruntime', async () => {
  const t = new Twin();
  const shape: [number, number, number, number] = [1, 23, 29, 5];
  const x = t.g.input('x', shape);
  const [a, an] = t.conv(x, 'x', { name: 'c1', shape: [8, 3, 3, 5], dilation: 1, groups: 1, pad: 1, relu: true });
  const [b, bn] = t.conv(a, an, { name: 'dw', shape: [8, 3, 3, 1], dilation: 4, groups: 8, pad: 4 });
  const [c, cn] = t.conv(a, an, { name: 'dw2', shape: [16, 3, 3, 1], dilation: 2, groups: 8, pad: 2, stride: 1 });
  const cat = t.g.concat([b, c, a]);
  const up = t.g.resizeBilinear(cat, { size: [46, 58], coordinateMode: 'half_pixel' });
  t.g.output('logits', up);
  t.g.output('labels', t.g.argmax(up));
  t.nodes.push({ op: 'Concat', inputs: [bn, cn, an], outputs: ['cat'], attrs: { axis: 1 } });
  t.inits.push({ name: 'roi', shape: [0], data: new Float32Array(0) });
  t.inits.push({ name: 'scales', shape: [4], data: new Float32Array([1, 1, 2, 2]) });
  t.nodes.push({ op: 'Resize', inputs: ['cat', 'roi', 'scales'], outputs: ['logits'], attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' } });
  t.nodes.push({ op: 'ArgMax', inputs: ['logits'], outputs: ['labels'], attrs: { axis: 1, keepdims: 1 } });
  const bytes = writeOnnx({ inputs: [{ name: 'x', shape: [1, 5, 23, 29] }], outputs: [{ name: 'logits' }, { name: 'labels', elemType: 7 }], initializers: t.inits, nodes: t.nodes });

  const input = seededRandom(shape.reduce((p, q) => p * q, 1), 7);
  const model = await compile(t.g, undefined, { threads: 2 });
  const ours = await model.run(input);
  const ref = await runOrt(bytes, input, shape);
  const refLogits = nchwToNhwc(ref.logits!.data as Float32Array, ref.logits!.dims as number[]);
  assert.equal(ours.logits!.shape, [1, 46, 58, 32]);
  const diff = maxAbsDiff(ours.logits!.data, refLogits);
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
  const refLabels = Array.from(ref.labels!.data as BigInt64Array, Number);
  let agree = 0;
  ours.labels!.data.forEach((l, i) => { if (l === refLabels[i]) agree++; });
  assert.ok(agree / refLabels.length >= 0.999, `label agreement ${agree / refLabels.length}`);
  assert.ok(model.stats().steps <= 6, 'relu fused into the first conv');
  model.dispose();
});

test('ASPP v3 block (1x1 + three atrous 3x3 + image pooling, concat, projection) matches onnxruntime', async () => {
  const t = new Twin();
  const shape: [number, number, number, number] = [1, 33, 33, 16];
  const x = t.g.input('x', shape);
  const branches: ReturnType<Graph['input']>[] = [];
  const names: string[] = [];
  const [b0, n0] = t.conv(x, 'x', { name: 'aspp0', shape: [8, 1, 1, 16], dilation: 1, groups: 1, pad: 0, relu: true });
  branches.push(b0); names.push(n0);
  for (const rate of [6, 12, 18]) {
    const [b, n] = t.conv(x, 'x', { name: `aspp_r${rate}`, shape: [8, 3, 3, 16], dilation: rate, groups: 1, pad: rate, relu: true });
    branches.push(b); names.push(n);
  }
  // Image pooling: global average → 1x1 conv + relu → broadcast back (bilinear from 1x1 is exact).
  const pooled = t.g.globalAvgPool(x);
  t.nodes.push({ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['pooled'] });
  const [p, pn] = t.conv(pooled, 'pooled', { name: 'pool_conv', shape: [8, 1, 1, 16], dilation: 1, groups: 1, pad: 0, relu: true });
  branches.push(t.g.resizeBilinear(p, { size: [33, 33], coordinateMode: 'align_corners' }));
  t.inits.push({ name: 'roi', shape: [0], data: new Float32Array(0) });
  t.inits.push({ name: 'scales', shape: [4], data: new Float32Array([1, 1, 33, 33]) });
  t.nodes.push({ op: 'Resize', inputs: [pn, 'roi', 'scales'], outputs: ['pool_up'], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' } });
  names.push('pool_up');
  const cat = t.g.concat(branches);
  t.nodes.push({ op: 'Concat', inputs: names, outputs: ['cat'], attrs: { axis: 1 } });
  const [proj] = t.conv(cat, 'cat', { name: 'project', shape: [12, 1, 1, 40], dilation: 1, groups: 1, pad: 0, relu: true });
  t.g.output('project', proj);
  const bytes = writeOnnx({ inputs: [{ name: 'x', shape: [1, 16, 33, 33] }], outputs: [{ name: 'project' }], initializers: t.inits, nodes: t.nodes });

  const input = seededRandom(shape.reduce((a, b) => a * b, 1), 11);
  const model = await compile(t.g, undefined, { threads: 2 });
  const diff = await maxDiffFromOrt(model, bytes, input, shape, 'project');
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
  model.dispose();
});

test('batch norm folded into conv, pooling, pad and elementwise ops match onnxruntime', async () => {
  const g = new Graph();
  const shape: [number, number, number, number] = [2, 17, 19, 6];
  const x = g.input('x', shape);
  const w = seededRandom(6 * 3 * 3 * 6, 3, -0.4, 0.4);
  const bn = { scale: seededRandom(6, 4, 0.5, 1.5), offset: seededRandom(6, 5), mean: seededRandom(6, 6), variance: seededRandom(6, 8, 0.2, 2) };
  const c = g.conv2d(x, { weight: g.weight('w', [6, 3, 3, 6], w), padding: 'same' });
  const n = g.batchNorm(c, { scale: g.weight('s', [6], bn.scale), offset: g.weight('o', [6], bn.offset), mean: g.weight('m', [6], bn.mean), variance: g.weight('v', [6], bn.variance), epsilon: 1e-3 });
  const r = g.relu6(n);
  const sum = g.add(r, x);
  const k = g.weight('k', [6], seededRandom(6, 9));
  const prod = g.mul(sum, k);
  const mp = g.maxPool2d(prod, { kernel: 3, strides: 2, padding: [1, 1, 1, 1] });
  const ap = g.avgPool2d(prod, { kernel: 3, strides: 2, padding: [1, 1, 1, 1] });
  const padded = g.pad(g.sub(mp, ap), { pads: [1, 2, 0, 3], value: 0.25 });
  g.output('y', g.softmax(padded));
  const nodes: OnnxNodeSpec[] = [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] } },
    { op: 'BatchNormalization', inputs: ['c', 's', 'o', 'm', 'v'], outputs: ['n'], attrs: { epsilon: { float: 1e-3 } } },
    { op: 'Clip', inputs: ['n', 'zero', 'six'], outputs: ['r'] },
    { op: 'Add', inputs: ['r', 'x'], outputs: ['sum'] },
    { op: 'Mul', inputs: ['sum', 'k4'], outputs: ['prod'] },
    { op: 'MaxPool', inputs: ['prod'], outputs: ['mp'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { op: 'AveragePool', inputs: ['prod'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
    { op: 'Sub', inputs: ['mp', 'ap'], outputs: ['d'] },
    { op: 'Pad', inputs: ['d', 'pads', 'pv'], outputs: ['p'], attrs: { mode: 'constant' } },
    { op: 'Softmax', inputs: ['p'], outputs: ['y'], attrs: { axis: 1 } },
  ];
  const bytes = writeOnnx({
    inputs: [{ name: 'x', shape: [2, 6, 17, 19] }], outputs: [{ name: 'y' }], nodes,
    initializers: [
      { name: 'w', shape: [6, 6, 3, 3], data: ohwiToOihw(w, [6, 3, 3, 6]) },
      { name: 's', shape: [6], data: bn.scale }, { name: 'o', shape: [6], data: bn.offset },
      { name: 'm', shape: [6], data: bn.mean }, { name: 'v', shape: [6], data: bn.variance },
      { name: 'zero', shape: [], data: new Float32Array([0]) }, { name: 'six', shape: [], data: new Float32Array([6]) },
      { name: 'k4', shape: [1, 6, 1, 1], data: g.weights.find((e) => e.name === 'k')!.data! },
      { name: 'pads', shape: [8], data: new BigInt64Array([0n, 0n, 1n, 0n, 0n, 0n, 2n, 3n]) },
      { name: 'pv', shape: [], data: new Float32Array([0.25]) },
    ],
  });
  const input = seededRandom(shape.reduce((a, b) => a * b, 1), 12, -3, 3);
  const model = await compile(g, undefined, { threads: 2 });
  const diff = await maxDiffFromOrt(model, bytes, input, shape, 'y');
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
  model.dispose();
});

test('per-channel mul / add / sub after a conv fold into it (TF-style batch norm) and match onnxruntime', async () => {
  const g = new Graph();
  const shape: [number, number, number, number] = [1, 12, 10, 4];
  const x = g.input('x', shape);
  const w = seededRandom(8 * 3 * 3 * 1, 21, -0.5, 0.5);
  const k = { mul: seededRandom(8, 22, 0.5, 2), add: seededRandom(8, 23), sub: seededRandom(1, 24) };
  const dw = g.conv2d(x, { weight: g.weight('dw', [8, 3, 3, 1], w), groups: 4, padding: 'same', dilations: 2 });
  const scaled = g.mul(g.weight('k_mul', [8], k.mul), dw);
  const shifted = g.add(scaled, g.weight('k_add', [1, 1, 1, 8], k.add));
  g.output('y', g.relu6(g.sub(shifted, g.weight('k_sub', [1], k.sub))));
  const bytes = writeOnnx({
    inputs: [{ name: 'x', shape: [1, 4, 12, 10] }], outputs: [{ name: 'y' }],
    initializers: [
      { name: 'w', shape: [8, 1, 3, 3], data: ohwiToOihw(w, [8, 3, 3, 1]) },
      { name: 'kmul', shape: [1, 8, 1, 1], data: k.mul }, { name: 'kadd', shape: [1, 8, 1, 1], data: k.add },
      { name: 'ksub', shape: [1], data: k.sub }, { name: 'zero', shape: [], data: new Float32Array([0]) }, { name: 'six', shape: [], data: new Float32Array([6]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { group: 4, pads: [2, 2, 2, 2], dilations: [2, 2], kernel_shape: [3, 3] } },
      { op: 'Mul', inputs: ['kmul', 'c'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'kadd'], outputs: ['a'] },
      { op: 'Sub', inputs: ['a', 'ksub'], outputs: ['s'] },
      { op: 'Clip', inputs: ['s', 'zero', 'six'], outputs: ['y'] },
    ],
  });
  const input = seededRandom(shape.reduce((a, b) => a * b, 1), 25, -2, 2);
  const model = await compile(g, undefined, { threads: 2 });
  assert.is(model.stats().steps, 1, 'mul, add, sub and relu6 all folded into the conv');
  const diff = await maxDiffFromOrt(model, bytes, input, shape, 'y');
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
  model.dispose();
});

test('a batch norm with nothing to fold into runs as its own kernel and matches onnxruntime', async () => {
  const g = new Graph();
  const shape: [number, number, number, number] = [1, 9, 7, 5];
  const x = g.input('x', shape);
  const p = { s: seededRandom(5, 31, 0.5, 2), o: seededRandom(5, 32), m: seededRandom(5, 33), v: seededRandom(5, 34, 0.1, 3) };
  g.output('y', g.batchNorm(x, { scale: g.weight('s', [5], p.s), offset: g.weight('o', [5], p.o), mean: g.weight('m', [5], p.m), variance: g.weight('v', [5], p.v), epsilon: 1e-3 }));
  const bytes = writeOnnx({
    inputs: [{ name: 'x', shape: [1, 5, 9, 7] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 's', shape: [5], data: p.s }, { name: 'o', shape: [5], data: p.o }, { name: 'm', shape: [5], data: p.m }, { name: 'v', shape: [5], data: p.v }],
    nodes: [{ op: 'BatchNormalization', inputs: ['x', 's', 'o', 'm', 'v'], outputs: ['y'], attrs: { epsilon: { float: 1e-3 } } }],
  });
  const input = seededRandom(shape.reduce((a, b) => a * b, 1), 35, -3, 3);
  const model = await compile(g, undefined, { threads: 1 });
  const diff = await maxDiffFromOrt(model, bytes, input, shape, 'y');
  assert.ok(diff <= TOL, `max abs diff ${diff}`);
  model.dispose();
});

test.run();
