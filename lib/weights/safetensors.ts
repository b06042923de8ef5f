// safetensors reader/writer. Files are untrusted: every length, offset, dtype and shape is checked.
// Layout: u64 little-endian header size N, N bytes of JSON {name: {dtype, shape, data_offsets}}, then data.
import fs from 'node:fs';
import os from 'node:os';

import { fail, show } from '../errors';

/** Dtypes read (all converted to float32); the writer writes F32. */
export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * A tensor by name; `data` is always float32 (F16/BF16 widened; integer tensors such as PyTorch's
 * BN `num_batches_tracked` converted, so a whole state_dict can be read).
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
  /** The dtype in the file (reader only). */
  dtype?: SafetensorsDType;
}

const BYTES: Record<SafetensorsDType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const OTHER_DTYPES = new Set(['U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2']);
const MAX_HEADER = 100 * 1024 * 1024;
const LITTLE_ENDIAN = os.endianness() === 'LE';

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(bytes: Uint8Array, dtype: SafetensorsDType, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32' && LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer, 0, count); // copy: Buffer#slice would share
  const out = new Float32Array(count);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  else if (dtype === 'I64') for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
  else if (dtype === 'I32') for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  else if (dtype === 'I16') for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  else if (dtype === 'I8') for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
  else if (dtype === 'U8' || dtype === 'BOOL') for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  else {
    const u32 = new Uint32Array(1), f32 = new Float32Array(u32.buffer);
    for (let i = 0; i < count; i++) {
      u32[0] = view.getUint16(i * 2, true) << 16;
      out[i] = f32[0] as number;
    }
  }
  return out;
}

/** Parses a safetensors file (path or bytes) into float32 tensors by name. Bad files → PARSE_ERROR. */
export function readSafetensors(source: string | Uint8Array | ArrayBuffer): Map<string, NamedTensor> {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = fs.readFileSync(source);
    } catch (e) {
      fail('NOT_FOUND', `safetensors: cannot read ${show(source)}: ${(e as Error).message}`);
    }
  } else if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else fail('INVALID_ARGUMENT', `safetensors source must be a path, Uint8Array or ArrayBuffer, got ${show(source)}`);

  if (bytes.byteLength < 8) fail('PARSE_ERROR', `safetensors: file of ${bytes.byteLength} bytes is too short for the 8-byte header size`);
  const headerSize = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerSize > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8)))
    fail('PARSE_ERROR', `safetensors: header size ${headerSize} exceeds the file (${bytes.byteLength} bytes) or the ${MAX_HEADER}-byte limit`);
  const n = Number(headerSize);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail('PARSE_ERROR', `safetensors: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('PARSE_ERROR', 'safetensors: header must be a JSON object');
  const data = bytes.subarray(8 + n);
  const out = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail('PARSE_ERROR', `safetensors: entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string') fail('PARSE_ERROR', `safetensors: '${name}' has no dtype`);
    if (OTHER_DTYPES.has(e.dtype)) fail('UNSUPPORTED', `safetensors: '${name}' has dtype ${e.dtype}; supported: ${Object.keys(BYTES).join(', ')}`);
    if (!(e.dtype in BYTES)) fail('PARSE_ERROR', `safetensors: '${name}' has unknown dtype ${show(e.dtype)}`);
    const dtype = e.dtype as SafetensorsDType;
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail('PARSE_ERROR', `safetensors: '${name}' has invalid shape ${show(shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail('PARSE_ERROR', `safetensors: '${name}' has invalid data_offsets ${show(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin > end || end > data.byteLength)
      fail('PARSE_ERROR', `safetensors: '${name}' data_offsets [${begin}, ${end}] fall outside the ${data.byteLength}-byte data section`);
    if (end - begin !== count * BYTES[dtype])
      fail('PARSE_ERROR', `safetensors: '${name}' has ${end - begin} bytes; ${dtype} shape ${show(shape)} needs ${count * BYTES[dtype]}`);
    out.set(name, { shape: [...(shape as number[])], data: decode(data.subarray(begin, end), dtype, count), dtype });
  }
  return out;
}

/** Encodes float32 tensors as a safetensors file (names sorted, 8-byte aligned data). */
export function writeSafetensors(
  tensors: ReadonlyMap<string, NamedTensor> | Record<string, NamedTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)) as [string, NamedTensor][];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (!(t?.data instanceof Float32Array)) fail('INVALID_ARGUMENT', `writeSafetensors: '${name}' data must be a Float32Array, got ${show(t?.data)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || count !== t.data.length)
      fail('SHAPE_MISMATCH', `writeSafetensors: '${name}' has ${t.data.length} values for shape ${show(t.shape)}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf-8');
  const out = new Uint8Array(8 + head.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const [, t] of entries) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i] as number, true);
    at += t.data.byteLength;
  }
  return out;
}
