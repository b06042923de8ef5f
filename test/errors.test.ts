// Bad calls reject (or throw) with AtrousError and the right code; nothing crashes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { AtrousError, compile, ErrorCode, Graph, GraphDescriptor, toDescriptor } from '../lib/index';
import { fromNative } from '../lib/errors';
import { native } from '../lib/native';

async function expectCode(code: ErrorCode, fn: () => unknown, what: string): Promise<AtrousError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof AtrousError, `${what}: expected AtrousError, got ${String(err)}`);
  assert.is((err as AtrousError).code, code, `${what}: ${(err as AtrousError).message}`);
  return err as AtrousError;
}

function tinyGraph(): Graph {
  const g = new Graph();
  const x = g.input('x', [1, 8, 8, 2]);
  g.output('y', g.conv2d(x, { weight: g.weight('w', [3, 3, 3, 2], new Float32Array(54).fill(0.1)), padding: 'same' }));
  return g;
}

// Native-level calls with a hand-edited descriptor, bypassing TS validation, to prove C++ re-validates.
async function compileRaw(edit: (d: GraphDescriptor) => void, weights?: { shape: number[]; data: Float32Array }[]) {
  const d = toDescriptor(tinyGraph());
  edit(d);
  try {
    return await native().compile(d, weights ?? [{ shape: [3, 3, 3, 2], data: new Float32Array(54).fill(0.1) }], {});
  } catch (e) {
    throw fromNative(e);
  }
}

test('builder rejects bad arguments synchronously', async () => {
  const g = new Graph();
  const x = g.input('x', [1, 8, 8, 2]);
  await expectCode('INVALID_ARGUMENT', () => g.input('bad', [1, 0, 8, 2] as [number, number, number, number]), 'zero-size input');
  await expectCode('INVALID_ARGUMENT', () => g.conv2d(x, { weight: g.weight('w1', [3, 3, 3, 2]), dilations: -2 }), 'negative dilation');
  await expectCode('SHAPE_MISMATCH', () => g.conv2d(x, { weight: g.weight('w2', [3, 3, 3, 5]) }), 'channel mismatch');
  await expectCode('SHAPE_MISMATCH', () => g.conv2d(x, { weight: g.weight('w3', [4, 3, 3, 1]), groups: 3 }), 'groups not dividing');
  await expectCode('SHAPE_MISMATCH', () => g.add(x, g.input('z', [1, 4, 4, 2])), 'non-broadcastable add');
  await expectCode('SHAPE_MISMATCH', () => g.weight('w5', [2], new Float32Array(3)), 'weight data length');
  await expectCode('INVALID_ARGUMENT', () => g.resizeBilinear(x, { size: [4, 4], coordinateMode: 'bogus' as 'half_pixel' }), 'unknown resize mode');
  await expectCode('SHAPE_MISMATCH', () => g.conv2d(x, { weight: g.weight('w6', [1, 9, 9, 2]), dilations: 2 }), 'window larger than input');
  const other = new Graph();
  await expectCode('INVALID_ARGUMENT', () => other.relu(x), 'value of another graph');
});

test('compile and run reject bad inputs with the right codes', async () => {
  const g = tinyGraph();
  await expectCode('INVALID_ARGUMENT', () => compile(new Graph()), 'graph without outputs');
  await expectCode('INVALID_ARGUMENT', () => compile(g, { nope: new Float32Array(1) }), 'unknown weight name');
  const g2 = new Graph();
  const x2 = g2.input('x', [1, 4, 4, 1]);
  g2.output('y', g2.conv2d(x2, { weight: g2.weight('w', [1, 1, 1, 1]) }));
  await expectCode('INVALID_ARGUMENT', () => compile(g2), 'missing weight data');
  await expectCode('INVALID_ARGUMENT', () => compile(g2, { w: new Float32Array([Number.NaN]) }), 'NaN weight');
  await expectCode('INVALID_ARGUMENT', () => compile(g, undefined, { threads: -1 }), 'negative threads');
  const model = await compile(g, undefined, { threads: 1 });
  await expectCode('SHAPE_MISMATCH', () => model.run(new Float32Array(5)), 'wrong input size');
  await expectCode('INVALID_ARGUMENT', () => model.run(new Float64Array(128) as unknown as Float32Array), 'wrong input dtype');
  await expectCode('INVALID_ARGUMENT', () => model.run({ nope: new Float32Array(128) }), 'unknown input name');
  await expectCode('INVALID_ARGUMENT', () => model.run(new Float32Array(128), { signal: {} as AbortSignal }), 'bad signal');
  const ok = await model.run(new Float32Array(128).fill(1));
  assert.is(ok.y!.data.length, 8 * 8 * 3);
  model.dispose();
  await expectCode('DISPOSED', () => model.run(new Float32Array(128)), 'disposed model');
});

test('the native side re-validates descriptors (no crash on hostile data)', async () => {
  await expectCode('UNSUPPORTED', () => compileRaw((d) => { d.nodes[0]!.op = 'teleport'; }), 'unknown op');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { d.nodes[0]!.params.dilations = [-1, 2]; }), 'negative dilation natively');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { d.nodes[0]!.params.groups = 0; }), 'zero groups natively');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { d.nodes[0]!.params.padding = 'sideways'; }), 'bad padding enum');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { d.nodes[0]!.inputs = [0, 99]; }), 'dangling input');
  await expectCode('UNSUPPORTED', () => compileRaw((d) => { d.version = 99; }), 'descriptor version');
  await expectCode('SHAPE_MISMATCH', () => compileRaw(() => undefined, [{ shape: [3, 3, 3, 2], data: new Float32Array(7) }]), 'short weight data');
  await expectCode('SHAPE_MISMATCH', () => compileRaw((d) => { (d.values[0] as { shape: number[] }).shape = [1, 0, 8, 2]; }), 'zero-size tensor');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { d.nodes[0]!.params.bogus = 1; }), 'unknown param');
  await expectCode('INVALID_ARGUMENT', () => compileRaw((d) => { (d as unknown as { values: unknown }).values = 'x'; }), 'malformed descriptor');
  await expectCode('SHAPE_MISMATCH', () => compileRaw((d) => { (d.values[0] as { shape: number[] }).shape = [1, 1 << 20, 1 << 20, 64]; }), 'oversized tensor');
});

test('errors point at the caller and name the argument', async () => {
  const g = tinyGraph();
  const model = await compile(g, undefined, { threads: 1 });
  const err = await expectCode('SHAPE_MISMATCH', () => model.run(new Float32Array(3)), 'stack');
  assert.match(err.message, /input 'x'/);
  assert.match(String(err.stack), /errors\.test\.ts/);
  assert.not.match(String(err.stack).split('\n')[1] ?? '', /lib[\\/]model\.ts/);
  model.dispose();
});

test.run();
