// Zoo MobileNetV2 networks loaded with the weights the importers take out of the real TF.js / TF Lite
// DeepLab models (names kept, layouts already OHWI) reproduce those imported models' logits.
import sharp from 'sharp';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, zoo } from '../lib/index';
import type { NamedTensor } from '../lib/index';
import { importModel } from '../lib/import/index';
import type { ZooNetwork } from '../lib/zoo/index';
import { sharedPath } from './helpers/data';
import { maxAbsDiff, seededRandom } from './helpers/onnx-writer';

/** A real ADE20K image, stretched to h×w and normalized with the imported model's own normalization. */
async function adeImage(h: number, w: number, mean: number[], std: number[]): Promise<Float32Array> {
  const raw = await sharp(sharedPath('data', 'ade20k-tiny', 'images', 'ADE_val_00000001.jpg')).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer();
  return Float32Array.from(raw, (p, i) => (p - mean[i % 3]!) / std[i % 3]!);
}

async function compare(file: string, net: ZooNetwork, map: zoo.KeyMap, useScores: boolean, real = false) {
  const imported = await importModel(sharedPath('models', file));
  const weights = new Map<string, NamedTensor>();
  for (const w of imported.graph.weights) if (w.data) weights.set(w.name, { shape: [...w.shape], data: w.data });
  net.loadWeights(weights, { map }); // strict: every zoo weight found, no importer weight left unexplained
  if (useScores) net.graph.output('scores', net.scores);
  const [, h, w] = net.input.shape4;
  const image = real ? await adeImage(h, w, imported.meta.normalization.mean, imported.meta.normalization.std) : seededRandom(h * w * 3, 99, -1, 1);
  const theirs = (await (await compile(imported.graph)).run({ [imported.input]: image }))[imported.output]!;
  const ours = (await (await net.compile()).run(image))[useScores ? 'scores' : 'logits']!;
  assert.equal(ours.shape, theirs.shape);
  const ref = theirs.data as Float32Array;
  const spread = ref.reduce((m, v) => Math.max(m, v), -Infinity) - ref.reduce((m, v) => Math.min(m, v), Infinity);
  return { diff: maxAbsDiff(ours.data as Float32Array, ref), spread, ours: ours.data as Float32Array, ref, classes: ours.shape[3] };
}

test('deeplabV3 mobilenetv2 OS8 with the TF.js model\'s weights reproduces its 65×65 logits', async () => {
  const net = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8 });
  const r = await compare('deeplabv3_mnv2_voc_trainval_513_tfjs', net, zoo.tfMobileNetV2Keys({ layout: 'tflite' }), true);
  console.log(`  TF.js dm1.0 OS8: max abs diff ${r.diff.toExponential(2)} (logit spread ${r.spread.toFixed(1)})`);
  assert.ok(r.spread > 1 && r.diff <= 1e-4, `diff ${r.diff}, spread ${r.spread}`);
});

test('deeplabV3 mobilenetv2 dm0.5 OS8 with the 257 TF Lite model\'s weights reproduces its logits', async () => {
  const net = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, depthMultiplier: 0.5, inputSize: [257, 257] });
  const r = await compare('deeplabv3_mnv2_dm05_voc_257.tflite', net, zoo.tfMobileNetV2Keys({ layout: 'tflite' }), false);
  console.log(`  TFLite dm0.5 257: max abs diff ${r.diff.toExponential(2)} (logit spread ${r.spread.toFixed(1)})`);
  assert.ok(r.spread > 1 && r.diff <= 1e-4, `diff ${r.diff}, spread ${r.spread}`);
});

test('deeplabV3Plus mobilenetv2 with the ADE20K TF Lite weights (uint8, dequantized) agrees with the imported model', async () => {
  // The imported quantized model clips activations to their quantization ranges; the float zoo
  // network does not, so labels are compared on a real ADE20K image (and the logit difference printed).
  const net = zoo.deeplabV3Plus({ backbone: 'mobilenetv2', outputStride: 16, numClasses: 32, inputSize: [512, 512], coordinateMode: 'asymmetric' });
  const r = await compare('deeplabv3plus_mnv2_ade20k32_512_uint8.tflite', net, zoo.tfMobileNetV2Keys({ layout: 'tflite', decoder: true }), false, true);
  let same = 0;
  const n = r.ours.length / r.classes;
  for (let p = 0; p < n; p++) {
    let a = 0, b = 0;
    for (let c = 1; c < r.classes; c++) {
      if (r.ours[p * r.classes + c]! > r.ours[p * r.classes + a]!) a = c;
      if (r.ref[p * r.classes + c]! > r.ref[p * r.classes + b]!) b = c;
    }
    if (a === b) same++;
  }
  console.log(`  TFLite ADE20K v3+: label agreement ${(same / n).toFixed(4)}, max abs logit diff ${r.diff.toFixed(3)} (spread ${r.spread.toFixed(1)})`);
  assert.ok(same / n >= 0.95, `label agreement ${same / n}`);
});

test.run();
