import { fail, show } from '../../errors';
import { activation4, GraphCore, Value } from '../core';

/** Channel concat; producers write straight into slices of the output at run time. */
export function concat(g: GraphCore, xs: readonly Value[], name?: string): Value {
  if (!Array.isArray(xs) || xs.length === 0) fail('INVALID_ARGUMENT', `concat needs a non-empty array of values, got ${show(xs)}`);
  const first = activation4('concat input 0', xs[0] as Value);
  let c = 0;
  xs.forEach((x, i) => {
    const s = activation4(`concat input ${i}`, x);
    if (s[0] !== first[0] || s[1] !== first[1] || s[2] !== first[2])
      fail('SHAPE_MISMATCH', `concat input ${i} has shape ${show(s)}, input 0 has ${show(first)} (only channels may differ)`);
    c += s[3];
  });
  return g.addNode('concat', [...xs], { axis: 3 }, [first[0], first[1], first[2], c], 'float32', name);
}
