// The CRF on pydensecrf's published examples (settings from /shared/data/MANIFEST.md): unary from the
// colour annotation with gt_prob 0.7 (black = unknown = uniform), Gaussian sxy 3 compat 3, bilateral
// sxy 80 srgb 13 compat 10, 5 iterations, symmetric normalization — the 'densecrf' preset.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { crf } from '../lib/crf';
import { sharedDir } from './helpers/data';
import { readRgb } from './helpers/crf';

const colourKey = (rgb: Uint8Array, p: number) => (rgb[p * 3] << 16) | (rgb[p * 3 + 1] << 8) | rgb[p * 3 + 2];

for (const n of [1, 2, 3]) {
  test(`densecrf example ${n}: ≥ 95 % label agreement with the published out${n}.png`, async () => {
    const dir = path.join(sharedDir(), 'data', 'densecrf-examples');
    const anno = await readRgb(path.join(dir, `anno${n}.png`));
    const out = await readRgb(path.join(dir, `out${n}.png`));
    const pixels = anno.width * anno.height;
    const colours = [...new Set(Array.from({ length: pixels }, (_, p) => colourKey(anno.rgb, p)))]
      .filter((c) => c !== 0)
      .sort((a, b) => a - b);
    const labels = colours.length;
    const gt = 0.7;
    const scores = new Float32Array(pixels * labels);
    for (let p = 0; p < pixels; p++) {
      const l = colours.indexOf(colourKey(anno.rgb, p));
      for (let k = 0; k < labels; k++) scores[p * labels + k] = l < 0 ? 1 / labels : k === l ? gt : (1 - gt) / (labels - 1);
    }
    const result = await crf(path.join(dir, `im${n}.png`), scores, 'densecrf');
    assert.is(result.width, out.width);
    assert.is(result.height, out.height);
    let agree = 0;
    for (let p = 0; p < pixels; p++) if (colours[result.labels[p]] === colourKey(out.rgb, p)) agree++;
    const rate = agree / pixels;
    console.log(`    example ${n}: ${labels} labels, agreement ${(100 * rate).toFixed(2)} %`);
    assert.ok(rate >= 0.95, `agreement ${rate}`);
  });
}

test.run();
