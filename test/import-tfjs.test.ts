// TF.js graph model: the network between the graph's normalized input and its logits, with the
// graph's own preprocessing (pad to 513 with the mean, x / 127.5 - 1) reproduced here from the metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { importModel } from '../lib/import';
import { compile } from '../lib/model';
import { sharedPath } from './helpers/data';
import { agreement, labelsOf } from './helpers/images';
import { maxAbsDiff } from './helpers/onnx-writer';
import { readVocMask } from './helpers/voc';

test('TF.js DeepLab imports from its folder: 513 input, VOC classes, dilated convs folded, 65x65x21 logits', async () => {
  const imported = await importModel(sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs'));
  const { meta } = imported;
  assert.equal(meta.inputSize, [513, 513]);
  assert.is(meta.resize, 'pad');
  assert.is(meta.dataset, 'voc');
  assert.ok(Math.abs(meta.normalization.mean[0] - 127.5) < 1e-3 && Math.abs(meta.normalization.std[0] - 127.5) < 1e-3);
  const nodes = imported.graph.nodeList;
  assert.not.ok(nodes.some((n) => n.op === 'space_to_batch' || n.op === 'batch_to_space'));
  const rates = nodes.filter((n) => n.op === 'conv2d').map((n) => (n.params.dilations as number[])[0]);
  assert.is(rates.filter((r) => r === 2).length, 7); // expanded_conv_7..13
  assert.is(rates.filter((r) => r === 4).length, 3); // expanded_conv_14..16
  assert.equal(imported.graph.outputs[0]!.value.shape, [1, 65, 65, 21]);
});

/**
 * What the TF graph does around the imported network: VOC images (<= 500 px) keep their size and
 * are padded bottom/right to 513 with the mean; the 65×65 logits map to the 513 canvas with
 * align_corners; the labels are read back over the image area.
 */
async function labels(model: Awaited<ReturnType<typeof compile>>, file: string, mean: number, std: number) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width: W, height: H } = info;
  assert.ok(W <= 513 && H <= 513);
  const x = new Float32Array(513 * 513 * 3); // zeros = the mean pixel after normalization
  for (let y = 0; y < H; y++) for (let i = 0; i < W * 3; i++) x[y * 513 * 3 + i] = ((data[y * W * 3 + i] as number) - mean) / std;
  const out = (await model.run(x)).logits!;
  const [, fh, fw, C] = out.shape;
  const l = new Uint8Array(W * H);
  const sample = (fy: number, fx: number, c: number) => out.data[(fy * fw + fx) * C + c] as number;
  for (let y = 0; y < H; y++)
    for (let x0 = 0; x0 < W; x0++) {
      const cy = (y * (fh - 1)) / 512, cx = (x0 * (fw - 1)) / 512;
      const y0 = Math.floor(cy), xl = Math.floor(cx), y1 = Math.min(y0 + 1, fh - 1), x1 = Math.min(xl + 1, fw - 1), dy = cy - y0, dx = cx - xl;
      let best = 0, bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        const v = (1 - dy) * ((1 - dx) * sample(y0, xl, c) + dx * sample(y0, x1, c)) + dy * ((1 - dx) * sample(y1, xl, c) + dx * sample(y1, x1, c));
        if (v > bestV) { bestV = v; best = c; }
      }
      l[y * W + x0] = best;
    }
  return l;
}

test('TF.js DeepLab labels VOC images like their ground truth (pixel accuracy >= 0.85)', async () => {
  const imported = await importModel(sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs'));
  const model = await compile(imported.graph);
  const { mean, std } = imported.meta.normalization;
  // This model was trained on VOC trainval, so these val images were in its training set (MANIFEST:
  // mIoU 0.817 over the 20): the check is for a faithful import, not for accuracy.
  for (const id of ['2007_000676', '2007_003373', '2007_008670']) {
    const pred = await labels(model, sharedPath('data', 'voc-sample', 'images', `${id}.jpg`), mean[0], std[0]);
    const gt = await readVocMask(sharedPath('data', 'voc-sample', 'masks', `${id}.png`));
    let ok = 0, total = 0;
    for (let p = 0; p < pred.length; p++) {
      if (gt.labels[p] === 255) continue;
      total++;
      if (gt.labels[p] === pred[p]) ok++;
    }
    console.log(`  tfjs ${id}: pixel accuracy ${(ok / total).toFixed(4)}`);
    assert.ok(ok / total >= 0.85, `${id}: pixel accuracy ${ok / total}`);
  }
  model.dispose();
});

/** Writes a copy of the TF.js model whose float32 weights are stored quantized, as tensorflowjs' converter does. */
function quantizedCopy(dir: string, dtype: 'uint8' | 'uint16'): void {
  const src = sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs');
  const json = JSON.parse(fs.readFileSync(path.join(src, 'model.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const bytes = Buffer.concat(group.paths.map((p: string) => fs.readFileSync(path.join(src, p))));
  const levels = dtype === 'uint8' ? 255 : 65535;
  const parts: Buffer[] = [];
  let offset = 0;
  for (const w of group.weights) {
    const count = w.shape.reduce((a: number, b: number) => a * b, 1);
    const raw = bytes.subarray(offset, offset + 4 * count);
    offset += 4 * count;
    if (w.dtype !== 'float32') { parts.push(raw); continue; }
    const values = Array.from({ length: count }, (_, i) => raw.readFloatLE(4 * i));
    const min = values.reduce((a, b) => Math.min(a, b)), max = values.reduce((a, b) => Math.max(a, b));
    const scale = max > min ? (max - min) / levels : 1;
    const q = dtype === 'uint8' ? Buffer.alloc(count) : Buffer.alloc(2 * count);
    values.forEach((v, i) => { const k = Math.round((v - min) / scale); if (dtype === 'uint8') q[i] = k; else q.writeUInt16LE(k, 2 * i); });
    w.quantization = { dtype, min, scale };
    parts.push(q);
  }
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(parts));
  group.paths = ['weights.bin'];
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
}

test('TF.js quantized weight forms (uint16, uint8) import and stay close to the float model', async () => {
  const float = await compile((await importModel(sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs'))).graph);
  const x = new Float32Array(513 * 513 * 3);
  const rgb = await sharp(sharedPath('data', 'voc-sample', 'images', '2007_000676.jpg')).resize(513, 513, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  for (let i = 0; i < x.length; i++) x[i] = ((rgb[i] as number) - 127.5) / 127.5;
  const ref = (await float.run(x)).logits!;
  for (const [dtype, minAgreement] of [['uint16', 0.999], ['uint8', 0.95]] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `atrous-tfjs-${dtype}-`));
    try {
      quantizedCopy(dir, dtype);
      const model = await compile((await importModel(path.join(dir, 'model.json'))).graph);
      const out = (await model.run(x)).logits!;
      const agree = agreement(labelsOf(out), labelsOf(ref));
      console.log(`  tfjs ${dtype} weights: label agreement with float ${(agree * 100).toFixed(2)}%, max |logit diff| ${maxAbsDiff(out.data, ref.data).toFixed(3)}`);
      assert.ok(agree >= minAgreement, `${dtype}: ${agree}`);
      model.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  float.dispose();
});

test.run();
