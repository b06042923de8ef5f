// Writes tiny TFLite flatbuffers (one subgraph) with the `flatbuffers` Builder, for importer tests.
// Field indices follow TFLite's schema.fbs: Model{version 0, operator_codes 1, subgraphs 2, description 3, buffers 4},
// OperatorCode{deprecated_builtin_code 0, custom_code 1, version 2, builtin_code 3}, SubGraph{tensors 0, inputs 1,
// outputs 2, operators 3, name 4}, Tensor{shape 0, type 1, buffer 2, name 3}, Operator{opcode_index 0, inputs 1, outputs 2},
// Buffer{data 0}.
import { Builder } from 'flatbuffers';

export interface TfliteSpec {
  tensors: { name: string; shape: number[]; type?: number; data?: Uint8Array }[];
  ops: { code: number; inputs: number[]; outputs: number[] }[];
  inputs: number[];
  outputs: number[];
}

export function writeTflite(spec: TfliteSpec): Uint8Array {
  const b = new Builder(1024);
  const intVector = (xs: number[]): number => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i] as number);
    return b.endVector();
  };
  const tableVector = (xs: number[]): number => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i] as number);
    return b.endVector();
  };
  // Buffer 0 is the conventional empty buffer; constants get their own.
  const buffers: number[] = [];
  const emptyBuffer = (): number => { b.startObject(1); return b.endObject(); };
  buffers.push(emptyBuffer());
  const tensorBuffer: number[] = [];
  for (const t of spec.tensors) {
    if (!t.data) { tensorBuffer.push(0); continue; }
    const data = b.createByteVector(t.data);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    buffers.push(b.endObject());
    tensorBuffer.push(buffers.length - 1);
  }
  const codes = [...new Set(spec.ops.map((o) => o.code))];
  const codeTables = codes.map((c) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c, 127), 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, c, 0);
    return b.endObject();
  });
  const tensors = spec.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = intVector(t.shape);
    b.startObject(4);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type ?? 0, 0);
    b.addFieldInt32(2, tensorBuffer[i] as number, 0);
    b.addFieldOffset(3, name, 0);
    return b.endObject();
  });
  const ops = spec.ops.map((o) => {
    const ins = intVector(o.inputs), outs = intVector(o.outputs);
    b.startObject(3);
    b.addFieldInt32(0, codes.indexOf(o.code), 0);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    return b.endObject();
  });
  const tensorsVec = tableVector(tensors), opsVec = tableVector(ops);
  const inputs = intVector(spec.inputs), outputs = intVector(spec.outputs);
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, opsVec, 0);
  const subgraph = b.endObject();
  const codesVec = tableVector(codeTables), subgraphs = tableVector([subgraph]), buffersVec = tableVector(buffers);
  const description = b.createString('atrous test model');
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array();
}
