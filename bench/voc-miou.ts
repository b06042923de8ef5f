// mIoU / pixel accuracy on the 20 shared VOC images for registry models and segment() options.
// Run: npx tsx bench/voc-miou.ts [model…]   (models come from ../shared/models, never the network)
import { load } from '../lib/load';
import type { SegmentOptions } from '../lib/segment/model';
import { sharedPath } from '../test/helpers/data';
import { ConfusionMatrix } from '../test/helpers/metrics';
import { vocIds, vocImage, vocMask } from '../test/helpers/voc-sample';

const OPTIONS: [string, SegmentOptions][] = [
  ['default', {}],
  ['flip', { flip: true }],
  ['scales 0.75,1,1.25', { scales: [0.75, 1, 1.25] }],
  ['scales 0.75,1,1.25 + flip', { scales: [0.75, 1, 1.25], flip: true }],
  ['slidingWindow', { slidingWindow: true }],
];

async function main(): Promise<void> {
  process.env.ATROUS_MODELS ??= sharedPath('models');
  process.env.ATROUS_OFFLINE = '1';
  const names = process.argv.slice(2);
  for (const name of names.length ? names : ['mobilenetv2-dm05-voc-257', 'mobilenetv2-voc-trainval-513-tfjs']) {
    const model = await load(name);
    for (const [label, opts] of OPTIONS) {
      const cm = new ConfusionMatrix(21);
      const t0 = performance.now();
      for (const id of vocIds()) cm.add((await vocMask(id)).ids, (await model.segment(vocImage(id), opts)).labels);
      const ms = (performance.now() - t0) / vocIds().length;
      console.log(`${name} (${model.meta.resize}) ${label.padEnd(26)} mIoU ${cm.meanIoU().toFixed(4)}  pixel acc ${cm.pixelAccuracy().toFixed(4)}  ${ms.toFixed(0)} ms/image`);
    }
    model.dispose();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
