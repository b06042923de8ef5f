// Bilinear resize against the exact published formulas, computed here pixel by pixel in float64.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile, CoordinateMode, Graph } from '../lib/index';
import { maxAbsDiff, seededRandom } from './helpers/onnx-writer';

type Image = { data: Float32Array; h: number; w: number; c: number };

// TF resize_bilinear(align_corners=True): src = dst * (in - 1) / (out - 1).
// PyTorch interpolate(align_corners=False) / TF half_pixel_centers: src = max(0, (dst + 0.5) * in / out - 0.5).
function exact(img: Image, oh: number, ow: number, mode: 'tf_align_corners' | 'torch_half_pixel'): Float32Array {
  const src = (d: number, inSize: number, outSize: number) =>
    mode === 'tf_align_corners'
      ? outSize > 1 ? (d * (inSize - 1)) / (outSize - 1) : 0
      : Math.max(0, ((d + 0.5) * inSize) / outSize - 0.5);
  const out = new Float32Array(oh * ow * img.c);
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(src(y, img.h, oh), img.h - 1), y0 = Math.floor(sy), y1 = Math.min(y0 + 1, img.h - 1), fy = sy - y0;
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(src(x, img.w, ow), img.w - 1), x0 = Math.floor(sx), x1 = Math.min(x0 + 1, img.w - 1), fx = sx - x0;
      for (let k = 0; k < img.c; k++) {
        const at = (yy: number, xx: number) => img.data[(yy * img.w + xx) * img.c + k] as number;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * ow + x) * img.c + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

async function ours(img: Image, oh: number, ow: number, coordinateMode: CoordinateMode): Promise<Float32Array> {
  const g = new Graph();
  const x = g.input('x', [1, img.h, img.w, img.c]);
  g.output('y', g.resizeBilinear(x, { size: [oh, ow], coordinateMode }));
  const m = await compile(g, undefined, { threads: 2 });
  const r = await m.run(img.data);
  m.dispose();
  return r.y!.data as Float32Array;
}

const cases: [number, number, number, number, number][] = [
  // h, w, c, out h, out w: up, down, odd factors, 1-pixel edge cases, DeepLab's 33→257 and 65→513.
  [4, 5, 3, 9, 11], [9, 7, 2, 4, 3], [33, 33, 4, 257, 257], [65, 65, 2, 513, 513], [1, 6, 3, 5, 12], [7, 1, 2, 3, 4], [5, 5, 1, 1, 1],
];

test('align_corners mode equals TF align_corners=True', async () => {
  for (const [h, w, c, oh, ow] of cases) {
    const img = { data: seededRandom(h * w * c, h * 31 + w), h, w, c };
    const d = maxAbsDiff(await ours(img, oh, ow, 'align_corners'), exact(img, oh, ow, 'tf_align_corners'));
    assert.ok(d < 1e-5, `${h}x${w} → ${oh}x${ow}: max abs diff ${d}`);
  }
});

test('half_pixel mode equals PyTorch align_corners=False (and TF half_pixel_centers)', async () => {
  for (const [h, w, c, oh, ow] of cases) {
    const img = { data: seededRandom(h * w * c, h * 17 + w), h, w, c };
    const d = maxAbsDiff(await ours(img, oh, ow, 'half_pixel'), exact(img, oh, ow, 'torch_half_pixel'));
    assert.ok(d < 1e-5, `${h}x${w} → ${oh}x${ow}: max abs diff ${d}`);
  }
});

test('the two modes really differ (the test can tell them apart)', async () => {
  const img = { data: seededRandom(4 * 4, 5), h: 4, w: 4, c: 1 };
  const d = maxAbsDiff(await ours(img, 9, 9, 'align_corners'), exact(img, 9, 9, 'torch_half_pixel'));
  assert.ok(d > 1e-2, `modes should differ, diff ${d}`);
});

test.run();
