// The permutohedral lattice against brute-force Gaussian filtering computed in this test.
//
// What is compared: the CRF only ever uses a kernel's output divided by the kernel sums (every
// normalization mode cancels a constant gain), so we compare normalized outputs a_i = (Kv)_i / (K1)_i
// with values v in [0, 1]. Both are convex combinations of the v_j, so
//   |a_i − â_i| ≤ ½ Σ_j |w_ij − ŵ_ij| · (max v − min v) = TV_i,
// the total-variation distance between the exact and the lattice's normalized kernel rows. The lattice
// replaces each Gaussian row by a cascade of d+1 [½ 1 ½] blurs between simplex vertices of spacing ≈ σ
// (Adams et al. 2010), so TV_i stays small where a point has many neighbours within σ and grows toward 1
// for isolated points (a point alone in feature space keeps its own value exactly, while the lattice
// still mixes it with its simplex). We bound the relative L2 error ‖a − â‖ / ‖a‖ over an image by:
//   d = 2 (dense pixel grid, ≥ 1 neighbour per σ): 0.03;
//   d = 5 (colour axes sparse when srgb is near the colour noise): 0.2.
// The seeded sweep below measured at most 0.017 (d = 2) and 0.14 (d = 5, srgb 5 on noisy colours);
// real-image crops (srgb 3 and 13, sxy 1..30) measured 0.015 (d = 2) and 0.114 (d = 5).
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { crfFilterForTest } from '../lib/crf';
import { sharedDir } from './helpers/data';
import { bruteForceFilter, features, readRgb, rng } from './helpers/crf';

const BOUND = { 2: 0.03, 5: 0.2 } as const;

function relativeError(f: Float32Array, n: number, d: 2 | 5, seed: number): number {
  const vd = 4;
  const r = rng(seed);
  const v = new Float32Array(n * vd);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) v[i * vd + c] = r();
    v[i * vd + 3] = 1;
  }
  const approx = crfFilterForTest(f, n, d, v, vd, false);
  const exact = bruteForceFilter(f, n, d, v, vd);
  let diff2 = 0;
  let norm2 = 0;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      const a = approx[i * vd + c] / approx[i * vd + 3];
      const e = exact[i * vd + c] / exact[i * vd + 3];
      diff2 += (a - e) ** 2;
      norm2 += e ** 2;
    }
  return Math.sqrt(diff2 / norm2);
}

function randomImage(width: number, height: number, seed: number): Uint8Array {
  // Smooth colour regions with noise, like a photo at low resolution.
  const r = rng(seed);
  const centres = Array.from({ length: 4 }, () => [r() * width, r() * height, r() * 255, r() * 255, r() * 255]);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let best = centres[0];
      for (const c of centres) if ((c[0] - x) ** 2 + (c[1] - y) ** 2 < (best[0] - x) ** 2 + (best[1] - y) ** 2) best = c;
      for (let k = 0; k < 3; k++) rgb[(y * width + x) * 3 + k] = Math.max(0, Math.min(255, best[2 + k] + (r() - 0.5) * 24));
    }
  return rgb;
}

test('lattice vs brute force: seeded random images, d = 2 and 5, several σ', () => {
  let seed = 11;
  const worst = { 2: 0, 5: 0 };
  for (const [w, h] of [[24, 20], [40, 32]]) {
    for (const sxy of [1, 2, 5, 10]) {
      const rgb = randomImage(w, h, seed++);
      worst[2] = Math.max(worst[2], relativeError(features(rgb, w, h, sxy), w * h, 2, seed++));
      for (const srgb of [3, 13, 40])
        worst[5] = Math.max(worst[5], relativeError(features(rgb, w, h, sxy, srgb), w * h, 5, seed++));
    }
  }
  console.log(`    lattice relative L2 error, random: d=2 ${worst[2].toFixed(4)}, d=5 ${worst[5].toFixed(4)}`);
  assert.ok(worst[2] <= BOUND[2], `d=2 error ${worst[2]} > ${BOUND[2]}`);
  assert.ok(worst[5] <= BOUND[5], `d=5 error ${worst[5]} > ${BOUND[5]}`);
});

test('lattice vs brute force: real-image crops (≤ 64×64)', async () => {
  const data = path.join(sharedDir(), 'data');
  const crops = [
    [path.join(data, 'densecrf-examples', 'im1.png'), { left: 100, top: 80, width: 64, height: 48 }],
    [path.join(data, 'densecrf-examples', 'im3.png'), { left: 40, top: 40, width: 48, height: 48 }],
    [path.join(data, 'voc-sample', 'images', '2007_000676.jpg'), { left: 150, top: 100, width: 56, height: 40 }],
  ] as const;
  const worst = { 2: 0, 5: 0 };
  let seed = 500;
  for (const [file, crop] of crops) {
    const { rgb, width, height } = await readRgb(file, crop);
    for (const sxy of [1, 3, 8, 30]) {
      worst[2] = Math.max(worst[2], relativeError(features(rgb, width, height, sxy), width * height, 2, seed++));
      for (const srgb of [3, 13])
        worst[5] = Math.max(worst[5], relativeError(features(rgb, width, height, sxy, srgb), width * height, 5, seed++));
    }
  }
  console.log(`    lattice relative L2 error, real crops: d=2 ${worst[2].toFixed(4)}, d=5 ${worst[5].toFixed(4)}`);
  assert.ok(worst[2] <= BOUND[2], `d=2 error ${worst[2]} > ${BOUND[2]}`);
  assert.ok(worst[5] <= BOUND[5], `d=5 error ${worst[5]} > ${BOUND[5]}`);
});

test('brute-force hook agrees with the brute force here', () => {
  const w = 12;
  const h = 9;
  const rgb = randomImage(w, h, 3);
  const f = features(rgb, w, h, 2, 10);
  const v = Float32Array.from({ length: w * h * 2 }, rng(4));
  const native = crfFilterForTest(f, w * h, 5, v, 2, true);
  const here = bruteForceFilter(f, w * h, 5, v, 2);
  for (let i = 0; i < here.length; i++) assert.ok(Math.abs(native[i] - here[i]) <= 1e-4 * here[i], `at ${i}`);
});

test.run();
