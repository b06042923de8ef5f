// atrous's segment pipeline (preprocessing, multi-scale/flip, back-mapping) with onnxruntime-node as the
// network: mIoU on the 20 shared VOC images for several option sets, independent of the importers.
// Run: npx tsx bench/voc-ort-pipeline.ts
import type { SegmentOptions } from '../lib/segment/model';
import { ConfusionMatrix } from '../test/helpers/metrics';
import { ortModel257 } from '../test/helpers/ort-model';
import { vocIds, vocImage, vocMask } from '../test/helpers/voc-sample';

async function main(): Promise<void> {
  const configs: [string, 'pad' | 'stretch', SegmentOptions][] = [
    ['pad', 'pad', {}],
    ['stretch', 'stretch', {}],
    ['stretch flip', 'stretch', { flip: true }],
    ['stretch scales 0.75,1,1.25', 'stretch', { scales: [0.75, 1, 1.25] }],
    ['stretch scales 0.75,1,1.25 + flip', 'stretch', { scales: [0.75, 1, 1.25], flip: true }],
    ['pad scales 0.75,1,1.25 + flip', 'pad', { scales: [0.75, 1, 1.25], flip: true }],
    ['pad slidingWindow', 'pad', { slidingWindow: true }],
  ];
  for (const [label, resize, opts] of configs) {
    const model = await ortModel257(resize);
    const cm = new ConfusionMatrix(21);
    const t0 = performance.now();
    for (const id of vocIds()) {
      const r = await model.segment(vocImage(id), opts);
      cm.add((await vocMask(id)).ids, r.labels);
    }
    console.log(`${label.padEnd(36)} mIoU ${cm.meanIoU().toFixed(4)}  pixel acc ${cm.pixelAccuracy().toFixed(4)}  ${((performance.now() - t0) / 20).toFixed(0)} ms/image`);
    model.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
