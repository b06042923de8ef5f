// Writes small ONNX models (NCHW, as ONNX defines its ops) for onnxruntime-node oracle tests and benches.
// The caller describes nodes directly in ONNX terms; weights are given in ONNX layouts.
import { modelProtoType, OnnxDataType } from '../../lib/import/onnx/schema';

export type OnnxAttr = number | string | number[] | { floats: number[] } | { float: number };

export interface OnnxNodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
}

export interface OnnxModelSpec {
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape?: number[]; elemType?: number }[];
  initializers: { name: string; shape: number[]; data: Float32Array | BigInt64Array }[];
  nodes: OnnxNodeSpec[];
  opset?: number;
}

function attribute(name: string, v: OnnxAttr): Record<string, unknown> {
  // AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === 'string') return { name, type: 3, s: Buffer.from(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('float' in v) return { name, type: 1, f: v.float };
  return { name, type: 6, floats: v.floats };
}

function valueInfo(name: string, shape: number[] | undefined, elemType: number = OnnxDataType.FLOAT) {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, ...(shape ? { shape: { dim: shape.map((d) => ({ dim_value: d })) } } : {}) } },
  };
}

/** Encodes the spec as an ONNX ModelProto. */
export function writeOnnx(spec: OnnxModelSpec): Uint8Array {
  const type = modelProtoType();
  const model = {
    ir_version: 7,
    producer_name: 'atrous-tests',
    opset_import: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: `n${i}`,
        op_type: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: spec.initializers.map((t) => ({
        name: t.name,
        dims: t.shape,
        data_type: t.data instanceof BigInt64Array ? OnnxDataType.INT64 : OnnxDataType.FLOAT,
        raw_data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: spec.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.shape, o.elemType)),
    },
  };
  const err = type.verify(model);
  if (err) throw new Error(`onnx-writer: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

/** OHWI (atrous) → OIHW (ONNX) conv weight. */
export function ohwiToOihw(w: Float32Array, shape: readonly number[]): Float32Array {
  const [o, h, wd, i] = shape as [number, number, number, number];
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++)
        for (let c = 0; c < i; c++) out[((a * i + c) * h + y) * wd + x] = w[((a * h + y) * wd + x) * i + c] as number;
  return out;
}

/** NHWC → NCHW activation. */
export function nhwcToNchw(x: Float32Array, shape: readonly number[]): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let z = 0; z < w; z++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + z] = x[((b * h + y) * w + z) * c + k] as number;
  return out;
}

/** NCHW → NHWC activation. */
export function nchwToNhwc(x: Float32Array, shape: readonly number[]): Float32Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h; y++)
        for (let z = 0; z < w; z++) out[((b * h + y) * w + z) * c + k] = x[((b * c + k) * h + y) * w + z] as number;
  return out;
}

/** Seeded uniform random Float32Array in [lo, hi). */
export function seededRandom(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Max |a - b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
