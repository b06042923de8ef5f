// Every model in the shared set imports, compiles and runs, with metadata that matches the MANIFEST.
import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { importModel } from '../lib/import';
import { compile } from '../lib/model';
import { sharedPath } from './helpers/data';
import { seededRandom } from './helpers/onnx-writer';

const MODELS: { file: string; size: number; classes: number; dataset: string; format: string }[] = [
  { file: 'deeplabv3_mnv2_dm05_voc_257.tflite', size: 257, classes: 21, dataset: 'voc', format: 'tflite' },
  { file: 'deeplabv3_mnv2_dm05_voc_257_metadata.tflite', size: 257, classes: 21, dataset: 'voc', format: 'tflite' },
  { file: 'deeplabv3_mnv2_dm05_voc_257.onnx', size: 257, classes: 21, dataset: 'voc', format: 'onnx' },
  { file: 'deeplabv3_mnv2_dm05_voc_513_fp16.tflite', size: 513, classes: 21, dataset: 'voc', format: 'tflite' },
  { file: 'deeplabv3_mnv2_voc_513_uint8.tflite', size: 513, classes: 21, dataset: 'voc', format: 'tflite' },
  { file: 'deeplabv3_mnv2_dm05_voc_513_uint8.tflite', size: 513, classes: 21, dataset: 'voc', format: 'tflite' },
  { file: 'deeplab_edgetpu_slim_cityscapes_513_uint8.tflite', size: 513, classes: 19, dataset: 'cityscapes', format: 'tflite' },
  { file: 'deeplabv3plus_mnv2_ade20k32_512_int8.tflite', size: 512, classes: 32, dataset: 'ade20k32', format: 'tflite' },
  { file: 'deeplabv3plus_mnv2_ade20k32_512_uint8.tflite', size: 512, classes: 32, dataset: 'ade20k32', format: 'tflite' },
  { file: 'deeplabv3_mnv2_voc_trainval_513_tfjs', size: 513, classes: 21, dataset: 'voc', format: 'tfjs' },
];

test('the shared model set is the one listed here', () => {
  const onDisk = fs.readdirSync(sharedPath('models')).filter((f) => !f.endsWith('.md') && !f.endsWith('.txt')).sort();
  assert.equal(onDisk, MODELS.map((m) => m.file).sort());
});

for (const m of MODELS) {
  test(`${m.file} imports, compiles and runs`, async () => {
    const imported = await importModel(sharedPath('models', m.file));
    const { meta } = imported;
    assert.is(meta.format, m.format);
    assert.equal(meta.inputSize, [m.size, m.size]);
    assert.is(meta.classes.length, m.classes);
    assert.is(meta.dataset, m.dataset);
    assert.is(meta.outputKind, 'logits');
    assert.ok(meta.normalization.std.every((s) => s > 100 && s < 130), `std ${meta.normalization.std}`);
    const model = await compile(imported.graph);
    const out = (await model.run(seededRandom(m.size * m.size * 3, 5))).logits!;
    assert.is(out.shape[3], m.classes);
    assert.ok(out.data.every(Number.isFinite), 'finite logits');
    model.dispose();
  });
}

test.run();
