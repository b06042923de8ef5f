// The graph under construction: values (inputs, weights, node outputs) and nodes.
import { fail, show } from '../errors';

/** Element type of a value. */
export type DType = 'float32' | 'int32';
/** NHWC shape of an activation. */
export type Shape4 = readonly [n: number, h: number, w: number, c: number];
/** A node parameter as it appears in the descriptor. */
export type ParamValue = number | string | boolean | readonly number[];
/** Named node parameters. */
export type Params = Record<string, ParamValue | undefined>;

/** A symbolic tensor in a {@link Graph}: a graph input, a weight, or the output of an op. */
export class Value {
  /** @internal */
  constructor(
    readonly graph: GraphCore,
    /** Index in the graph's value list. */
    readonly id: number,
    /** NHWC for activations; the declared shape for weights. */
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly kind: 'input' | 'weight' | 'node',
    readonly name: string,
  ) {}

  /** The NHWC shape of an activation (throws for weights of other ranks). */
  get shape4(): Shape4 {
    if (this.shape.length !== 4) fail('SHAPE_MISMATCH', `value '${this.name}' has shape ${show(this.shape)}, not NHWC`);
    return this.shape as unknown as Shape4;
  }
  /** Channel count (last dimension). */
  get channels(): number {
    return this.shape[this.shape.length - 1] ?? 1;
  }
}

/** A weight declared in a graph, with its data when known. */
export interface WeightEntry {
  name: string;
  shape: number[];
  data?: Float32Array;
  value: Value;
}

/** A node of a graph under construction. */
export interface NodeEntry {
  op: string;
  name: string;
  inputs: Value[];
  params: Params;
  output: Value;
}

/** The op-independent part of {@link Graph}: values, weights, nodes, outputs. */
export class GraphCore {
  /** @internal */ readonly values: Value[] = [];
  /** @internal */ readonly nodes: NodeEntry[] = [];
  /** @internal */ readonly weightEntries: WeightEntry[] = [];
  /** @internal */ readonly outputList: { name: string; value: Value }[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** A graph input, NHWC float32. */
  input(name: string, shape: readonly [number, number, number, number]): Value {
    if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0))
      fail('INVALID_ARGUMENT', `input '${name}': shape must be [N, H, W, C] of positive integers, got ${show(shape)}`);
    return this.addValue('input', this.uniqueName(name), [...shape], 'float32');
  }

  /**
   * A named weight (parameter). Its data may be given now, or at compile time by name
   * (`compile(graph, {name: data})`), or loaded from safetensors by the zoo.
   */
  weight(name: string, shape: readonly number[], data?: Float32Array): Value {
    if (typeof name !== 'string' || name.length === 0) fail('INVALID_ARGUMENT', `weight name must be a non-empty string, got ${show(name)}`);
    if (this.names.has(name)) fail('INVALID_ARGUMENT', `weight name '${name}' is already used in this graph`);
    if (!Array.isArray(shape) || shape.length > 4 || !shape.every((d) => Number.isInteger(d) && d > 0))
      fail('INVALID_ARGUMENT', `weight '${name}': shape must be up to 4 positive integers, got ${show(shape)}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data !== undefined) {
      if (!(data instanceof Float32Array)) fail('INVALID_ARGUMENT', `weight '${name}': data must be a Float32Array, got ${show(data)}`);
      if (data.length !== size)
        fail('SHAPE_MISMATCH', `weight '${name}': ${data.length} values for shape ${show(shape)} (${size} expected)`);
    }
    this.names.add(name);
    const value = this.addValue('weight', name, [...shape], 'float32');
    this.weightEntries.push({ name, shape: [...shape], data, value });
    return value;
  }

  /** An anonymous constant (a weight with a generated name). */
  constant(data: Float32Array, shape: readonly number[], name?: string): Value {
    return this.weight(name ?? this.uniqueName('const'), shape, data);
  }

  /** Marks `value` as a graph output under `name`. */
  output(name: string, value: Value): void {
    this.own(value, `output '${name}'`);
    if (value.kind === 'weight') fail('INVALID_ARGUMENT', `output '${name}' must not be a weight`);
    if (this.outputList.some((o) => o.name === name)) fail('INVALID_ARGUMENT', `output name '${name}' is used twice`);
    this.outputList.push({ name, value });
  }

  /** The graph inputs, in declaration order. */
  get inputs(): Value[] {
    return this.values.filter((v) => v.kind === 'input');
  }
  /** The graph outputs, in declaration order. */
  get outputs(): readonly { name: string; value: Value }[] {
    return this.outputList;
  }
  /** Every declared weight. */
  get weights(): readonly WeightEntry[] {
    return this.weightEntries;
  }
  /** Nodes in order, for inspection (e.g. checking dilation rates). */
  get nodeList(): readonly NodeEntry[] {
    return this.nodes;
  }

  /** @internal Adds a node; ops call this after validating and inferring the output shape. */
  addNode(op: string, inputs: Value[], params: Params, shape: readonly number[], dtype: DType, name?: string): Value {
    inputs.forEach((v, i) => this.own(v, `${op} input ${i}`));
    const nodeName = this.uniqueName(name ?? op);
    const output = this.addValue('node', nodeName, [...shape], dtype);
    this.nodes.push({ op, name: nodeName, inputs, params, output });
    return output;
  }

  /** @internal Checks a value belongs to this graph. */
  own(v: Value, what: string): void {
    if (!(v instanceof Value) || v.graph !== this) fail('INVALID_ARGUMENT', `${what}: not a value of this graph (${show(v)})`);
  }

  private addValue(kind: Value['kind'], name: string, shape: number[], dtype: DType): Value {
    const v = new Value(this, this.values.length, shape, dtype, kind, name);
    this.values.push(v);
    return v;
  }

  private uniqueName(base: string): string {
    if (!this.names.has(base)) {
      this.names.add(base);
      return base;
    }
    let i = this.counters.get(base) ?? 1;
    while (this.names.has(`${base}_${i}`)) i++;
    this.counters.set(base, i + 1);
    const name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }
}

// ---- small validation helpers shared by the ops ----

/** @internal */
export function checkInts(what: string, v: unknown, count: number, min: number): number[] {
  if (!Array.isArray(v) || v.length !== count || !v.every((x) => Number.isInteger(x) && x >= min))
    fail('INVALID_ARGUMENT', `${what} must be ${count} integers >= ${min}, got ${show(v)}`);
  return v as number[];
}

/** @internal */
export function pair(what: string, v: number | readonly [number, number] | undefined, fallback: number, min: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  if (typeof v === 'number') return checkInts(what, [v, v], 2, min) as [number, number];
  return checkInts(what, v, 2, min) as [number, number];
}

/** @internal */
export function activation4(what: string, v: Value): Shape4 {
  if (v.kind === 'weight' || v.shape.length !== 4) fail('SHAPE_MISMATCH', `${what}: expected an NHWC activation, got ${v.kind} of shape ${show(v.shape)}`);
  if (v.dtype !== 'float32') fail('INVALID_ARGUMENT', `${what}: expected float32, got ${v.dtype}`);
  return v.shape as unknown as Shape4;
}

/** Convolution / pooling padding: TF 'same', 'valid', or explicit [top, bottom, left, right]. */
export type Padding = 'same' | 'valid' | readonly [top: number, bottom: number, left: number, right: number];
/** Activation fused into an op. */
export type Activation = 'none' | 'relu' | 'relu6';

/** @internal */
export function paddingParams(what: string, p: Padding | undefined, fallback: 'same' | 'valid'): Params {
  const v = p ?? fallback;
  if (v === 'same' || v === 'valid') return { padding: v };
  return { padding: 'explicit', pads: checkInts(`${what}.padding`, v, 4, 0) };
}

/** @internal */
export function checkActivation(what: string, a: Activation | undefined): Activation {
  const v = a ?? 'none';
  if (v !== 'none' && v !== 'relu' && v !== 'relu6') fail('INVALID_ARGUMENT', `${what}.activation must be 'none', 'relu' or 'relu6', got ${show(a)}`);
  return v;
}

/** Output size of a sliding window along one axis, as the native shape inference computes it. */
export function windowOut(inSize: number, k: number, stride: number, dilation: number, padding: Params, axis: 0 | 1): number {
  const ek = (k - 1) * dilation + 1;
  if (padding.padding === 'same') return Math.ceil(inSize / stride);
  const pads = (padding.pads as number[] | undefined) ?? [0, 0, 0, 0];
  const padded = inSize + (axis === 0 ? pads[0] + pads[1] : pads[2] + pads[3]);
  if (padded < ek) fail('SHAPE_MISMATCH', `window ${ek} (kernel with dilation) is larger than the padded input ${padded}`);
  return Math.floor((padded - ek) / stride) + 1;
}
