// TFLite flatbuffer → atrous Graph. Quantized tensors are dequantized to float (weights) or treated
// as float (activations); the graph stops at the logits when the model ends in ARG_MAX.
import { fail } from '../../errors';
import { Graph, Value } from '../../graph/builder';
import type { Activation, Padding } from '../../graph/builder';
import { datasetFor, halfToFloat, Namer, permute4, resizePolicy, uniformNorm } from '../common';
import type { ImportedModel } from '../types';
import { elemSize, Op, opName, readTflite, TENSOR_TYPE_NAMES, TensorType, TfliteModel, TfliteOperator, TfliteTensor } from './schema';

export interface TfliteImportOptions {
  name?: string;
  classes?: string[];
  /**
   * Round activations of uint8/int8 models to their quantization grid (a `fake_quant` after each
   * quantized tensor), so the float graph follows the quantized model's rounding. Default false.
   */
  simulateQuantization?: boolean;
  /** Fold SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND pairs into dilated convs (default true; false keeps them as ops). */
  foldAtrous?: boolean;
}

/** A constant tensor as float (quantized values dequantized per tensor or per channel). */
export function tensorToFloat(t: TfliteTensor): Float32Array {
  const count = t.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const raw = new Float64Array(count);
  const size = elemSize(t.type);
  if (size === undefined || t.data.length !== count * size) fail('PARSE_ERROR', `TFLite tensor '${t.name}': no data of ${count} elements`);
  for (let i = 0; i < count; i++) {
    switch (t.type) {
      case TensorType.FLOAT32: raw[i] = dv.getFloat32(4 * i, true); break;
      case TensorType.FLOAT16: raw[i] = halfToFloat(dv.getUint16(2 * i, true)); break;
      case TensorType.INT32: raw[i] = dv.getInt32(4 * i, true); break;
      case TensorType.UINT8: raw[i] = dv.getUint8(i); break;
      case TensorType.INT8: raw[i] = dv.getInt8(i); break;
      case TensorType.INT16: raw[i] = dv.getInt16(2 * i, true); break;
      case TensorType.INT64: raw[i] = Number(dv.getBigInt64(8 * i, true)); break;
      default: fail('UNSUPPORTED', `TFLite tensor '${t.name}': type ${TENSOR_TYPE_NAMES[t.type] ?? t.type}`);
    }
  }
  const q = t.quant;
  const out = new Float32Array(count);
  if (!q || t.type === TensorType.FLOAT32 || t.type === TensorType.FLOAT16) {
    out.set(raw);
    return out;
  }
  const channels = q.scale.length;
  const axis = channels > 1 ? q.axis : 0;
  if (channels > 1 && (axis < 0 || axis >= t.shape.length || t.shape[axis] !== channels))
    fail('PARSE_ERROR', `TFLite tensor '${t.name}': ${channels} scales do not match axis ${axis} of shape [${t.shape.join(', ')}]`);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < count; i++) {
    const c = channels > 1 ? Math.floor(i / inner) % channels : 0;
    out[i] = (q.scale[c] as number) * ((raw[i] as number) - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0));
  }
  return out;
}

function intValues(t: TfliteTensor): number[] {
  if (t.type !== TensorType.INT32 && t.type !== TensorType.INT64) fail('UNSUPPORTED', `TFLite tensor '${t.name}': expected int32 constant`);
  return Array.from(tensorToFloat({ ...t, quant: undefined }));
}

const RANGE_CHANGING: ReadonlySet<number> = new Set([Op.CONV_2D, Op.DEPTHWISE_CONV_2D, Op.ADD, Op.MUL, Op.SUB, Op.QUANTIZE, Op.DEQUANTIZE]);

const ACTIVATIONS: Record<number, Activation> = { 0: 'none', 1: 'relu', 3: 'relu6' };

export function importTflite(bytes: Uint8Array, options: TfliteImportOptions = {}): ImportedModel {
  const m = readTflite(bytes);
  return new TfliteImporter(m, { simulateQuantization: false, ...options }).run();
}

class TfliteImporter {
  private readonly g = new Graph();
  private readonly values = new Map<number, Value>();
  private readonly namer = new Namer();
  private readonly consumers = new Map<number, TfliteOperator[]>();
  /** Operators folded away (SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND around a conv). */
  private readonly passThrough = new Set<number>();
  private readonly atrous = new Map<number, { dilation: [number, number]; pads: [number, number, number, number] }>();

  constructor(private readonly m: TfliteModel, private readonly options: TfliteImportOptions) {
    for (const op of m.operators) for (const i of op.inputs) if (i >= 0) this.consumers.set(i, [...(this.consumers.get(i) ?? []), op]);
  }

  run(): ImportedModel {
    const m = this.m;
    if (m.inputs.length !== 1) fail('UNSUPPORTED', `TFLite model has ${m.inputs.length} inputs (1 image input expected)`);
    const inT = this.tensor(m.inputs[0] as number);
    if (inT.shape.length !== 4 || inT.shape[0] !== 1 || inT.shape[3] !== 3)
      fail('UNSUPPORTED', `TFLite input '${inT.name}' has shape [${inT.shape.join(', ')}], expected [1, H, W, 3]`);
    const input = this.g.input('image', inT.shape as [number, number, number, number]);
    this.values.set(inT.index, input);
    if (this.options.foldAtrous !== false) this.foldAtrous();

    let logits: Value | undefined;
    for (const op of m.operators) {
      if (op.code === Op.ARG_MAX) {
        logits = this.act(op, 0);
        break;
      }
      this.convert(op);
    }
    if (!logits) {
      if (m.outputs.length !== 1) fail('UNSUPPORTED', `TFLite model has ${m.outputs.length} outputs (1 expected)`);
      logits = this.values.get(m.outputs[0] as number);
      if (!logits) fail('PARSE_ERROR', 'TFLite model output is not produced by any operator');
    }
    this.g.output('logits', logits);

    // Quantized inputs map bytes to reals as scale * (q - zeroPoint): that is the normalization.
    const q = inT.quant;
    const norm = inT.type !== TensorType.FLOAT32 && q ? uniformNorm(q.zeroPoint[0] ?? 0, 1 / (q.scale[0] as number)) : uniformNorm(127.5, 127.5);
    const inputSize: [number, number] = [inT.shape[1] as number, inT.shape[2] as number];
    return {
      graph: this.g,
      input: 'image',
      output: 'logits',
      meta: {
        name: this.options.name ?? 'tflite-model',
        format: 'tflite',
        inputSize,
        normalization: norm,
        resize: resizePolicy(inputSize),
        ...datasetFor(logits.channels, this.options.classes),
        outputKind: 'logits',
        layout: 'nhwc',
        notes: { description: m.description, inputType: TENSOR_TYPE_NAMES[inT.type] ?? String(inT.type) },
      },
    };
  }

  private tensor(i: number | undefined): TfliteTensor {
    const t = i === undefined || i < 0 ? undefined : this.m.tensors[i];
    if (!t) fail('PARSE_ERROR', `TFLite tensor index ${i} out of range`);
    return t;
  }

  private where(op: TfliteOperator): string {
    const out = op.outputs[0] !== undefined ? this.m.tensors[op.outputs[0]]?.name : undefined;
    return `${opName(op.code, op.custom)} (operator ${op.index}, output '${out ?? '?'}')`;
  }

  /** The activation feeding input slot `k` of `op`. */
  private act(op: TfliteOperator, k: number): Value {
    const v = this.values.get(op.inputs[k] ?? -1);
    if (!v) fail('UNSUPPORTED', `${this.where(op)}: input ${k} is not an activation computed earlier`);
    return v;
  }

  private isConst(i: number | undefined): boolean {
    return i !== undefined && i >= 0 && !this.values.has(i) && (this.m.tensors[i]?.data.length ?? 0) > 0;
  }

  private constTensor(op: TfliteOperator, k: number): TfliteTensor {
    const i = op.inputs[k];
    if (!this.isConst(i)) fail('UNSUPPORTED', `${this.where(op)}: input ${k} must be a constant`);
    return this.tensor(i);
  }

  /** Float constant data; DEQUANTIZE'd constants resolve through their source. */
  private readonly floatConsts = new Map<number, Float32Array>();
  private floatConst(op: TfliteOperator, k: number): { data: Float32Array; shape: number[]; name: string } {
    const i = op.inputs[k] ?? -1;
    const t = this.tensor(i);
    const known = this.floatConsts.get(i);
    if (known) return { data: known, shape: t.shape, name: t.name };
    return { data: tensorToFloat(this.constTensor(op, k)), shape: t.shape, name: t.name };
  }

  private weight(name: string, shape: number[], data: Float32Array): Value {
    return this.g.weight(this.namer.name(name), shape, data);
  }

  private set(op: TfliteOperator, v: Value): void {
    const t = this.tensor(op.outputs[0]);
    // A conv folded with SPACE_TO_BATCH_ND computes the un-batched result the file never names.
    const want = t.shape.length === 4 && !this.atrous.has(op.index) ? t.shape : undefined;
    if (want && (v.shape.length !== 4 || want.some((d, i) => d !== v.shape[i])))
      fail('PARSE_ERROR', `${this.where(op)}: computed shape [${v.shape.join(', ')}] but the file declares [${want.join(', ')}]`);
    this.values.set(t.index, this.requantize(op, t, v));
  }

  /**
   * A quantized activation can only hold values in its grid's range: TOCO models rely on that range
   * (not a fused activation) to express ReLU6, so the float graph clips to it. With
   * `simulateQuantization` it also rounds to the grid, as the integer kernels do.
   */
  private requantize(op: TfliteOperator, t: TfliteTensor, v: Value): Value {
    const q = t.quant;
    const range: [number, number] | undefined = t.type === TensorType.UINT8 ? [0, 255] : t.type === TensorType.INT8 ? [-128, 127] : undefined;
    if (!q || q.scale.length !== 1 || !range) return v;
    const scale = q.scale[0] as number, zeroPoint = q.zeroPoint[0] ?? 0;
    if (this.options.simulateQuantization) return this.g.fakeQuant(v, { scale, zeroPoint, range });
    // Pools, resizes and concatenations stay inside their inputs' range; arithmetic can leave it.
    if (!RANGE_CHANGING.has(op.code)) return v;
    return this.g.clip(v, scale * (range[0] - zeroPoint), scale * (range[1] - zeroPoint));
  }

  private activation(op: TfliteOperator, field: number): Activation {
    const code = op.options?.u8(field) ?? 0;
    const a = ACTIVATIONS[code];
    if (!a) fail('UNSUPPORTED', `${this.where(op)}: fused activation ${code}`);
    return a;
  }

  private padding(op: TfliteOperator): Padding {
    return (op.options?.u8(0) ?? 0) === 0 ? 'same' : 'valid';
  }

  /** SPACE_TO_BATCH_ND → (DEPTHWISE_)CONV_2D (VALID) → BATCH_TO_SPACE_ND becomes one dilated conv. */
  private foldAtrous(): void {
    for (const stb of this.m.operators) {
      if (stb.code !== Op.SPACE_TO_BATCH_ND || !this.isConst(stb.inputs[1]) || !this.isConst(stb.inputs[2])) continue;
      const convs = this.consumers.get(stb.outputs[0] ?? -1) ?? [];
      const conv = convs[0];
      if (convs.length !== 1 || !conv || (conv.code !== Op.CONV_2D && conv.code !== Op.DEPTHWISE_CONV_2D) || conv.inputs[0] !== stb.outputs[0]) continue;
      const depthwise = conv.code === Op.DEPTHWISE_CONV_2D;
      const o = conv.options;
      const strided = (o?.i32(1, 1) ?? 1) !== 1 || (o?.i32(2, 1) ?? 1) !== 1;
      const dilated = (o?.i32(depthwise ? 5 : 4, 1) ?? 1) !== 1 || (o?.i32(depthwise ? 6 : 5, 1) ?? 1) !== 1;
      if (this.padding(conv) !== 'valid' || strided || dilated) continue;
      const btss = this.consumers.get(conv.outputs[0] ?? -1) ?? [];
      const bts = btss[0];
      if (btss.length !== 1 || !bts || bts.code !== Op.BATCH_TO_SPACE_ND || !this.isConst(bts.inputs[1]) || !this.isConst(bts.inputs[2])) continue;
      const block = intValues(this.constTensor(stb, 1)), block2 = intValues(this.constTensor(bts, 1));
      const pads = intValues(this.constTensor(stb, 2)), crops = intValues(this.constTensor(bts, 2));
      if (block.length !== 2 || block2.join() !== block.join() || pads.length !== 4 || crops.length !== 4) continue;
      const eff = pads.map((p, i) => p - (crops[i] as number));
      if (eff.some((p) => p < 0)) continue;
      this.passThrough.add(stb.index).add(bts.index);
      this.atrous.set(conv.index, { dilation: block as [number, number], pads: eff as [number, number, number, number] });
    }
  }

  private convert(op: TfliteOperator): void {
    const g = this.g;
    const o = op.options;
    switch (op.code) {
      case Op.DEQUANTIZE:
      case Op.QUANTIZE: {
        // Constants: keep the float values for their consumers. Activations are float already.
        if (this.isConst(op.inputs[0])) {
          const out = this.tensor(op.outputs[0]);
          this.floatConsts.set(out.index, this.floatConst(op, 0).data);
        } else this.set(op, this.act(op, 0));
        return;
      }
      case Op.SPACE_TO_BATCH_ND:
      case Op.BATCH_TO_SPACE_ND: {
        if (this.passThrough.has(op.index)) {
          this.values.set(this.tensor(op.outputs[0]).index, this.act(op, 0));
          return;
        }
        const block = intValues(this.constTensor(op, 1)), p = intValues(this.constTensor(op, 2));
        if (block.length !== 2 || p.length !== 4) fail('UNSUPPORTED', `${this.where(op)}: only 2-D block shapes`);
        const pads = [p[0], p[1], p[2], p[3]] as [number, number, number, number];
        const bs = block as [number, number];
        this.set(op, op.code === Op.SPACE_TO_BATCH_ND ? g.spaceToBatch(this.act(op, 0), { blockShape: bs, pads }) : g.batchToSpace(this.act(op, 0), { blockShape: bs, crops: pads }));
        return;
      }
      case Op.CONV_2D:
      case Op.DEPTHWISE_CONV_2D: {
        const depthwise = op.code === Op.DEPTHWISE_CONV_2D;
        const x = this.act(op, 0);
        const w = this.floatConst(op, 1);
        if (w.shape.length !== 4) fail('PARSE_ERROR', `${this.where(op)}: weight shape [${w.shape.join(', ')}]`);
        // TFLite depthwise weights are [1, KH, KW, Cout]; ours are [Cout, KH, KW, 1] with groups = Cin.
        const ohwi = depthwise ? permute4(w.data, w.shape, [3, 1, 2, 0]) : { data: w.data, shape: w.shape };
        const bias = op.inputs.length > 2 && (op.inputs[2] ?? -1) >= 0 ? this.floatConst(op, 2) : undefined;
        const fold = this.atrous.get(op.index);
        const dil: [number, number] = fold?.dilation ?? [o?.i32(depthwise ? 6 : 5, 1) ?? 1, o?.i32(depthwise ? 5 : 4, 1) ?? 1];
        this.set(op, g.conv2d(x, {
          weight: this.weight(w.name, ohwi.shape, ohwi.data),
          bias: bias && this.weight(bias.name, [bias.data.length], bias.data),
          strides: [o?.i32(2, 1) ?? 1, o?.i32(1, 1) ?? 1],
          dilations: dil,
          padding: fold?.pads ?? this.padding(op),
          groups: depthwise ? x.channels : 1,
          activation: this.activation(op, depthwise ? 4 : 3),
          name: this.tensor(op.outputs[0]).name,
        }));
        return;
      }
      case Op.ADD:
      case Op.MUL:
      case Op.SUB: {
        const kind = op.code === Op.ADD ? 'add' : op.code === Op.MUL ? 'mul' : 'sub';
        const side = (k: number): Value => {
          if (this.values.has(op.inputs[k] ?? -1)) return this.act(op, k);
          const c = this.floatConst(op, k);
          return this.weight(c.name, c.shape.length ? c.shape : [1], c.data);
        };
        this.set(op, g[kind](side(0), side(1), { activation: this.activation(op, 0) }));
        return;
      }
      case Op.AVERAGE_POOL_2D:
      case Op.MAX_POOL_2D: {
        const x = this.act(op, 0);
        const kernel: [number, number] = [o?.i32(4) ?? 0, o?.i32(3) ?? 0];
        const strides: [number, number] = [o?.i32(2, 1) ?? 1, o?.i32(1, 1) ?? 1];
        if ((o?.u8(5) ?? 0) !== 0) fail('UNSUPPORTED', `${this.where(op)}: fused activation on a pool`);
        const padding = this.padding(op);
        const global = op.code === Op.AVERAGE_POOL_2D && padding === 'valid' && kernel[0] === x.shape[1] && kernel[1] === x.shape[2];
        this.set(op, global ? g.globalAvgPool(x) : op.code === Op.AVERAGE_POOL_2D ? g.avgPool2d(x, { kernel, strides, padding }) : g.maxPool2d(x, { kernel, strides, padding }));
        return;
      }
      case Op.CONCATENATION: {
        const xs = op.inputs.map((_, k) => this.act(op, k));
        const axis = o?.i32(0) ?? 0;
        if (axis !== 3 && axis !== -1) fail('UNSUPPORTED', `${this.where(op)}: concatenation on axis ${axis} (only channels)`);
        if ((o?.u8(1) ?? 0) !== 0) fail('UNSUPPORTED', `${this.where(op)}: fused activation on a concatenation`);
        this.set(op, g.concat(xs));
        return;
      }
      case Op.RESIZE_BILINEAR: {
        const x = this.act(op, 0);
        const size = intValues(this.constTensor(op, 1));
        if (size.length !== 2 || !size.every((d) => d >= 1)) fail('PARSE_ERROR', `${this.where(op)}: bad size [${size.join(', ')}]`);
        const alignCorners = o?.bool(2) ?? false, halfPixel = o?.bool(3) ?? false;
        if (size[0] === x.shape[1] && size[1] === x.shape[2]) {
          this.set(op, x); // same size: identity in every coordinate mode
          return;
        }
        this.set(op, g.resizeBilinear(x, { size: size as [number, number], coordinateMode: alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric' }));
        return;
      }
      case Op.TILE: {
        // DeepLab's image pooling broadcast: tiling a 1×1 map is an exact bilinear resize of it.
        const x = this.act(op, 0);
        const mult = intValues(this.constTensor(op, 1));
        if (x.shape[1] !== 1 || x.shape[2] !== 1 || mult.length !== 4 || mult[0] !== 1 || mult[3] !== 1)
          fail('UNSUPPORTED', `${this.where(op)}: only tiling a [1, 1, 1, C] map over H and W`);
        this.set(op, g.resizeBilinear(x, { size: [mult[1] as number, mult[2] as number], coordinateMode: 'align_corners' }));
        return;
      }
      case Op.RELU:
        this.set(op, g.relu(this.act(op, 0)));
        return;
      case Op.RELU6:
        this.set(op, g.relu6(this.act(op, 0)));
        return;
      case Op.PAD:
      case Op.PADV2: {
        const p = intValues(this.constTensor(op, 1));
        if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) fail('UNSUPPORTED', `${this.where(op)}: only spatial padding`);
        const value = op.code === Op.PADV2 && op.inputs.length > 2 ? (this.floatConst(op, 2).data[0] ?? 0) : 0;
        this.set(op, g.pad(this.act(op, 0), { pads: [p[2], p[3], p[4], p[5]] as [number, number, number, number], value }));
        return;
      }
      default:
        fail('UNSUPPORTED', `TFLite operator ${opName(op.code, op.custom)} is not supported: ${this.where(op)}`);
    }
  }
}
