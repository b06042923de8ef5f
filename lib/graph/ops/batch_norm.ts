import { fail } from '../../errors';
import { activation4, GraphCore, Value } from '../core';

/** Options of {@link Graph.batchNorm}: per-channel weights of shape [C]. */
export interface BatchNormOptions {
  scale: Value;
  offset: Value;
  mean: Value;
  variance: Value;
  epsilon?: number;
  name?: string;
}

/** Inference batch norm; folded into the preceding conv2d at compile. */
export function batchNorm(g: GraphCore, x: Value, o: BatchNormOptions): Value {
  const s = activation4('batchNorm input', x);
  for (const key of ['scale', 'offset', 'mean', 'variance'] as const) {
    const v = o?.[key];
    if (!(v instanceof Value) || v.kind !== 'weight') fail('INVALID_ARGUMENT', `batchNorm.${key} must be a weight Value`);
    if (v.shape.reduce((a, b) => a * b, 1) !== s[3]) fail('SHAPE_MISMATCH', `batchNorm.${key} must have ${s[3]} values`);
  }
  const epsilon = o.epsilon ?? 1e-5;
  if (!(epsilon >= 0)) fail('INVALID_ARGUMENT', `batchNorm.epsilon must be >= 0, got ${epsilon}`);
  return g.addNode('batch_norm', [x, o.scale, o.offset, o.mean, o.variance], { epsilon }, s, 'float32', o.name);
}
