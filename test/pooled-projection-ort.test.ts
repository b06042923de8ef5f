// DeepLab's image pooling: a 1x1 map resized to every pixel, concatenated with other branches and
// projected by a conv. On the CPU, compile() takes the pooled branch out of the projection (a 1x1
// conv on the 1x1 map + a broadcast add); the results must still match onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, Graph } from '../lib/index';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, ohwiToOihw, OnnxNodeSpec, seededRandom, writeOnnx } from './helpers/onnx-writer';

const TOL = 1e-4;

interface HeadSpec {
  shape: [number, number, number, number]; // NHWC input
  branches: number; // 1x1 conv branches besides the pooled one
  pooledAt: number; // the pooled branch's place in the concat
  projectKernel: 1 | 3;
}

async function checkHead(s: HeadSpec): Promise<string[]> {
  const g = new Graph();
  const nodes: OnnxNodeSpec[] = [];
  const inits: { name: string; shape: number[]; data: Float32Array }[] = [];
  let seed = 500;
  const [n, h, w, c] = s.shape;
  const conv = (x: ReturnType<Graph['input']>, xName: string, name: string, ohwi: [number, number, number, number]) => {
    const wt = seededRandom(ohwi.reduce((a, b) => a * b, 1), seed++, -0.5, 0.5);
    const b = seededRandom(ohwi[0], seed++, -0.3, 0.3);
    const pad = ohwi[1] >> 1;
    const y = g.conv2d(x, { weight: g.weight(`${name}.w`, ohwi, wt), bias: g.weight(`${name}.b`, [ohwi[0]], b), padding: [pad, pad, pad, pad], activation: 'relu', name });
    inits.push({ name: `${name}.w`, shape: [ohwi[0], ohwi[3], ohwi[1], ohwi[2]], data: ohwiToOihw(wt, ohwi) });
    inits.push({ name: `${name}.b`, shape: [ohwi[0]], data: b });
    nodes.push({ op: 'Conv', inputs: [xName, `${name}.w`, `${name}.b`], outputs: [`${name}.pre`], attrs: { pads: [pad, pad, pad, pad], kernel_shape: [ohwi[1], ohwi[2]] } });
    nodes.push({ op: 'Relu', inputs: [`${name}.pre`], outputs: [name] });
    return y;
  };
  const x = g.input('x', s.shape);
  const parts: ReturnType<Graph['input']>[] = [];
  const names: string[] = [];
  for (let i = 0; i < s.branches; i++) {
    parts.push(conv(x, 'x', `branch${i}`, [8 + 4 * i, 1, 1, c]));
    names.push(`branch${i}`);
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['pooled'] });
  const pooled = conv(g.globalAvgPool(x), 'pooled', 'pool_conv', [16, 1, 1, c]);
  parts.splice(s.pooledAt, 0, g.resizeBilinear(pooled, { size: [h, w], coordinateMode: 'align_corners' }));
  names.splice(s.pooledAt, 0, 'pool_up');
  inits.push({ name: 'roi', shape: [0], data: new Float32Array(0) });
  inits.push({ name: 'scales', shape: [4], data: new Float32Array([1, 1, h, w]) });
  nodes.push({ op: 'Resize', inputs: ['pool_conv', 'roi', 'scales'], outputs: ['pool_up'], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' } });
  nodes.push({ op: 'Concat', inputs: names, outputs: ['cat'], attrs: { axis: 1 } });
  const catChannels = 16 + Array.from({ length: s.branches }, (_, i) => 8 + 4 * i).reduce((a, b) => a + b, 0);
  g.output('y', conv(g.concat(parts), 'cat', 'project', [12, s.projectKernel, s.projectKernel, catChannels]));
  nodes.push({ op: 'Identity', inputs: ['project'], outputs: ['y'] });
  const bytes = writeOnnx({ inputs: [{ name: 'x', shape: [n, c, h, w] }], outputs: [{ name: 'y' }], initializers: inits, nodes });

  const input = seededRandom(s.shape.reduce((a, b) => a * b, 1), 31);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const ref = await session.run({ x: new ort.Tensor('float32', nhwcToNchw(input, s.shape), [n, c, h, w]) });
  const model = await compile(g, undefined, { threads: 2 });
  const ours = await model.run(input, { profile: true });
  const diff = maxAbsDiff(ours.y!.data, nchwToNhwc(ref.y!.data as Float32Array, ref.y!.dims as number[]));
  assert.ok(diff <= TOL, `${JSON.stringify(s)}: max abs diff ${diff}`);
  model.dispose();
  return (ours.profile ?? []).map((p) => p.op);
}

test('the pooled branch leaves a 1x1 projection (first, middle or last in the concat) and results match', async () => {
  for (const [branches, pooledAt] of [[1, 0], [3, 1], [2, 2]] as const)
    for (const batch of [1, 2]) {
      const ops = await checkHead({ shape: [batch, 13, 11, 6], branches, pooledAt, projectKernel: 1 });
      assert.ok(!ops.includes('resize_bilinear'), `no broadcast left: ${ops.join(', ')}`);
      assert.is(ops.filter((o) => o === 'concat').length, branches > 1 ? 1 : 0, `concat of the other branches: ${ops.join(', ')}`);
      assert.ok(ops.includes('add'), `the pooled term is added: ${ops.join(', ')}`);
    }
});

test('a 3x3 projection over the concat keeps the broadcast and matches', async () => {
  const ops = await checkHead({ shape: [1, 9, 10, 5], branches: 2, pooledAt: 1, projectKernel: 3 });
  assert.ok(ops.includes('resize_bilinear'), ops.join(', '));
});

test.run();
