import { fail, show } from '../../errors';
import { activation4, checkInts, GraphCore, Value } from '../core';

/** Options of {@link Graph.pad}. */
export interface PadOptions {
  /** [top, bottom, left, right] */
  pads: readonly [number, number, number, number];
  mode?: 'constant' | 'reflect' | 'edge';
  /** Fill value for mode 'constant' (default 0). */
  value?: number;
  name?: string;
}

export function pad(g: GraphCore, x: Value, o: PadOptions): Value {
  const [n, h, w, c] = activation4('pad input', x);
  const [t, b, l, r] = checkInts('pad.pads', o?.pads, 4, 0) as [number, number, number, number];
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'edge'].includes(mode)) fail('INVALID_ARGUMENT', `pad.mode must be constant, reflect or edge, got ${show(mode)}`);
  if (mode === 'reflect' && (t >= h || b >= h || l >= w || r >= w)) fail('INVALID_ARGUMENT', `pad: reflect padding must be smaller than the input (${h}x${w})`);
  const value = o.value ?? 0;
  if (!Number.isFinite(value)) fail('INVALID_ARGUMENT', `pad.value must be finite, got ${value}`);
  return g.addNode('pad', [x], { pads: [t, b, l, r], mode, value }, [n, h + t + b, w + l + r, c], 'float32', o.name);
}
