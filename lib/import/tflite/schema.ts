// The parts of the TFLite flatbuffer schema (schema.fbs) atrous reads, as plain objects.
// Field indices follow the declaration order in schema.fbs.
import { fail } from '../../errors';
import { FbReader, FbTable } from './flatbuffer';

/** TensorType values. */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;
export const TENSOR_TYPE_NAMES: Record<number, string> = { 0: 'FLOAT32', 1: 'FLOAT16', 2: 'INT32', 3: 'UINT8', 4: 'INT64', 7: 'INT16', 9: 'INT8' };
const ELEM_SIZE: Record<number, number> = { 0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 7: 2, 9: 1 };

/** BuiltinOperator codes atrous maps. */
export const Op = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, PAD: 34,
  BATCH_TO_SPACE_ND: 37, SPACE_TO_BATCH_ND: 38, MEAN: 40, SUB: 41, ARG_MAX: 56, PADV2: 60, TILE: 69, QUANTIZE: 114,
} as const;
/** Names of builtin codes, for messages (the mapped ones plus common unsupported ones). */
export const OP_NAMES: Record<number, string> = {
  ...Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k])),
  5: 'DEPTH_TO_SPACE', 9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 26: 'SPACE_TO_DEPTH', 28: 'TANH', 32: 'CUSTOM', 39: 'TRANSPOSE',
  42: 'DIV', 43: 'SQUEEZE', 45: 'STRIDED_SLICE', 53: 'CAST', 55: 'MAXIMUM', 57: 'MINIMUM', 65: 'SLICE', 67: 'TRANSPOSE_CONV',
  70: 'EXPAND_DIMS', 83: 'PACK', 97: 'RESIZE_NEAREST_NEIGHBOR', 98: 'LEAKY_RELU', 117: 'HARD_SWISH',
};

export function opName(code: number, custom = ''): string {
  return custom ? `CUSTOM '${custom}'` : (OP_NAMES[code] ?? `builtin ${code}`);
}

export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Axis of per-channel scales. */
  axis: number;
  min: number[];
  max: number[];
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  /** The constant data (empty for activations). */
  data: Uint8Array;
  quant?: Quantization;
}

export interface TfliteOperator {
  index: number;
  code: number;
  /** Custom op name when code is CUSTOM (32). */
  custom: string;
  inputs: number[];
  outputs: number[];
  /** The builtin options table, read field by field by the importer. */
  options?: FbTable;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** Names of the model's metadata entries (e.g. TFLITE_METADATA). */
  metadata: string[];
}

const MAX_DIM = 1 << 24;

export function elemSize(type: number): number | undefined {
  return ELEM_SIZE[type];
}

export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(4, 8)).toString('latin1') !== 'TFL3')
    fail('PARSE_ERROR', 'not a TFLite model: bytes 4..8 are not "TFL3"');
  const r = new FbReader(bytes);
  const model = r.root();
  const version = model.u32(0);
  if (version !== 3) fail('UNSUPPORTED', `TFLite schema version ${version} (only 3 is known)`);
  const codes = model.tables(1, 'operator_codes').map((t) => ({
    // builtin_code (field 3, int32) superseded the deprecated byte field 0 for codes above 127.
    code: Math.max(t.u8(0), t.i32(3)),
    custom: t.string(1, 'custom_code'),
  }));
  const buffers = model.tables(4, 'buffers').map((b, i) => {
    const offset = b.u64(1), size = b.u64(2);
    if (offset > 1n) {
      if (offset + size > BigInt(bytes.length)) fail('PARSE_ERROR', `TFLite buffer ${i}: offset ${offset} + size ${size} is past the end of the file`);
      return bytes.subarray(Number(offset), Number(offset + size));
    }
    return b.bytes(0, `buffers[${i}].data`);
  });
  const subgraphs = model.tables(2, 'subgraphs');
  if (subgraphs.length !== 1) fail('UNSUPPORTED', `TFLite model has ${subgraphs.length} subgraphs (exactly 1 is supported)`);
  const sg = subgraphs[0] as FbTable;

  const tensors = sg.tables(0, 'tensors').map((t, index): TfliteTensor => {
    const name = t.string(3, 'tensor name');
    const shape = t.i32s(0, `tensor ${name} shape`);
    if (shape.length > 6 || !shape.every((d) => d >= 1 && d <= MAX_DIM))
      fail('PARSE_ERROR', `TFLite tensor ${index} '${name}': bad shape [${shape.join(', ')}]`);
    const type = t.u8(1);
    const bufferIndex = t.u32(2);
    if (bufferIndex >= buffers.length) fail('PARSE_ERROR', `TFLite tensor '${name}': buffer ${bufferIndex} does not exist`);
    const data = buffers[bufferIndex] as Uint8Array;
    if (data.length > 0) {
      const size = elemSize(type);
      const count = shape.reduce((a, b) => a * b, 1);
      if (size === undefined) fail('UNSUPPORTED', `TFLite tensor '${name}': constant of type ${type}`);
      if (data.length !== count * size)
        fail('PARSE_ERROR', `TFLite tensor '${name}': buffer holds ${data.length} bytes, shape [${shape.join(', ')}] needs ${count * size}`);
    }
    const q = t.table(4, `tensor ${name} quantization`);
    let quant: Quantization | undefined;
    if (q) {
      const scale = q.f32s(2, 'scale'), zeroPoint = q.i64s(3, 'zero_point');
      if (scale.length > 0) {
        if (zeroPoint.length !== scale.length && zeroPoint.length > 1)
          fail('PARSE_ERROR', `TFLite tensor '${name}': ${scale.length} scales but ${zeroPoint.length} zero points`);
        if (!scale.every((s) => Number.isFinite(s))) fail('PARSE_ERROR', `TFLite tensor '${name}': non-finite quantization scale`);
        quant = { scale, zeroPoint: zeroPoint.length ? zeroPoint : [0], axis: q.i32(6), min: q.f32s(0, 'min'), max: q.f32s(1, 'max') };
      }
    }
    return { index, name, shape, type, data, quant };
  });

  const tensorRef = (i: number, what: string): number => {
    if (i !== -1 && (i < 0 || i >= tensors.length)) fail('PARSE_ERROR', `TFLite ${what}: tensor index ${i} out of range`);
    return i;
  };
  const operators = sg.tables(3, 'operators').map((o, index): TfliteOperator => {
    const opcode = o.u32(0);
    const c = codes[opcode];
    if (!c) fail('PARSE_ERROR', `TFLite operator ${index}: opcode index ${opcode} out of range`);
    return {
      index,
      code: c.code,
      custom: c.custom,
      inputs: o.i32s(1, 'operator inputs').map((i) => tensorRef(i, `operator ${index} input`)),
      outputs: o.i32s(2, 'operator outputs').map((i) => tensorRef(i, `operator ${index} output`)),
      options: o.table(4, `operator ${index} options`),
    };
  });
  return {
    version,
    description: model.string(3, 'description'),
    tensors,
    operators,
    inputs: sg.i32s(1, 'subgraph inputs').map((i) => tensorRef(i, 'subgraph input')),
    outputs: sg.i32s(2, 'subgraph outputs').map((i) => tensorRef(i, 'subgraph output')),
    metadata: model.tables(6, 'metadata').map((m) => m.string(0, 'metadata name')),
  };
}
