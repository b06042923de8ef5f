import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError, readSafetensors, writeSafetensors } from '../lib/index';

/** Builds a safetensors file by hand from a header object and raw data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerSize?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerSize ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function throwsCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isAtrousError(e), `expected AtrousError, got ${String(e)}`);
    assert.is((e as { code: string }).code, code, (e as Error).message);
    if (pattern) assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable('expected an error');
}

test('write → read round trip keeps names, shapes and values', () => {
  const a = Float32Array.from({ length: 24 }, (_, i) => i * 0.25 - 3);
  const bytes = writeSafetensors({ 'layer.weight': { shape: [2, 3, 4], data: a }, 'b': { shape: [1], data: new Float32Array([7]) } }, { note: 'x' });
  const read = readSafetensors(bytes);
  assert.equal([...read.keys()].sort(), ['b', 'layer.weight']);
  assert.equal(read.get('layer.weight')!.shape, [2, 3, 4]);
  assert.equal([...read.get('layer.weight')!.data], [...a]);
  assert.equal([...read.get('b')!.data], [7]);
  // The header is valid JSON with data_offsets as the format defines them.
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
  assert.equal(header.__metadata__, { note: 'x' });
  assert.equal(header.b.data_offsets, [0, 4]);
  assert.equal(header['layer.weight'].data_offsets, [4, 100]);
});

test('reads from a path, and reports a missing file as NOT_FOUND', () => {
  const p = path.join(os.tmpdir(), `atrous-st-${process.pid}.safetensors`);
  fs.writeFileSync(p, writeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }));
  try {
    assert.equal([...readSafetensors(p).get('w')!.data], [1, 2]);
  } finally {
    fs.unlinkSync(p);
  }
  throwsCode(() => readSafetensors(p), 'NOT_FOUND');
});

test('F16 and BF16 are widened to float32', () => {
  // F16 bit patterns from the IEEE 754 binary16 definition: 1, -2, 0.5, 65504 (max), 2^-24 (min subnormal), -0.
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]);
  // BF16 = upper half of a float32: take it from the float32 bits of exactly representable values.
  const src = new Float32Array([1.5, -3.25, 1024]);
  const bf16 = Uint16Array.from(new Uint32Array(src.buffer), (u) => u >>> 16);
  const data = new Uint8Array(f16.byteLength + bf16.byteLength);
  data.set(new Uint8Array(f16.buffer), 0);
  data.set(new Uint8Array(bf16.buffer), f16.byteLength);
  const read = readSafetensors(file({ h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] }, b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] } }, data));
  assert.equal([...read.get('h')!.data], [1, -2, 0.5, 65504, 2 ** -24, -0]);
  assert.equal([...read.get('b')!.data], [1.5, -3.25, 1024]);
});

test('integer tensors (e.g. num_batches_tracked, I64) are read as numbers', () => {
  const data = new Uint8Array(12);
  new DataView(data.buffer).setBigInt64(0, 123456n, true);
  new DataView(data.buffer).setInt32(8, -7, true);
  const read = readSafetensors(file({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] }, i: { dtype: 'I32', shape: [1], data_offsets: [8, 12] } }, data));
  assert.equal(read.get('n')!.shape, []);
  assert.equal([...read.get('n')!.data], [123456]);
  assert.is(read.get('n')!.dtype, 'I64');
  assert.equal([...read.get('i')!.data], [-7]);
});

test('bad files are PARSE_ERROR with a message naming the problem', () => {
  const f32 = (n: number) => new Uint8Array(n * 4);
  throwsCode(() => readSafetensors(new Uint8Array(5)), 'PARSE_ERROR', /too short/);
  throwsCode(() => readSafetensors(file({}, new Uint8Array(0), 1n << 40n)), 'PARSE_ERROR', /header size/);
  throwsCode(() => readSafetensors(file('{"a": ')), 'PARSE_ERROR', /JSON/);
  throwsCode(() => readSafetensors(file('[1, 2]')), 'PARSE_ERROR', /object/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, f32(1))), 'PARSE_ERROR', /dtype/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1))), 'PARSE_ERROR', /shape/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1))), 'PARSE_ERROR', /outside/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32(2))), 'PARSE_ERROR', /outside/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2))), 'PARSE_ERROR', /needs 12/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1))), 'PARSE_ERROR', /data_offsets/);
  throwsCode(() => readSafetensors(file({ a: 5 })), 'PARSE_ERROR', /not an object/);
  throwsCode(() => readSafetensors(file({ a: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, f32(1))), 'UNSUPPORTED', /U32/);
  // A truncated copy of a valid file: offsets now point past the end.
  const good = writeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
  throwsCode(() => readSafetensors(good.subarray(0, good.length - 3)), 'PARSE_ERROR');
});

test('writer rejects data that does not match its shape', () => {
  throwsCode(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(2) } }), 'SHAPE_MISMATCH');
  throwsCode(() => writeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } }), 'INVALID_ARGUMENT');
});

test.run();
