// Reads a TF.js weights manifest: shards concatenated in order, float32 / int32 tensors, and the
// quantized uint8 / uint16 (value = q * scale + min) and float16 forms.
import fs from 'node:fs';
import path from 'node:path';

import { fail } from '../../errors';
import { halfToFloat } from '../common';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}
export interface TfjsTensor {
  shape: number[];
  data: Float64Array;
}

const MAX_TOTAL = 1 << 30;

function shardBytes(dir: string, group: WeightGroup): Uint8Array {
  if (!Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) fail('PARSE_ERROR', 'TF.js weightsManifest: paths must be strings');
  const parts = group.paths.map((p) => {
    const file = path.resolve(dir, p);
    if (path.dirname(file) !== path.resolve(dir)) fail('PARSE_ERROR', `TF.js shard path '${p}' leaves the model folder`);
    if (!fs.existsSync(file)) fail('NOT_FOUND', `TF.js weight shard not found: ${file}`);
    if (fs.statSync(file).size > MAX_TOTAL) fail('PARSE_ERROR', `TF.js shard ${file} is too large`);
    return fs.readFileSync(file);
  });
  return Buffer.concat(parts);
}

export function readWeights(dir: string, manifest: unknown): Map<string, TfjsTensor> {
  if (!Array.isArray(manifest)) fail('PARSE_ERROR', 'TF.js model.json: weightsManifest must be an array');
  const out = new Map<string, TfjsTensor>();
  for (const group of manifest as WeightGroup[]) {
    const bytes = shardBytes(dir, group);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    if (!Array.isArray(group.weights)) fail('PARSE_ERROR', 'TF.js weightsManifest: weights must be an array');
    for (const w of group.weights) {
      const what = `TF.js weight '${w?.name}'`;
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0))
        fail('PARSE_ERROR', `${what}: bad name or shape`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (count > MAX_TOTAL) fail('PARSE_ERROR', `${what}: ${count} elements is too many`);
      const q = w.quantization;
      const storage = q?.dtype ?? w.dtype;
      const size = ({ float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 } as Record<string, number>)[storage];
      if (size === undefined) fail('UNSUPPORTED', `${what}: stored as ${storage}`);
      if (offset + count * size > bytes.length)
        fail('PARSE_ERROR', `${what}: needs bytes ${offset}..${offset + count * size} but the shards hold ${bytes.length}`);
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const p = offset + i * size;
        const raw = storage === 'float32' ? dv.getFloat32(p, true)
          : storage === 'int32' ? dv.getInt32(p, true)
          : storage === 'uint8' ? dv.getUint8(p)
          : storage === 'uint16' ? dv.getUint16(p, true)
          : halfToFloat(dv.getUint16(p, true));
        data[i] = q && (storage === 'uint8' || storage === 'uint16') ? raw * (q.scale ?? 1) + (q.min ?? 0) : raw;
      }
      offset += count * size;
      out.set(w.name, { shape: w.shape, data });
    }
    if (offset !== bytes.length) fail('PARSE_ERROR', `TF.js shards hold ${bytes.length} bytes but the manifest describes ${offset}`);
  }
  return out;
}
