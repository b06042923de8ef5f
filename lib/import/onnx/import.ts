// ONNX (protobuf) → atrous Graph. ONNX ops are NCHW; our graph is NHWC throughout, so each ONNX
// tensor carries the layout its ONNX dimensions are in, and layout Transposes fold away.
import { AtrousError, fail } from '../../errors';
import { Graph, Value } from '../../graph/builder';
import type { CoordinateMode, Padding } from '../../graph/builder';
import { datasetFor, halfToFloat, Namer, permute4, resizePolicy, uniformNorm } from '../common';
import type { ImportedModel } from '../types';
import { modelProtoType, OnnxDataType } from './schema';

export interface OnnxImportOptions {
  name?: string;
  classes?: string[];
}

interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
}
interface AttributeProto {
  name?: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}
interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
}
interface ValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}
interface ModelProto {
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  graph?: { node?: NodeProto[]; initializer?: TensorProto[]; input?: ValueInfo[]; output?: ValueInfo[]; name?: string };
}

/** A constant: data in ONNX dimension order. */
interface Constant {
  dims: number[];
  data: Float64Array;
}

/** An activation: our NHWC value, and whether the ONNX tensor's dims are NCHW (ops' default) or NHWC. */
interface Activation {
  value: Value;
  layout: 'nchw' | 'nhwc';
}

const MAX_ELEMENTS = 1 << 28;

function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    const type = modelProtoType();
    return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as ModelProto;
  } catch (e) {
    fail('PARSE_ERROR', `not a valid ONNX model: ${(e as Error).message}`);
  }
}

export function tensorData(t: TensorProto): Constant {
  const dims = (t.dims ?? []).map(Number);
  const what = `ONNX tensor '${t.name ?? '?'}'`;
  if (!dims.every((d) => Number.isInteger(d) && d >= 0 && d <= MAX_ELEMENTS)) fail('PARSE_ERROR', `${what}: bad dims [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail('PARSE_ERROR', `${what}: ${count} elements is more than atrous accepts`);
  const type = t.data_type ?? 0;
  const out = new Float64Array(count);
  const raw = t.raw_data;
  if (raw && raw.length > 0) {
    const size = ({ [OnnxDataType.FLOAT]: 4, [OnnxDataType.INT32]: 4, [OnnxDataType.INT64]: 8, [OnnxDataType.DOUBLE]: 8, [OnnxDataType.FLOAT16]: 2, [OnnxDataType.UINT8]: 1, [OnnxDataType.INT8]: 1 } as Record<number, number>)[type];
    if (size === undefined) fail('UNSUPPORTED', `${what}: data type ${type}`);
    if (raw.length !== count * size) fail('PARSE_ERROR', `${what}: ${raw.length} bytes of data for ${count} elements of ${size} bytes`);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++)
      out[i] =
        type === OnnxDataType.FLOAT ? dv.getFloat32(4 * i, true)
        : type === OnnxDataType.INT32 ? dv.getInt32(4 * i, true)
        : type === OnnxDataType.INT64 ? Number(dv.getBigInt64(8 * i, true))
        : type === OnnxDataType.DOUBLE ? dv.getFloat64(8 * i, true)
        : type === OnnxDataType.FLOAT16 ? halfToFloat(dv.getUint16(2 * i, true))
        : type === OnnxDataType.UINT8 ? dv.getUint8(i)
        : dv.getInt8(i);
    return { dims, data: out };
  }
  const list = type === OnnxDataType.INT64 ? t.int64_data : type === OnnxDataType.DOUBLE ? t.double_data : type === OnnxDataType.FLOAT ? t.float_data : t.int32_data;
  const values = list ?? [];
  if (values.length !== count) fail('PARSE_ERROR', `${what}: ${values.length} values for ${count} elements`);
  for (let i = 0; i < count; i++) out[i] = type === OnnxDataType.FLOAT16 ? halfToFloat(values[i] as number) : Number(values[i]);
  return { dims, data: out };
}

export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): ImportedModel {
  const model = decodeModel(bytes);
  if (!model.graph) fail('PARSE_ERROR', 'ONNX model has no graph');
  return new OnnxImporter(model, options).run();
}

class OnnxImporter {
  private readonly g = new Graph();
  private readonly acts = new Map<string, Activation>();
  private readonly consts = new Map<string, Constant>();
  private readonly namer = new Namer();
  private readonly opset: number;

  constructor(private readonly m: ModelProto, private readonly options: OnnxImportOptions) {
    this.opset = m.opset_import?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 1;
  }

  run(): ImportedModel {
    const graph = this.m.graph ?? {};
    for (const t of graph.initializer ?? []) this.consts.set(t.name ?? '', tensorData(t));
    // Every name a node reads must be defined somewhere: a dangling one means a damaged file.
    const defined = new Set<string>([...this.consts.keys(), ...(graph.input ?? []).map((i) => i.name ?? '')]);
    for (const node of graph.node ?? []) for (const o of node.output ?? []) defined.add(o);
    for (const node of graph.node ?? [])
      for (const i of node.input ?? []) if (i && !defined.has(i)) fail('PARSE_ERROR', `ONNX node '${node.name ?? '?'}' reads '${i}', which nothing defines`);
    for (const o of graph.output ?? []) if (!defined.has(o.name ?? '')) fail('PARSE_ERROR', `ONNX output '${o.name}' is not defined`);
    const inputs = (graph.input ?? []).filter((i) => !this.consts.has(i.name ?? ''));
    if (inputs.length !== 1) fail('UNSUPPORTED', `ONNX model has ${inputs.length} inputs (1 image input expected)`);
    const input = inputs[0] as ValueInfo;
    const dims = (input.type?.tensor_type?.shape?.dim ?? []).map((d) => Number(d.dim_value ?? 0));
    if (dims.length !== 4 || !dims.every((d) => d >= 1)) fail('UNSUPPORTED', `ONNX input '${input.name}' needs a fixed 4-D shape, got [${dims.join(', ')}]`);
    // ONNX inputs are NCHW unless the dims say NHWC image (TF exports: [1, H, W, 3] then a Transpose).
    const layout = dims[3] === 3 && dims[1] !== 3 ? 'nhwc' : 'nchw';
    const nhwc = (layout === 'nhwc' ? dims : [dims[0], dims[2], dims[3], dims[1]]) as [number, number, number, number];
    if (nhwc[0] !== 1) fail('UNSUPPORTED', `ONNX input batch ${nhwc[0]} (1 expected)`);
    this.acts.set(input.name ?? '', { value: this.g.input('image', nhwc), layout });

    for (const node of graph.node ?? []) {
      try {
        this.convert(node);
      } catch (e) {
        if (e instanceof AtrousError && !e.message.includes('ONNX')) fail(e.code, `ONNX ${node.op_type} node '${node.name ?? '?'}': ${e.message}`);
        throw e;
      }
    }
    const outputs = graph.output ?? [];
    if (outputs.length !== 1) fail('UNSUPPORTED', `ONNX model has ${outputs.length} outputs (1 expected)`);
    const out = this.acts.get(outputs[0]?.name ?? '');
    if (!out) fail('PARSE_ERROR', `ONNX output '${outputs[0]?.name}' is not computed by any node`);
    this.g.output('logits', out.value);
    const inputSize: [number, number] = [nhwc[1], nhwc[2]];
    return {
      graph: this.g,
      input: 'image',
      output: 'logits',
      meta: {
        name: this.options.name ?? graph.name ?? 'onnx-model',
        format: 'onnx',
        inputSize,
        normalization: uniformNorm(127.5, 127.5),
        resize: resizePolicy(inputSize),
        ...datasetFor(out.value.channels, this.options.classes),
        outputKind: 'logits',
        layout: 'nhwc',
        notes: { producer: `${this.m.producer_name ?? ''} ${this.m.producer_version ?? ''}`.trim(), opset: String(this.opset) },
      },
    };
  }

  private act(node: NodeProto, k: number): Activation {
    const a = this.acts.get(node.input?.[k] ?? '');
    if (!a) fail('UNSUPPORTED', `input ${k} ('${node.input?.[k]}') is not an activation computed earlier`);
    return a;
  }
  private nchw(node: NodeProto, k: number): Value {
    const a = this.act(node, k);
    if (a.layout !== 'nchw') fail('UNSUPPORTED', `input ${k} is NHWC in ONNX terms, the op expects NCHW`);
    return a.value;
  }
  private constant(node: NodeProto, k: number): Constant | undefined {
    const name = node.input?.[k];
    return name ? this.consts.get(name) : undefined;
  }
  private requireConst(node: NodeProto, k: number): Constant {
    const c = this.constant(node, k);
    if (!c) fail('UNSUPPORTED', `input ${k} ('${node.input?.[k]}') must be a constant`);
    return c;
  }
  private set(node: NodeProto, value: Value, layout: Activation['layout'] = 'nchw'): void {
    const name = node.output?.[0];
    if (!name) fail('PARSE_ERROR', 'node has no output');
    this.acts.set(name, { value, layout });
  }
  private weight(name: string, shape: number[], data: Float64Array | Float32Array): Value {
    return this.g.weight(this.namer.name(name), shape, Float32Array.from(data));
  }

  private attr(node: NodeProto, name: string): AttributeProto | undefined {
    return node.attribute?.find((a) => a.name === name);
  }
  private int(node: NodeProto, name: string, dflt: number): number {
    const a = this.attr(node, name);
    return a?.i !== undefined ? Number(a.i) : dflt;
  }
  private ints(node: NodeProto, name: string, dflt: number[]): number[] {
    const a = this.attr(node, name);
    return a?.ints && a.ints.length ? a.ints.map(Number) : dflt;
  }
  private str(node: NodeProto, name: string, dflt: string): string {
    const a = this.attr(node, name);
    return a?.s ? Buffer.from(a.s).toString('utf8') : dflt;
  }
  private float(node: NodeProto, name: string, dflt: number): number {
    const a = this.attr(node, name);
    return a?.f !== undefined ? a.f : dflt;
  }

  /** ONNX pads [top, left, bottom, right] (or auto_pad) → ours. */
  private padding(node: NodeProto): Padding {
    const auto = this.str(node, 'auto_pad', 'NOTSET');
    if (auto === 'SAME_UPPER') return 'same';
    if (auto === 'VALID') return 'valid';
    if (auto !== 'NOTSET') fail('UNSUPPORTED', `auto_pad ${auto}`);
    const p = this.ints(node, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4) fail('UNSUPPORTED', `pads [${p.join(', ')}] (2-D only)`);
    return [p[0], p[2], p[1], p[3]] as [number, number, number, number];
  }

  /** A per-channel constant operand ([C], [1, C, 1, 1], [C, 1, 1] or a scalar) as an NHWC-broadcastable weight. */
  private channelConstant(node: NodeProto, c: Constant, channels: number, layout: Activation['layout']): Value {
    const n = c.data.length;
    const nonUnit = c.dims.filter((d) => d !== 1);
    const channelAxis = layout === 'nchw' ? c.dims.length - 3 : c.dims.length - 1;
    const ok = n === 1 || (n === channels && nonUnit.length === 1 && (c.dims.length === 1 ? layout === 'nhwc' : c.dims[channelAxis] === channels));
    if (!ok) fail('UNSUPPORTED', `constant operand '${node.input?.find((i) => this.consts.get(i) === c)}' of shape [${c.dims.join(', ')}] is not per-channel`);
    return this.weight(`${node.name ?? node.op_type}_const`, [n], c.data);
  }

  private convert(node: NodeProto): void {
    const g = this.g;
    const op = node.op_type ?? '';
    if (node.domain && node.domain !== 'ai.onnx') fail('UNSUPPORTED', `ONNX op ${node.domain}.${op} (node '${node.name}')`);
    switch (op) {
      case 'Constant': {
        const t = this.attr(node, 'value')?.t;
        if (!t) fail('UNSUPPORTED', `ONNX Constant node '${node.name}' without a tensor value`);
        this.consts.set(node.output?.[0] ?? '', tensorData(t));
        return;
      }
      case 'Identity':
      case 'Dropout': {
        const c = this.constant(node, 0);
        if (c) this.consts.set(node.output?.[0] ?? '', c);
        else this.acts.set(node.output?.[0] ?? '', this.act(node, 0));
        return;
      }
      case 'Transpose': {
        const a = this.act(node, 0);
        const perm = this.ints(node, 'perm', [3, 2, 1, 0]).join();
        if (a.layout === 'nhwc' && perm === '0,3,1,2') return this.set(node, a.value, 'nchw');
        if (a.layout === 'nchw' && perm === '0,2,3,1') return this.set(node, a.value, 'nhwc');
        fail('UNSUPPORTED', `ONNX Transpose node '${node.name}': perm [${perm}] on a ${a.layout.toUpperCase()} tensor (only NHWC↔NCHW)`);
      }
      // eslint-disable-next-line no-fallthrough
      case 'Conv': {
        const x = this.nchw(node, 0);
        const w = this.requireConst(node, 1);
        if (w.dims.length !== 4) fail('UNSUPPORTED', `ONNX Conv node '${node.name}': ${w.dims.length - 2}-D convolution`);
        const ohwi = permute4(Float32Array.from(w.data), w.dims, [0, 2, 3, 1]);
        const b = this.constant(node, 2);
        this.set(node, g.conv2d(x, {
          weight: this.weight(node.input?.[1] ?? 'w', ohwi.shape, ohwi.data),
          bias: b && this.weight(node.input?.[2] ?? 'b', [b.data.length], b.data),
          strides: this.ints(node, 'strides', [1, 1]) as [number, number],
          dilations: this.ints(node, 'dilations', [1, 1]) as [number, number],
          padding: this.padding(node),
          groups: this.int(node, 'group', 1),
          name: node.name,
        }));
        return;
      }
      case 'Relu':
        return this.set(node, g.relu(this.act(node, 0).value), this.act(node, 0).layout);
      case 'Clip': {
        const a = this.act(node, 0);
        const bound = (k: number, attr: string, dflt: number): number =>
          this.opset >= 11 ? (node.input?.[k] ? (this.requireConst(node, k).data[0] ?? dflt) : dflt) : this.float(node, attr, dflt);
        return this.set(node, g.clip(a.value, bound(1, 'min', -Infinity), bound(2, 'max', Infinity)), a.layout);
      }
      case 'Add':
      case 'Mul':
      case 'Sub': {
        const kind = op === 'Add' ? 'add' : op === 'Mul' ? 'mul' : 'sub';
        const a = this.acts.get(node.input?.[0] ?? ''), b = this.acts.get(node.input?.[1] ?? '');
        if (a && b) {
          if (a.layout !== b.layout) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}' mixes NCHW and NHWC operands`);
          return this.set(node, g[kind](a.value, b.value), a.layout);
        }
        const x = a ?? b;
        if (!x) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': no activation operand`);
        const c = this.channelConstant(node, this.requireConst(node, a ? 1 : 0), x.value.channels, x.layout);
        return this.set(node, a ? g[kind](a.value, c) : g[kind](c, x.value), x.layout);
      }
      case 'BatchNormalization': {
        const x = this.nchw(node, 0);
        const [scale, offset, mean, variance] = [1, 2, 3, 4].map((k) => this.requireConst(node, k)) as Constant[];
        const w = (c: Constant, what: string): Value => this.weight(`${node.name ?? 'bn'}_${what}`, [c.data.length], c.data);
        return this.set(node, g.batchNorm(x, {
          scale: w(scale as Constant, 'scale'), offset: w(offset as Constant, 'offset'), mean: w(mean as Constant, 'mean'), variance: w(variance as Constant, 'var'),
          epsilon: this.float(node, 'epsilon', 1e-5),
        }));
      }
      case 'GlobalAveragePool':
        return this.set(node, g.globalAvgPool(this.nchw(node, 0)));
      case 'AveragePool':
      case 'MaxPool': {
        const x = this.nchw(node, 0);
        const kernel = this.ints(node, 'kernel_shape', []) as [number, number];
        if (kernel.length !== 2) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': kernel_shape [${kernel.join(', ')}]`);
        if (this.int(node, 'ceil_mode', 0) !== 0) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': ceil_mode`);
        const strides = this.ints(node, 'strides', [1, 1]) as [number, number];
        const padding = this.padding(node);
        const unpadded = padding === 'valid' || (Array.isArray(padding) && padding.every((p) => p === 0));
        if (op === 'AveragePool' && unpadded && kernel[0] === x.shape[1] && kernel[1] === x.shape[2]) return this.set(node, g.globalAvgPool(x));
        return this.set(node, op === 'MaxPool'
          ? g.maxPool2d(x, { kernel, strides, padding })
          : g.avgPool2d(x, { kernel, strides, padding, countIncludePad: this.int(node, 'count_include_pad', 0) === 1 }));
      }
      case 'Concat': {
        const xs = (node.input ?? []).map((_, k) => this.act(node, k));
        const layout = xs[0]?.layout ?? 'nchw';
        if (xs.some((x) => x.layout !== layout)) fail('UNSUPPORTED', `ONNX Concat node '${node.name}' mixes layouts`);
        const axis = this.int(node, 'axis', 1);
        const channelAxis = layout === 'nchw' ? [1, -3] : [3, -1];
        if (!channelAxis.includes(axis)) fail('UNSUPPORTED', `ONNX Concat node '${node.name}': axis ${axis} is not the channel axis`);
        return this.set(node, g.concat(xs.map((x) => x.value)), layout);
      }
      case 'Upsample':
      case 'Resize':
        return this.resize(node);
      case 'Pad': {
        const x = this.nchw(node, 0);
        const p = this.opset >= 11 ? Array.from(this.requireConst(node, 1).data) : this.ints(node, 'pads', []);
        if (p.length !== 8 || p.some((v) => v < 0) || p[0] || p[1] || p[4] || p[5]) fail('UNSUPPORTED', `ONNX Pad node '${node.name}': pads [${p.join(', ')}] (non-negative spatial padding only)`);
        const mode = this.str(node, 'mode', 'constant');
        if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') fail('UNSUPPORTED', `ONNX Pad node '${node.name}': mode ${mode}`);
        const value = this.opset >= 11 ? (node.input?.[2] ? (this.requireConst(node, 2).data[0] ?? 0) : 0) : this.float(node, 'value', 0);
        return this.set(node, g.pad(x, { pads: [p[2], p[6], p[3], p[7]] as [number, number, number, number], mode, value }));
      }
      case 'Reshape':
      case 'Flatten':
      case 'Squeeze':
      case 'Unsqueeze': {
        // Foldable only when it leaves the tensor's shape as it is.
        const a = this.act(node, 0);
        const target = op === 'Reshape' ? Array.from(this.requireConst(node, 1).data) : undefined;
        const onnxDims = a.layout === 'nchw' ? [a.value.shape[0], a.value.shape[3], a.value.shape[1], a.value.shape[2]] : [...a.value.shape];
        if (target && target.length === 4 && target.every((d, i) => d === onnxDims[i] || (d === 0 && this.int(node, 'allowzero', 0) === 0)))
          return this.set(node, a.value, a.layout);
        fail('UNSUPPORTED', `ONNX ${op} node '${node.name}' changes the tensor's shape (only no-op reshapes fold)`);
      }
      // eslint-disable-next-line no-fallthrough
      default:
        fail('UNSUPPORTED', `ONNX op ${op} is not supported (node '${node.name ?? '?'}')`);
    }
  }

  private resize(node: NodeProto): void {
    const op = node.op_type;
    const x = this.nchw(node, 0);
    const mode = this.str(node, 'mode', op === 'Upsample' ? 'nearest' : 'nearest');
    if (mode !== 'linear' && mode !== 'bilinear') fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': mode '${mode}' (only linear)`);
    let coordinateMode: CoordinateMode = 'asymmetric';
    let scales: number[] | undefined, sizes: number[] | undefined;
    if (op === 'Upsample') {
      scales = this.opset >= 9 ? Array.from(this.requireConst(node, 1).data) : (this.attr(node, 'scales')?.floats ?? []);
    } else {
      const ct = this.opset >= 11 ? this.str(node, 'coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
      const modes: Record<string, CoordinateMode> = { align_corners: 'align_corners', half_pixel: 'half_pixel', pytorch_half_pixel: 'pytorch_half_pixel', asymmetric: 'asymmetric' };
      const m = modes[ct];
      if (!m) fail('UNSUPPORTED', `ONNX Resize node '${node.name}': coordinate_transformation_mode '${ct}'`);
      coordinateMode = m;
      const scaleInput = this.opset >= 11 ? 2 : 1;
      const s = node.input?.[scaleInput] ? this.constant(node, scaleInput) : undefined;
      if (s && s.data.length) scales = Array.from(s.data);
      const z = this.opset >= 11 && node.input?.[3] ? this.constant(node, 3) : undefined;
      if (z && z.data.length) sizes = Array.from(z.data);
    }
    const [, h, w] = x.shape as [number, number, number, number];
    let size: [number, number], hw: [number, number] | undefined;
    if (sizes) {
      if (sizes.length !== 4 || sizes[0] !== x.shape[0] || sizes[1] !== x.shape[3]) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': sizes [${sizes.join(', ')}]`);
      size = [sizes[2] as number, sizes[3] as number];
    } else {
      if (!scales || scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1 || !scales.every((s) => s > 0 && Number.isFinite(s)))
        fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': scales [${scales?.join(', ')}] (spatial scales only)`);
      // onnxruntime sizes the output as floor(in × scale) in float32, and maps coordinates with the given scale.
      hw = [Math.fround(scales[2] as number), Math.fround(scales[3] as number)];
      size = [Math.floor(Math.fround(h * hw[0])), Math.floor(Math.fround(w * hw[1]))];
      if (size[0] < 1 || size[1] < 1) fail('UNSUPPORTED', `ONNX ${op} node '${node.name}': output size ${size.join('x')}`);
    }
    this.set(node, this.g.resizeBilinear(x, { size, coordinateMode, scales: hw, name: node.name }));
  }
}
