import { fail, show } from '../../errors';
import { Activation, checkActivation, GraphCore, Value } from '../core';

/** Options of {@link Graph.add}, {@link Graph.sub} and {@link Graph.mul}. */
export interface BinaryOptions {
  activation?: Activation;
  name?: string;
}

/** NHWC broadcast of two shapes (right-aligned, size-1 dimensions repeat). */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const pa = [1, 1, 1, 1, ...a].slice(-4), pb = [1, 1, 1, 1, ...b].slice(-4);
  return pa.map((d, i) => {
    const e = pb[i] as number;
    if (d !== e && d !== 1 && e !== 1) fail('SHAPE_MISMATCH', `${op}: shapes ${show(a)} and ${show(b)} do not broadcast`);
    return d === 1 ? e : d;
  });
}

export function binary(g: GraphCore, op: 'add' | 'sub' | 'mul', a: Value, b: Value, o: BinaryOptions = {}): Value {
  g.own(a, `${op} input 0`);
  g.own(b, `${op} input 1`);
  if (a.kind === 'weight' && b.kind === 'weight') fail('UNSUPPORTED', `${op}: both inputs are weights; fold them before building the graph`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') fail('INVALID_ARGUMENT', `${op}: inputs must be float32`);
  const shape = broadcastShape(op, a.shape, b.shape);
  return g.addNode(op, [a, b], { activation: checkActivation(op, o.activation) }, shape, 'float32', o.name);
}
