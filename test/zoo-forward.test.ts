// Every zoo network runs one forward pass (random seeded weights) at 513×513 with the output shape
// and output stride its options say. ATROUS_ZOO_TEST_SIZE=<n> runs at n×n instead (while developing:
// the reference CPU kernels take minutes per ResNet-101 / Xception pass at 513²);
// ATROUS_ZOO_TEST_ONLY=<regex> runs only the cases whose name matches.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { zoo } from '../lib/index';
import type { ZooNetwork } from '../lib/zoo/index';
import { seededRandom } from './helpers/onnx-writer';

const size = Number(process.env.ATROUS_ZOO_TEST_SIZE ?? 513);
if (!Number.isInteger(size) || size < 33) throw new Error(`ATROUS_ZOO_TEST_SIZE must be an integer >= 33, got ${process.env.ATROUS_ZOO_TEST_SIZE}`);
const inputSize = [size, size] as const;
const strided = (n: number, s: number) => Math.floor((n - 1) / s) + 1;

const cases: [string, () => ZooNetwork, number][] = [
  ['v1 largefov', () => zoo.deeplabV1({ variant: 'largefov', inputSize }), 8],
  ['v1 largefov-msc', () => zoo.deeplabV1({ variant: 'largefov-msc', inputSize }), 8],
  ['v2 resnet101', () => zoo.deeplabV2({ backbone: 'resnet101', inputSize }), 8],
  ['v2 vgg16', () => zoo.deeplabV2({ backbone: 'vgg16', inputSize }), 8],
  ['v3 resnet50 os8 (torchvision)', () => zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, asppRates: [12, 24, 36], auxHead: true, inputSize }), 8],
  ['v3 resnet101 os16', () => zoo.deeplabV3({ backbone: 'resnet101', outputStride: 16, inputSize }), 16],
  ['v3 mobilenetv2 os8', () => zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, inputSize }), 8],
  ['v3 mobilenetv2 dm0.5 os16', () => zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16, depthMultiplier: 0.5, inputSize }), 16],
  ['v3+ xception65 os16', () => zoo.deeplabV3Plus({ backbone: 'xception65', outputStride: 16, inputSize }), 4],
  ['v3+ resnet101 os16', () => zoo.deeplabV3Plus({ backbone: 'resnet101', outputStride: 16, inputSize }), 4],
  ['v3+ mobilenetv2 os8', () => zoo.deeplabV3Plus({ backbone: 'mobilenetv2', outputStride: 8, inputSize }), 4],
];

const only = new RegExp(process.env.ATROUS_ZOO_TEST_ONLY ?? '');
for (const [name, build, scoresStride] of cases.filter(([n]) => only.test(n))) {
  test(`${name} runs at ${size}×${size}`, async () => {
    const net = build().initRandom(42);
    assert.is(net.scoresStride, scoresStride);
    const side = strided(size, scoresStride);
    assert.equal(net.scores.shape, [1, side, side, net.numClasses]);
    const model = await net.compile();
    try {
      const out = await model.run(seededRandom(size * size * 3, 7));
      const logits = out.logits!;
      assert.equal(logits.shape, [1, size, size, net.numClasses]);
      let lo = Infinity, hi = -Infinity;
      for (const v of logits.data) {
        if (!Number.isFinite(v)) assert.unreachable(`non-finite logit ${v}`);
        lo = Math.min(lo, v), hi = Math.max(hi, v);
      }
      assert.ok(hi > lo, 'logits vary over the image');
      if (out.aux_logits) assert.equal(out.aux_logits.shape, [1, size, size, net.numClasses]);
    } finally {
      model.dispose();
    }
  });
}

test.run();
