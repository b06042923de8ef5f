// Damaged model files: truncated, bytes flipped (seeded), absurd declared sizes. Each must be
// rejected with an AtrousError (PARSE_ERROR for structural damage) or import cleanly; nothing may crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { AtrousError, ErrorCode } from '../lib/errors';
import { importModel } from '../lib/import';
import { readTflite } from '../lib/import/tflite/schema';
import { compile } from '../lib/model';
import { sharedPath } from './helpers/data';
import { writeOnnx } from './helpers/onnx-writer';
import { writeTflite } from './helpers/tflite-writer';

const CLEAN_CODES: ErrorCode[] = ['PARSE_ERROR', 'INVALID_ARGUMENT', 'UNSUPPORTED', 'SHAPE_MISMATCH'];

/** xorshift32: reproducible mutations. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

async function outcome(source: string | Uint8Array): Promise<'ok' | ErrorCode> {
  try {
    const m = await importModel(source);
    // A file that still parses must also compile or fail cleanly (its weights may now be garbage).
    const model = await compile(m.graph).catch((e: unknown) => {
      if (e instanceof AtrousError) return undefined;
      throw e;
    });
    model?.dispose();
    return 'ok';
  } catch (e) {
    if (!(e instanceof AtrousError)) throw new Error(`not an AtrousError: ${String(e)}`);
    return e.code;
  }
}

const models = {
  tflite: () => fs.readFileSync(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_513_uint8.tflite')),
  onnx: () => fs.readFileSync(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx')),
};

for (const [format, load] of Object.entries(models)) {
  test(`${format}: truncated copies are rejected with PARSE_ERROR`, async () => {
    const bytes = load();
    for (const end of [0, 3, 7, 16, 200, 4096, bytes.length >> 2, bytes.length >> 1, bytes.length - 100]) {
      const code = await outcome(bytes.subarray(0, end));
      assert.ok(code === 'PARSE_ERROR' || code === 'INVALID_ARGUMENT', `truncated at ${end}: ${code}`);
    }
  });
}

test('tflite: seeded byte flips in the structure (outside weight data) never crash', async () => {
  const bytes = models.tflite();
  // Weight bytes are just numbers; the structure (offsets, vtables, shapes, indices) is what parsers trip on.
  const weightRanges = readTflite(bytes).tensors.filter((t) => t.data.length).map((t) => [t.data.byteOffset - bytes.byteOffset, t.data.byteOffset - bytes.byteOffset + t.data.length]);
  const inWeights = (i: number) => weightRanges.some(([a, b]) => i >= a! && i < b!);
  const random = rng(1234);
  const seen = new Map<string, number>();
  for (let trial = 0; trial < 40; trial++) {
    const copy = new Uint8Array(bytes);
    for (let k = 0; k < 8; k++) {
      let i = 0;
      do i = Math.floor(random() * copy.length); while (inWeights(i));
      copy[i] = Math.floor(random() * 256);
    }
    const code = await outcome(copy);
    seen.set(code, (seen.get(code) ?? 0) + 1);
    assert.ok(code === 'ok' || CLEAN_CODES.includes(code), `trial ${trial}: ${code}`);
  }
  console.log(`  tflite flips: ${JSON.stringify(Object.fromEntries(seen))}`);
});

test('onnx: seeded byte flips never crash', async () => {
  const bytes = models.onnx();
  const random = rng(99);
  const seen = new Map<string, number>();
  for (let trial = 0; trial < 40; trial++) {
    const copy = new Uint8Array(bytes);
    for (let k = 0; k < 8; k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    const code = await outcome(copy);
    seen.set(code, (seen.get(code) ?? 0) + 1);
    assert.ok(code === 'ok' || CLEAN_CODES.includes(code), `trial ${trial}: ${code}`);
  }
  console.log(`  onnx flips: ${JSON.stringify(Object.fromEntries(seen))}`);
});

test('a huge declared tensor size is PARSE_ERROR (tflite constant, onnx initializer)', async () => {
  const tfl = writeTflite({
    tensors: [{ name: 'x', shape: [1, 8, 8, 3] }, { name: 'w', shape: [1 << 20, 1 << 20, 3, 3], data: new Uint8Array(108) }, { name: 'y', shape: [1, 8, 8, 4] }],
    ops: [{ code: 3, inputs: [0, 1], outputs: [2] }], inputs: [0], outputs: [2],
  });
  assert.is(await outcome(tfl), 'PARSE_ERROR');
  const onnx = writeOnnx({
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 'w', shape: [1 << 20, 1 << 20, 3, 3], data: new Float32Array(27) }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } }],
  });
  assert.is(await outcome(onnx), 'PARSE_ERROR');
});

test('tfjs: a manifest that claims more weight bytes than the shards hold is PARSE_ERROR; missing shard NOT_FOUND', async () => {
  const src = sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrous-tfjs-'));
  try {
    const json = JSON.parse(fs.readFileSync(path.join(src, 'model.json'), 'utf8'));
    for (const f of json.weightsManifest[0].paths) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    json.weightsManifest[0].weights[0].shape = [4096, 4096, 64];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    assert.is(await outcome(dir), 'PARSE_ERROR');
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {"node": [');
    assert.is(await outcome(dir), 'PARSE_ERROR');
    const broken = JSON.parse(JSON.stringify(json));
    broken.weightsManifest[0].weights[0].shape = [1, 1, 320, 256];
    broken.modelTopology.node[5].input = 42;
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(broken));
    assert.is(await outcome(dir), 'PARSE_ERROR');
    json.weightsManifest[0].weights[0].shape = [1, 1, 320, 256];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    fs.rmSync(path.join(dir, json.weightsManifest[0].paths[2]));
    assert.is(await outcome(dir), 'NOT_FOUND');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
