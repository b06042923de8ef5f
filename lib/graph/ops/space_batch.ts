import { fail } from '../../errors';
import { activation4, checkInts, GraphCore, Value } from '../core';

/** Options of {@link Graph.spaceToBatch}. */
export interface SpaceToBatchOptions {
  blockShape: readonly [number, number];
  /** [top, bottom, left, right] */
  pads?: readonly [number, number, number, number];
  name?: string;
}
/** Options of {@link Graph.batchToSpace}. */
export interface BatchToSpaceOptions {
  blockShape: readonly [number, number];
  /** [top, bottom, left, right] */
  crops?: readonly [number, number, number, number];
  name?: string;
}

export function spaceToBatch(g: GraphCore, x: Value, o: SpaceToBatchOptions): Value {
  const [n, h, w, c] = activation4('spaceToBatch input', x);
  const [bh, bw] = checkInts('spaceToBatch.blockShape', o?.blockShape, 2, 1) as [number, number];
  const [t, b, l, r] = checkInts('spaceToBatch.pads', o.pads ?? [0, 0, 0, 0], 4, 0) as [number, number, number, number];
  if ((h + t + b) % bh || (w + l + r) % bw) fail('SHAPE_MISMATCH', `spaceToBatch: padded size ${h + t + b}x${w + l + r} is not divisible by ${bh}x${bw}`);
  return g.addNode('space_to_batch', [x], { blockShape: [bh, bw], pads: [t, b, l, r] },
    [n * bh * bw, (h + t + b) / bh, (w + l + r) / bw, c], 'float32', o.name);
}

export function batchToSpace(g: GraphCore, x: Value, o: BatchToSpaceOptions): Value {
  const [n, h, w, c] = activation4('batchToSpace input', x);
  const [bh, bw] = checkInts('batchToSpace.blockShape', o?.blockShape, 2, 1) as [number, number];
  const [t, b, l, r] = checkInts('batchToSpace.crops', o.crops ?? [0, 0, 0, 0], 4, 0) as [number, number, number, number];
  if (n % (bh * bw)) fail('SHAPE_MISMATCH', `batchToSpace: batch ${n} is not divisible by ${bh}x${bw}`);
  const oh = h * bh - t - b, ow = w * bw - l - r;
  if (oh <= 0 || ow <= 0) fail('SHAPE_MISMATCH', 'batchToSpace: crops remove the whole output');
  return g.addNode('batch_to_space', [x], { blockShape: [bh, bw], crops: [t, b, l, r] }, [n / (bh * bw), oh, ow, c], 'float32', o.name);
}
