import { fail, show } from '../../errors';
import { activation4, GraphCore, Value } from '../core';

/** Options of {@link Graph.fakeQuant}: the quantization grid of an activation. */
export interface FakeQuantOptions {
  scale: number;
  zeroPoint?: number;
  /** Quantized range, e.g. [0, 255] for uint8, [-128, 127] for int8. */
  range?: readonly [number, number];
  name?: string;
}

/** (clamp(round(x / scale) + zeroPoint, qmin, qmax) - zeroPoint) * scale: a quantized activation simulated in float. */
export function fakeQuant(g: GraphCore, x: Value, o: FakeQuantOptions): Value {
  const s = activation4('fakeQuant input', x);
  const [qmin, qmax] = o?.range ?? [0, 255];
  const zeroPoint = o?.zeroPoint ?? 0;
  if (!(o?.scale > 0) || !Number.isFinite(o.scale)) fail('INVALID_ARGUMENT', `fakeQuant.scale must be a positive finite number, got ${show(o?.scale)}`);
  if (!Number.isFinite(qmin) || !Number.isFinite(qmax) || qmin > qmax || !Number.isFinite(zeroPoint))
    fail('INVALID_ARGUMENT', `fakeQuant: range ${show(o.range)} and zeroPoint ${show(o.zeroPoint)} must be finite with min <= max`);
  return g.addNode('fake_quant', [x], { scale: o.scale, zeroPoint, qmin, qmax }, s, 'float32', o.name);
}
