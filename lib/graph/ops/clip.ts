import { fail } from '../../errors';
import { activation4, GraphCore, Value } from '../core';

/** clamp(x, min, max); relu and relu6 are clips. Fused into the producing conv / add at compile. */
export function clip(g: GraphCore, x: Value, min = -Infinity, max = Infinity, name?: string): Value {
  const s = activation4('clip input', x);
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) fail('INVALID_ARGUMENT', `clip: min (${min}) must be <= max (${max})`);
  const params = { ...(min !== -Infinity ? { min } : {}), ...(max !== Infinity ? { max } : {}) };
  return g.addNode('clip', [x], params, s, 'float32', name);
}
