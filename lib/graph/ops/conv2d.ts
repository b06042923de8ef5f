import { fail, show } from '../../errors';
import { Activation, activation4, checkActivation, GraphCore, pair, Padding, paddingParams, Value, windowOut } from '../core';

/** Options of {@link Graph.conv2d}. */
export interface Conv2dOptions {
  /** Weight value, shape [Cout, KH, KW, Cin/groups] (OHWI). */
  weight: Value;
  /** Optional bias, shape [Cout]. */
  bias?: Value;
  strides?: number | readonly [number, number];
  /** Atrous rate(s). */
  dilations?: number | readonly [number, number];
  /** 'same' (TF), 'valid', or explicit [top, bottom, left, right]. Default 'valid'. */
  padding?: Padding;
  /** 1 = dense; Cin = depthwise (Cout = Cin × multiplier); anything dividing Cin = grouped. */
  groups?: number;
  activation?: Activation;
  name?: string;
}

export function conv2d(g: GraphCore, x: Value, o: Conv2dOptions): Value {
  const [n, h, w, c] = activation4('conv2d input', x);
  if (!o || !(o.weight instanceof Value)) fail('INVALID_ARGUMENT', `conv2d: options.weight must be a weight Value, got ${show(o?.weight)}`);
  const ws = o.weight.shape;
  if (ws.length !== 4) fail('SHAPE_MISMATCH', `conv2d weight '${o.weight.name}' must be [Cout, KH, KW, Cin/groups], got ${show(ws)}`);
  const [cout, kh, kw, cinG] = ws as [number, number, number, number];
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) fail('INVALID_ARGUMENT', `conv2d.groups must be a positive integer, got ${show(o.groups)}`);
  if (c % groups !== 0 || cinG * groups !== c)
    fail('SHAPE_MISMATCH', `conv2d: input has ${c} channels; weight ${show(ws)} with groups ${groups} expects ${cinG * groups}`);
  if (cout % groups !== 0) fail('SHAPE_MISMATCH', `conv2d: ${cout} output channels are not divisible by groups ${groups}`);
  if (o.bias && (o.bias.shape.reduce((a, b) => a * b, 1) !== cout))
    fail('SHAPE_MISMATCH', `conv2d bias '${o.bias.name}' must have ${cout} values, got shape ${show(o.bias.shape)}`);
  const strides = pair('conv2d.strides', o.strides, 1, 1);
  const dilations = pair('conv2d.dilations', o.dilations, 1, 1);
  const padding = paddingParams('conv2d', o.padding, 'valid');
  const oh = windowOut(h, kh, strides[0], dilations[0], padding, 0);
  const ow = windowOut(w, kw, strides[1], dilations[1], padding, 1);
  const inputs = o.bias ? [x, o.weight, o.bias] : [x, o.weight];
  return g.addNode('conv2d', inputs, { strides, dilations, ...padding, groups, activation: checkActivation('conv2d', o.activation) },
    [n, oh, ow, cout], 'float32', o.name);
}
