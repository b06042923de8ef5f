// Coral's own golden check, through segment(): the 513 uint8 VOC models on bird_segmentation.bmp against
// bird_segmentation_mask.bmp, with libcoral's measure (pixels equal / (2·pixels − pixels equal)) > 0.9.
// The bird-class IoU is printed too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { load } from '../lib/load';
import { readBmp } from './helpers/bmp';
import { sharedPath } from './helpers/data';

test.before.each(() => {
  process.env.ATROUS_MODELS = sharedPath('models');
  process.env.ATROUS_OFFLINE = '1';
});

for (const name of ['mobilenetv2-voc-513-uint8', 'mobilenetv2-dm05-voc-513-uint8'])
  test(`${name}: Coral's golden bird image, IoU > 0.9 as libcoral measures it (raw RGB input)`, async () => {
    const image = readBmp(sharedPath('data', 'coral-golden', 'bird_segmentation.bmp'));
    const mask = readBmp(sharedPath('data', 'coral-golden', 'bird_segmentation_mask.bmp'));
    assert.is(image.channels, 3);
    const model = await load(name);
    try {
      const r = await model.segment({ data: image.data, width: image.width, height: image.height, channels: 3 });
      const bird = r.classes.indexOf('bird');
      assert.ok(bird > 0, 'the model has a bird class');
      assert.is(r.labels.length, mask.data.length);
      let inter = 0;
      let union = 0;
      let equal = 0;
      for (let p = 0; p < r.labels.length; p++) {
        const a = r.labels[p] === bird;
        const b = mask.data[p] === bird;
        if (a && b) inter++;
        if (a || b) union++;
        if (r.labels[p] === mask.data[p]) equal++;
      }
      const coral = equal / (2 * r.labels.length - equal);
      console.log(`  ${name}: Coral IoU ${coral.toFixed(4)}, bird IoU ${(inter / union).toFixed(4)}`);
      assert.ok(coral > 0.9, `Coral IoU ${coral}`);
    } finally {
      model.dispose();
    }
  });

test.run();
