// Conv-heavy graph (MobileNetV2-style inverted residual blocks with dilated depthwise convs, then
// an ASPP-like head of 1x1 and dilated 3x3 convs at 65x65): atrous (Graph builder) vs
// onnxruntime-node (the same graph written as ONNX), one process, 2 threads each.
//   npx tsx bench/conv.ts [runs]
import * as ort from 'onnxruntime-node';

import { compile, Graph, Value } from '../lib/index';
import { maxAbsDiff, nchwToNhwc, nhwcToNchw, ohwiToOihw, OnnxNodeSpec, seededRandom, writeOnnx } from '../test/helpers/onnx-writer';
import { medianMs, row } from './util';

const THREADS = 2;
const SIZE = 65;
const CHANNELS = 128;

/** Builds the atrous graph and its ONNX twin node by node. */
class Twin {
  readonly g = new Graph();
  readonly nodes: OnnxNodeSpec[] = [];
  readonly inits: { name: string; shape: number[]; data: Float32Array }[] = [];
  private seed = 1;
  macs = 0;

  conv(x: Value, xName: string, name: string, o: { cout: number; k: number; dilation?: number; depthwise?: boolean; act?: 'relu' | 'relu6' }): [Value, string] {
    const cin = x.shape[3] as number;
    const groups = o.depthwise ? cin : 1;
    const wShape = [o.cout, o.k, o.k, cin / groups];
    const count = wShape.reduce((a, b) => a * b, 1);
    const scale = Math.sqrt(3 / (o.k * o.k * (cin / groups)));  // keeps activations O(1) layer after layer
    const w = seededRandom(count, this.seed++, -scale, scale);
    const b = seededRandom(o.cout, this.seed++, -0.1, 0.1);
    const dilation = o.dilation ?? 1;
    const y = this.g.conv2d(x, {
      weight: this.g.weight(`${name}.w`, wShape, w), bias: this.g.weight(`${name}.b`, [o.cout], b),
      dilations: dilation, padding: 'same', groups, activation: o.act ?? 'none', name,
    });
    this.macs += (y.shape[1] as number) * (y.shape[2] as number) * o.cout * o.k * o.k * (cin / groups);
    this.inits.push({ name: `${name}.w`, shape: [o.cout, cin / groups, o.k, o.k], data: ohwiToOihw(w, wShape) });
    this.inits.push({ name: `${name}.b`, shape: [o.cout], data: b });
    const pad = ((o.k - 1) * dilation) / 2;
    const raw = o.act ? `${name}.pre` : name;
    this.nodes.push({ op: 'Conv', inputs: [xName, `${name}.w`, `${name}.b`], outputs: [raw],
      attrs: { dilations: [dilation, dilation], group: groups, pads: [pad, pad, pad, pad], strides: [1, 1], kernel_shape: [o.k, o.k] } });
    if (o.act === 'relu') this.nodes.push({ op: 'Relu', inputs: [raw], outputs: [name] });
    if (o.act === 'relu6') this.nodes.push({ op: 'Clip', inputs: [raw, 'zero', 'six'], outputs: [name] });
    return [y, name];
  }

  /** Inverted residual: 1x1 expand (relu6), dilated depthwise 3x3 (relu6), 1x1 project, + input. */
  block(x: Value, xName: string, name: string, expand: number, dilation: number): [Value, string] {
    const cin = x.shape[3] as number;
    const [e, en] = this.conv(x, xName, `${name}.expand`, { cout: cin * expand, k: 1, act: 'relu6' });
    const [d, dn] = this.conv(e, en, `${name}.dw`, { cout: cin * expand, k: 3, dilation, depthwise: true, act: 'relu6' });
    const [p, pn] = this.conv(d, dn, `${name}.project`, { cout: cin, k: 1 });
    this.nodes.push({ op: 'Add', inputs: [pn, xName], outputs: [`${name}.out`] });
    return [this.g.add(p, x), `${name}.out`];
  }
}

function build(): { twin: Twin; onnx: Uint8Array } {
  const t = new Twin();
  t.inits.push({ name: 'zero', shape: [], data: new Float32Array([0]) });
  t.inits.push({ name: 'six', shape: [], data: new Float32Array([6]) });
  const x = t.g.input('x', [1, SIZE, SIZE, CHANNELS]);
  let [h, hn] = t.block(x, 'x', 'b1', 3, 2);
  [h, hn] = t.block(h, hn, 'b2', 3, 4);
  // ASPP-like head: 1x1 and three atrous 3x3 branches, concat, 1x1.
  const branches: [Value, string][] = [t.conv(h, hn, 'aspp0', { cout: 32, k: 1, act: 'relu' })];
  for (const rate of [6, 12, 18]) branches.push(t.conv(h, hn, `aspp${rate}`, { cout: 32, k: 3, dilation: rate, act: 'relu' }));
  const cat = t.g.concat(branches.map((b) => b[0]));
  t.nodes.push({ op: 'Concat', inputs: branches.map((b) => b[1]), outputs: ['cat'], attrs: { axis: 1 } });
  const [y] = t.conv(cat, 'cat', 'y', { cout: 64, k: 1, act: 'relu' });
  t.g.output('y', y);
  const onnx = writeOnnx({
    inputs: [{ name: 'x', shape: [1, CHANNELS, SIZE, SIZE] }], outputs: [{ name: 'y' }], initializers: t.inits, nodes: t.nodes,
  });
  return { twin: t, onnx };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  const { twin, onnx } = build();
  const shape = [1, SIZE, SIZE, CHANNELS];
  const input = seededRandom(SIZE * SIZE * CHANNELS, 42);
  const model = await compile(twin.g, undefined, { threads: THREADS });
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: THREADS, interOpNumThreads: 1 });
  const feeds = { x: new ort.Tensor('float32', nhwcToNchw(input, shape), [1, CHANNELS, SIZE, SIZE]) };

  // Same answer first, so the timing compares equal work.
  const ours = (await model.run(input)).y!;
  const ref = (await session.run(feeds)).y!;
  const diff = maxAbsDiff(ours.data, nchwToNhwc(ref.data as Float32Array, ref.dims as number[]));

  const a = await medianMs(() => model.run(input), runs);
  const b = await medianMs(() => session.run(feeds), runs);
  console.log(`conv graph ${SIZE}x${SIZE}x${CHANNELS}: ${(twin.macs / 1e9).toFixed(2)} GMAC, ${THREADS} threads, median of ${runs} runs, max |diff| ${diff.toExponential(2)}`);
  console.log(row([`atrous ${a.toFixed(2)} ms`, `onnxruntime-node ${b.toFixed(2)} ms`, `ratio ${(a / b).toFixed(3)}`,
    `atrous ${((2 * twin.macs) / a / 1e6).toFixed(1)} GFLOP/s`]));
  const prof = await model.run(input, { profile: true });
  const byOp = new Map<string, number>();
  for (const p of prof.profile ?? []) byOp.set(p.node, (byOp.get(p.node) ?? 0) + p.ms);
  console.log('  per node (one profiled run): ' + [...byOp].map(([n, ms]) => `${n} ${ms.toFixed(2)}`).join(', '));
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
