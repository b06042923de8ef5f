// atrous's segment pipeline (preprocessing, multi-scale/flip, back-mapping) with onnxruntime-node as the
// network: mIoU on the 20 shared VOC images for several option sets, independent of the importers.
// Run: npx tsx bench/voc-ort-pipeline.ts
import * as ort from 'onnxruntime-node';

import type { ModelMeta } from '../lib/import/types';
import { LogitsRunner, SegmentationModel, SegmentOptions } from '../lib/segment/model';
import { sharedPath } from '../test/helpers/data';
import { ConfusionMatrix } from '../test/helpers/metrics';
import { vocIds, vocImage, vocMask } from '../test/helpers/voc';
import fs from 'node:fs';

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx'));
  const runner: LogitsRunner = {
    async run(input) {
      const out = await session.run({ sub_7: new ort.Tensor('float32', input, [1, 257, 257, 3]) });
      const t = out.ResizeBilinear_3 as ort.Tensor;
      const [, h, w, c] = t.dims as number[];
      return { data: t.data as Float32Array, height: h as number, width: w as number, channels: c as number };
    },
    dispose() {},
  };
  const classes = fs.readFileSync(sharedPath('models', 'labels_pascal_voc_21.txt'), 'utf8').trim().split('\n');
  const base: ModelMeta = {
    name: 'ort-257', format: 'onnx', inputSize: [257, 257], normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    resize: 'pad', classes, dataset: 'voc', outputKind: 'logits', layout: 'nhwc',
  };
  const configs: [string, ModelMeta, SegmentOptions][] = [
    ['pad', base, {}],
    ['stretch', { ...base, resize: 'stretch' }, {}],
    ['pad flip', base, { flip: true }],
    ['pad scales 0.75,1,1.25', base, { scales: [0.75, 1, 1.25] }],
    ['pad scales 0.75,1,1.25 + flip', base, { scales: [0.75, 1, 1.25], flip: true }],
    ['pad slidingWindow', base, { slidingWindow: true }],
  ];
  for (const [label, meta, opts] of configs) {
    const model = new SegmentationModel(meta, runner);
    const cm = new ConfusionMatrix(21);
    const t0 = performance.now();
    for (const id of vocIds()) {
      const r = await model.segment(vocImage(id), opts);
      const m = await vocMask(id);
      cm.add(m.ids, r.labels);
    }
    console.log(`${label.padEnd(32)} mIoU ${cm.meanIoU().toFixed(4)}  pixel acc ${cm.pixelAccuracy().toFixed(4)}  ${((performance.now() - t0) / 20).toFixed(0)} ms/image`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
