// Accuracy on the 20 shared PASCAL VOC val images with the real models, loaded through the registry
// from the shared models folder (ATROUS_MODELS). Needs the importers (lib/import).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { load } from '../lib/load';
import type { SegmentationModel, SegmentOptions } from '../lib/segment/model';
import { sharedPath } from './helpers/data';
import { ConfusionMatrix } from './helpers/metrics';
import { ortModel257 } from './helpers/ort-model';
import { vocIds, vocImage, vocMask } from './helpers/voc-sample';

// Models come from the shared folder, never from the network.
test.before.each(() => {
  process.env.ATROUS_MODELS = sharedPath('models');
  process.env.ATROUS_OFFLINE = '1';
});

async function evaluate(model: SegmentationModel, options: SegmentOptions = {}): Promise<ConfusionMatrix> {
  const cm = new ConfusionMatrix(21);
  for (const id of vocIds()) {
    const mask = await vocMask(id);
    const r = await model.segment(vocImage(id), options);
    assert.equal([r.width, r.height], [mask.width, mask.height], `${id}: result at the original size`);
    cm.add(mask.ids, r.labels);
  }
  return cm;
}

function report(what: string, cm: ConfusionMatrix): number {
  const miou = cm.meanIoU();
  console.log(`  ${what}: mIoU ${miou.toFixed(4)}, pixel accuracy ${cm.pixelAccuracy().toFixed(4)}`);
  return miou;
}

test('257 dm0.5 model (registry default), default preprocessing: mIoU >= 0.555; scales + flip reported', async () => {
  const model = await load('mobilenetv2-voc');
  try {
    assert.is(model.meta.inputSize[0], 257);
    assert.ok(report('257 default', await evaluate(model)) >= 0.555);
    assert.ok(report('257 scales 0.75,1,1.25 + flip', await evaluate(model, { scales: [0.75, 1, 1.25], flip: true })) >= 0.555);
  } finally {
    model.dispose();
  }
});

test('257 ONNX model through atrous agrees with onnxruntime in the same pipeline (>= 99% of pixels)', async () => {
  const ours = await load('mobilenetv2-dm05-voc-257-onnx');
  const oracle = await ortModel257(ours.meta.resize);
  try {
    let same = 0;
    let all = 0;
    for (const id of vocIds().slice(0, 5)) {
      const a = (await ours.segment(vocImage(id))).labels;
      const b = (await oracle.segment(vocImage(id))).labels;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      all += a.length;
    }
    assert.ok(same / all >= 0.99, `agreement ${(same / all).toFixed(4)}`);
  } finally {
    ours.dispose();
    oracle.dispose();
  }
});

test('TF.js OS8 513 model (VOC trainval): mIoU >= 0.81', async () => {
  const model = await load('mobilenetv2-voc-trainval-513-tfjs');
  try {
    assert.is(model.meta.inputSize[0], 513);
    assert.ok(report('tfjs 513 default', await evaluate(model)) >= 0.81);
  } finally {
    model.dispose();
  }
});

test.run();
