// MobileNetV2 inverted-residual blocks (1x1 expand -> 3x3 depthwise -> 1x1 project, + input),
// which compile() fuses into one CPU kernel, vs onnxruntime-node running the same graph as ONNX.
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, Graph } from '../lib/index';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, ohwiToOihw, OnnxNodeSpec, seededRandom, writeOnnx } from './helpers/onnx-writer';

const TOL = 1e-4;
type Value = ReturnType<Graph['input']>;

interface BlockSpec {
  shape: [number, number, number, number]; // NHWC input
  expanded: number;
  out: number;
  stride: number;
  dilation: number;
  residual: boolean;
  // TF-style: the project conv has no bias; its offset is added after the residual add.
  biasAfterResidual?: boolean;
  // Also output the expanded activations (the block must then not be fused).
  exposeExpanded?: boolean;
}

/** The block in both worlds: our Graph and an ONNX model; returns ONNX bytes and the graph. */
function buildBlock(s: BlockSpec): { g: Graph; bytes: Uint8Array } {
  const g = new Graph();
  const nodes: OnnxNodeSpec[] = [];
  const inits: { name: string; shape: number[]; data: Float32Array }[] = [
    { name: 'zero', shape: [], data: new Float32Array([0]) }, { name: 'six', shape: [], data: new Float32Array([6]) },
  ];
  let seed = 300;
  const cin = s.shape[3];
  const conv = (x: Value, xName: string, name: string, ohwi: [number, number, number, number], o: { groups: number; stride: number; dilation: number; bias: boolean; relu6: boolean }): Value => {
    const w = seededRandom(ohwi.reduce((a, b) => a * b, 1), seed++, -0.5, 0.5);
    const b = seededRandom(ohwi[0], seed++, -0.3, 0.3);
    const pad = ((ohwi[1] - 1) * o.dilation) >> 1;
    let y = g.conv2d(x, {
      weight: g.weight(`${name}.w`, ohwi, w), bias: o.bias ? g.weight(`${name}.b`, [ohwi[0]], b) : undefined,
      groups: o.groups, strides: o.stride, dilations: o.dilation, padding: [pad, pad, pad, pad], name,
    });
    inits.push({ name: `${name}.w`, shape: [ohwi[0], ohwi[3], ohwi[1], ohwi[2]], data: ohwiToOihw(w, ohwi) });
    if (o.bias) inits.push({ name: `${name}.b`, shape: [ohwi[0]], data: b });
    nodes.push({ op: 'Conv', inputs: [xName, `${name}.w`, ...(o.bias ? [`${name}.b`] : [])], outputs: [o.relu6 ? `${name}.pre` : name],
      attrs: { group: o.groups, pads: [pad, pad, pad, pad], strides: [o.stride, o.stride], dilations: [o.dilation, o.dilation], kernel_shape: [ohwi[1], ohwi[2]] } });
    if (o.relu6) {
      y = g.relu6(y);
      nodes.push({ op: 'Clip', inputs: [`${name}.pre`, 'zero', 'six'], outputs: [name] });
    }
    return y;
  };
  const x = g.input('x', s.shape);
  const e = conv(x, 'x', 'expand', [s.expanded, 1, 1, cin], { groups: 1, stride: 1, dilation: 1, bias: true, relu6: true });
  const d = conv(e, 'expand', 'depthwise', [s.expanded, 3, 3, 1], { groups: s.expanded, stride: s.stride, dilation: s.dilation, bias: true, relu6: true });
  let y = conv(d, 'depthwise', 'project', [s.out, 1, 1, s.expanded], { groups: 1, stride: 1, dilation: 1, bias: !s.biasAfterResidual, relu6: false });
  let yName = 'project';
  if (s.residual) {
    y = g.add(x, y);
    nodes.push({ op: 'Add', inputs: ['x', 'project'], outputs: ['sum'] });
    yName = 'sum';
  }
  if (s.biasAfterResidual) {
    const offset = seededRandom(s.out, seed++, -0.3, 0.3);
    y = g.add(g.weight('offset', [s.out], offset), y);
    inits.push({ name: 'offset', shape: [1, s.out, 1, 1], data: offset });
    nodes.push({ op: 'Add', inputs: ['offset', yName], outputs: ['shifted'] });
    yName = 'shifted';
  }
  g.output('y', y);
  nodes.push({ op: 'Identity', inputs: [yName], outputs: ['y'] });
  const outputs = [{ name: 'y' }];
  if (s.exposeExpanded) {
    g.output('e', e);
    nodes.push({ op: 'Identity', inputs: ['expand'], outputs: ['e'] });
    outputs.push({ name: 'e' });
  }
  const [n, h, w, c] = s.shape;
  const bytes = writeOnnx({ inputs: [{ name: 'x', shape: [n, c, h, w] }], outputs, initializers: inits, nodes });
  return { g, bytes };
}

async function checkBlock(s: BlockSpec, fused: boolean, threadCounts = [1, 2]): Promise<void> {
  const { g, bytes } = buildBlock(s);
  const input = seededRandom(s.shape.reduce((a, b) => a * b, 1), 17, -2, 2);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const [n, h, w, c] = s.shape;
  const ref = await session.run({ x: new ort.Tensor('float32', nhwcToNchw(input, s.shape), [n, c, h, w]) });
  for (const threads of threadCounts) {
    const model = await compile(g, undefined, { threads });
    const ours = await model.run(input, { profile: true });
    const ops = (ours.profile ?? []).map((p) => p.op);
    assert.is(ops.includes('inverted_residual'), fused, `${JSON.stringify(s)}: ops ${ops.join(', ')}`);
    if (fused) assert.is(ops.length, 1, `the whole block is one step: ${ops.join(', ')}`);
    const diff = maxAbsDiff(ours.y!.data, nchwToNhwc(ref.y!.data as Float32Array, ref.y!.dims as number[]));
    assert.ok(diff <= TOL, `${JSON.stringify(s)}, ${threads} threads: max abs diff ${diff}`);
    model.dispose();
  }
}

test('residual blocks at dilation 1, 2 and 4 fuse and match onnxruntime', async () => {
  for (const dilation of [1, 2, 4])
    await checkBlock({ shape: [1, 17, 15, 16], expanded: 96, out: 16, stride: 1, dilation, residual: true }, true);
});

test('a stride-2 block without residual fuses and matches onnxruntime', async () => {
  for (const h of [34, 35])
    await checkBlock({ shape: [1, h, 13, 8], expanded: 48, out: 24, stride: 2, dilation: 1, residual: false }, true);
});

test('TF-style block (project offset added after the residual) fuses and matches onnxruntime', async () => {
  await checkBlock({ shape: [2, 9, 11, 24], expanded: 144, out: 24, stride: 1, dilation: 2, residual: true, biasAfterResidual: true }, true);
});

test('a block whose expanded activations are also an output is left unfused and still matches', async () => {
  await checkBlock({ shape: [1, 10, 10, 8], expanded: 32, out: 8, stride: 1, dilation: 1, residual: true, exposeExpanded: true }, false);
});

test('with more threads than chains of rows to give them, the block stays unfused and matches', async () => {
  // 17 rows at dilation 1: two chains of 8+ rows, fewer than 4 threads.
  await checkBlock({ shape: [1, 17, 15, 16], expanded: 96, out: 16, stride: 1, dilation: 1, residual: true }, false, [4]);
  await checkBlock({ shape: [1, 17, 15, 16], expanded: 96, out: 16, stride: 1, dilation: 2, residual: true }, true, [2]);
});

test.run();
