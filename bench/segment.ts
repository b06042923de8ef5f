// End-to-end segment() on the 20 shared VOC images: atrous's engine vs onnxruntime-node as the network in
// the same pipeline (same decode, preprocessing and post-processing), as a ratio, plus mIoU of each.
// Run: ATROUS_MODELS=../shared/models npx tsx bench/segment.ts
import { load } from '../lib/load';
import type { SegmentationModel, SegmentOptions } from '../lib/segment/model';
import { sharedPath } from '../test/helpers/data';
import { ConfusionMatrix } from '../test/helpers/metrics';
import { ortModel257 } from '../test/helpers/ort-model';
import { vocIds, vocImage, vocMask } from '../test/helpers/voc-sample';

async function measure(model: SegmentationModel, opts: SegmentOptions): Promise<{ ms: number; miou: number }> {
  await model.segment(vocImage(vocIds()[0] as string), opts); // warm-up
  const cm = new ConfusionMatrix(21);
  let ms = 0;
  for (const id of vocIds()) {
    const t0 = performance.now();
    const r = await model.segment(vocImage(id), opts);
    ms += performance.now() - t0;
    cm.add((await vocMask(id)).ids, r.labels);
  }
  return { ms: ms / vocIds().length, miou: cm.meanIoU() };
}

async function main(): Promise<void> {
  process.env.ATROUS_MODELS ??= sharedPath('models');
  process.env.ATROUS_OFFLINE = '1';
  const ours = await load('mobilenetv2-dm05-voc-257-onnx');
  const peer = await ortModel257(ours.meta.resize);
  for (const [label, opts] of [['default', {}], ['scales 0.75,1,1.25 + flip', { scales: [0.75, 1, 1.25], flip: true }]] as [string, SegmentOptions][]) {
    const a = await measure(ours, opts);
    const b = await measure(peer, opts);
    console.log(`257 ONNX, ${label}: atrous ${a.ms.toFixed(0)} ms/image (mIoU ${a.miou.toFixed(4)}), onnxruntime ${b.ms.toFixed(0)} ms/image (mIoU ${b.miou.toFixed(4)}), atrous/onnxruntime time ${(a.ms / b.ms).toFixed(2)}`);
  }
  ours.dispose();
  peer.dispose();
  for (const name of ['mobilenetv2-dm05-voc-257', 'mobilenetv2-voc-trainval-513-tfjs']) {
    const m = await load(name);
    const r = await measure(m, {});
    console.log(`${name} (${m.meta.resize}): ${r.ms.toFixed(0)} ms/image, mIoU ${r.miou.toFixed(4)}`);
    m.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
