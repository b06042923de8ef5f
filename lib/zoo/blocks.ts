// Reusable DeepLab building blocks. Every block takes a ZooBuilder (graph + naming conventions) and
// declares its weights by torchvision-like names: `<name>.weight` (conv, OHWI) and BN
// `<name>.{weight,bias,running_mean,running_var}`.
import { fail, show } from '../errors';
import { CoordinateMode, Graph, Value } from '../graph/builder';

/** How a family of networks pads and resizes: PyTorch-style nets pad symmetrically, TF-style use 'same'. */
export interface BuilderStyle {
  /** 'symmetric' = pad (k-1)·rate/2 on each side (PyTorch/Caffe); 'same' = TF SAME. */
  padding: 'symmetric' | 'same';
  /** Coordinate mode of the bilinear upsampling. */
  resize: CoordinateMode;
  /** BatchNorm epsilon. */
  epsilon: number;
}

/** torchvision conventions: BN epsilon 1e-5, state_dict naming. */
export const TORCH_STYLE: BuilderStyle = { padding: 'symmetric', resize: 'half_pixel', epsilon: 1e-5 };
/** TF DeepLab conventions: BN epsilon 1e-3, TF variable naming. */
export const TF_STYLE: BuilderStyle = { padding: 'same', resize: 'align_corners', epsilon: 1e-3 };

/** A graph plus the conventions its blocks follow. */
export class ZooBuilder {
  constructor(readonly graph: Graph, public style: BuilderStyle) {}
  /** Runs `fn` with a different style (e.g. a TF head on a PyTorch backbone), then restores it. */
  withStyle<T>(style: Partial<BuilderStyle>, fn: () => T): T {
    const saved = this.style;
    this.style = { ...saved, ...style };
    try {
      return fn();
    } finally {
      this.style = saved;
    }
  }
}

/** Activation after a zoo block: none, ReLU or ReLU6. */
export type BlockActivation = 'none' | 'relu' | 'relu6';

/** Options of a zoo convolution. */
export interface ConvOptions {
  /** Weight prefix: declares `<name>.weight` (and `<name>.bias` when `bias`). */
  name: string;
  out: number;
  kernel?: number;
  stride?: number;
  /** Atrous rate (dilation). */
  rate?: number;
  /** 1 = dense; 'depthwise' = one filter per input channel. */
  groups?: number | 'depthwise';
  bias?: boolean;
  activation?: BlockActivation;
}

function positiveInt(what: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) fail('INVALID_ARGUMENT', `${what} must be a positive integer, got ${show(v)}`);
  return v as number;
}

/** Convolution (atrous when rate > 1) with the builder's padding convention. */
export function conv(b: ZooBuilder, x: Value, o: ConvOptions): Value {
  const k = positiveInt(`${o.name}: kernel`, o.kernel ?? 1);
  const stride = positiveInt(`${o.name}: stride`, o.stride ?? 1);
  const rate = positiveInt(`${o.name}: rate`, o.rate ?? 1);
  const cin = x.channels;
  const groups = o.groups === 'depthwise' ? cin : positiveInt(`${o.name}: groups`, o.groups ?? 1);
  const out = positiveInt(`${o.name}: out`, o.out);
  const weight = b.graph.weight(`${o.name}.weight`, [out, k, k, cin / groups]);
  const bias = o.bias ? b.graph.weight(`${o.name}.bias`, [out]) : undefined;
  const p = ((k - 1) * rate) / 2;
  if (b.style.padding === 'symmetric' && !Number.isInteger(p)) fail('INVALID_ARGUMENT', `${o.name}: symmetric padding needs an odd kernel`);
  const padding = b.style.padding === 'same' ? 'same' : ([p, p, p, p] as const);
  return b.graph.conv2d(x, { weight, bias, strides: stride, dilations: rate, padding, groups, activation: o.activation ?? 'none', name: o.name });
}

/** Atrous convolution: a k×k conv with dilation `rate` (k defaults to 3). */
export function atrousConv(b: ZooBuilder, x: Value, o: ConvOptions & { rate: number }): Value {
  return conv(b, x, { kernel: 3, ...o });
}

/** Inference BatchNorm with torchvision parameter names under `name`. */
export function batchNorm(b: ZooBuilder, x: Value, name: string): Value {
  const c = x.channels, g = b.graph;
  return g.batchNorm(x, {
    scale: g.weight(`${name}.weight`, [c]),
    offset: g.weight(`${name}.bias`, [c]),
    mean: g.weight(`${name}.running_mean`, [c]),
    variance: g.weight(`${name}.running_var`, [c]),
    epsilon: b.style.epsilon,
    name,
  });
}

export function act(b: ZooBuilder, x: Value, a: BlockActivation | undefined): Value {
  return b.graph.activation(x, a ?? 'none');
}

/** Options of a convolution followed by batch norm and an activation. */
export interface ConvBnOptions extends Omit<ConvOptions, 'bias' | 'activation'> {
  /** BN prefix (default `<name>_bn`). */
  bnName?: string;
  activation?: BlockActivation;
}

/** conv (no bias) → BN → activation (default ReLU). */
export function convBnRelu(b: ZooBuilder, x: Value, o: ConvBnOptions): Value {
  const y = batchNorm(b, conv(b, x, { ...o, bias: false, activation: 'none' }), o.bnName ?? `${o.name}_bn`);
  return act(b, y, o.activation ?? 'relu');
}

/** Options of an atrous separable convolution (depthwise with dilation, then pointwise). */
export interface SeparableConvOptions {
  /** Prefix: `<name>.depthwise`, `<name>.depthwise_bn`, `<name>.pointwise`, `<name>.pointwise_bn`. */
  name: string;
  out: number;
  kernel?: number;
  stride?: number;
  rate?: number;
  /**
   * Xception / DeepLab v3+ placement: true = BN + ReLU after the depthwise and after the pointwise
   * conv (MobileNet style, used by the v3+ ASPP/decoder and Xception's last exit-flow block);
   * false = BN only, no activation inside (the caller applies ReLU before the block).
   */
  activationInside?: boolean;
  activation?: BlockActivation;
}

/** Atrous separable conv: depthwise k×k with dilation → BN [→ ReLU] → pointwise 1×1 → BN [→ ReLU]. */
export function separableConv(b: ZooBuilder, x: Value, o: SeparableConvOptions): Value {
  const inside = o.activationInside ?? true;
  const a: BlockActivation = inside ? o.activation ?? 'relu' : 'none';
  let y = conv(b, x, { name: `${o.name}.depthwise`, out: x.channels, kernel: o.kernel ?? 3, stride: o.stride, rate: o.rate, groups: 'depthwise' });
  y = act(b, batchNorm(b, y, `${o.name}.depthwise_bn`), a);
  y = conv(b, y, { name: `${o.name}.pointwise`, out: o.out });
  return act(b, batchNorm(b, y, `${o.name}.pointwise_bn`), a);
}

/** Bilinear resize to `size` with the builder's coordinate convention. */
export function upsample(b: ZooBuilder, x: Value, size: readonly [number, number], name?: string): Value {
  const [, h, w] = x.shape4;
  if (h === size[0] && w === size[1]) return x;
  return b.graph.resizeBilinear(x, { size, coordinateMode: b.style.resize, name });
}

/** Spatial size after a stride-s window with 'same'/symmetric padding: ceil(n / s). */
export function strided(n: number, s: number): number {
  return Math.floor((n - 1) / s) + 1;
}
