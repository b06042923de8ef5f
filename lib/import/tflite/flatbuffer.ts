// Bounds-checked reading of flatbuffer tables on top of the `flatbuffers` ByteBuffer.
// Model files are untrusted: every offset, vector and string is checked against the buffer before use.
import { ByteBuffer } from 'flatbuffers';

import { fail } from '../../errors';

export class FbReader {
  readonly bb: ByteBuffer;
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
  }

  check(pos: number, len: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.size)
      fail('PARSE_ERROR', `flatbuffer: ${what} at byte ${pos} (+${len}) lies outside the ${this.size}-byte file`);
  }
  u8(pos: number): number { this.check(pos, 1, 'byte'); return this.bb.readUint8(pos); }
  u16(pos: number): number { this.check(pos, 2, 'uint16'); return this.bb.readUint16(pos); }
  i32(pos: number): number { this.check(pos, 4, 'int32'); return this.bb.readInt32(pos); }
  u32(pos: number): number { this.check(pos, 4, 'uint32'); return this.bb.readUint32(pos); }
  i64(pos: number): bigint { this.check(pos, 8, 'int64'); return this.bb.readInt64(pos); }
  f32(pos: number): number { this.check(pos, 4, 'float'); return this.bb.readFloat32(pos); }

  /** The root table (uoffset at byte 0). */
  root(): FbTable {
    return new FbTable(this, this.u32(0), 'root');
  }
}

/** One table: fields are addressed by their index in the schema (declaration order). */
export class FbTable {
  private readonly vtable: number;
  private readonly vtableSize: number;
  constructor(readonly r: FbReader, readonly pos: number, readonly what: string) {
    r.check(pos, 4, `table ${what}`);
    this.vtable = pos - r.i32(pos);
    this.vtableSize = r.u16(this.vtable);
    if (this.vtableSize < 4 || this.vtableSize % 2) fail('PARSE_ERROR', `flatbuffer: table ${what} has a bad vtable size ${this.vtableSize}`);
    r.check(this.vtable, this.vtableSize, `vtable of ${what}`);
  }

  /** Absolute position of field `index`, or 0 when absent. */
  field(index: number): number {
    const o = 4 + 2 * index;
    if (o + 2 > this.vtableSize) return 0;
    const off = this.r.u16(this.vtable + o);
    return off === 0 ? 0 : this.pos + off;
  }
  has(index: number): boolean { return this.field(index) !== 0; }
  u8(index: number, dflt = 0): number { const p = this.field(index); return p ? this.r.u8(p) : dflt; }
  bool(index: number, dflt = false): boolean { const p = this.field(index); return p ? this.r.u8(p) !== 0 : dflt; }
  i32(index: number, dflt = 0): number { const p = this.field(index); return p ? this.r.i32(p) : dflt; }
  u32(index: number, dflt = 0): number { const p = this.field(index); return p ? this.r.u32(p) : dflt; }
  u64(index: number, dflt = 0n): bigint { const p = this.field(index); return p ? this.r.i64(p) : dflt; }

  table(index: number, what: string): FbTable | undefined {
    const p = this.field(index);
    return p ? new FbTable(this.r, p + this.r.u32(p), what) : undefined;
  }

  /** [start, length] of a vector field of `elemSize`-byte elements; length 0 when absent. */
  vector(index: number, elemSize: number, what: string): [number, number] {
    const p = this.field(index);
    if (!p) return [0, 0];
    const v = p + this.r.u32(p);
    const len = this.r.u32(v);
    this.r.check(v + 4, len * elemSize, `vector ${what}`);
    return [v + 4, len];
  }
  i32s(index: number, what: string): number[] {
    const [s, n] = this.vector(index, 4, what);
    return Array.from({ length: n }, (_, i) => this.r.i32(s + 4 * i));
  }
  f32s(index: number, what: string): number[] {
    const [s, n] = this.vector(index, 4, what);
    return Array.from({ length: n }, (_, i) => this.r.f32(s + 4 * i));
  }
  i64s(index: number, what: string): number[] {
    const [s, n] = this.vector(index, 8, what);
    return Array.from({ length: n }, (_, i) => Number(this.r.i64(s + 8 * i)));
  }
  bytes(index: number, what: string): Uint8Array {
    const [s, n] = this.vector(index, 1, what);
    return this.r.bytes.subarray(s, s + n);
  }
  tables(index: number, what: string): FbTable[] {
    const [s, n] = this.vector(index, 4, what);
    return Array.from({ length: n }, (_, i) => {
      const p = s + 4 * i;
      return new FbTable(this.r, p + this.r.u32(p), `${what}[${i}]`);
    });
  }
  string(index: number, what: string): string {
    const [s, n] = this.vector(index, 1, what);
    return n ? Buffer.from(this.r.bytes.buffer, this.r.bytes.byteOffset + s, n).toString('utf8') : '';
  }
}
