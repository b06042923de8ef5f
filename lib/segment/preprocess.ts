// Preprocessing: bilinear resize (TF align_corners convention) and the normalized, padded input canvas.
import type { Normalization } from '../import/types';
import type { RgbImage } from './image';
import type { Run } from './policies';

/** A float RGB image, 3 values per pixel. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Position `i` of an output axis of length `out` in an input axis of length `inp`, corners aligned. */
export function alignCorners(i: number, out: number, inp: number): number {
  return out > 1 ? (i * (inp - 1)) / (out - 1) : 0;
}

/** Bilinear resize of an RGB image to h×w, corners aligned (as TF DeepLab resizes its inputs). */
export function resizeRgb(img: RgbImage, h: number, w: number): FloatImage {
  const { data: src, width: w0, height: h0 } = img;
  const out = new Float32Array(h * w * 3);
  if (h === h0 && w === w0) {
    for (let i = 0; i < out.length; i++) out[i] = src[i] as number;
    return { data: out, width: w, height: h };
  }
  const x0s = new Int32Array(w);
  const x1s = new Int32Array(w);
  const wxs = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const sx = alignCorners(x, w, w0);
    const x0 = Math.min(Math.floor(sx), w0 - 1);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, w0 - 1) * 3;
    wxs[x] = sx - x0;
  }
  for (let y = 0; y < h; y++) {
    const sy = alignCorners(y, h, h0);
    const y0 = Math.min(Math.floor(sy), h0 - 1);
    const wy = sy - y0;
    const r0 = y0 * w0 * 3;
    const r1 = Math.min(y0 + 1, h0 - 1) * w0 * 3;
    let o = y * w * 3;
    for (let x = 0; x < w; x++) {
      const a = x0s[x] as number;
      const b = x1s[x] as number;
      const wx = wxs[x] as number;
      for (let c = 0; c < 3; c++, o++) {
        const top = (src[r0 + a + c] as number) * (1 - wx) + (src[r0 + b + c] as number) * wx;
        const bot = (src[r1 + a + c] as number) * (1 - wx) + (src[r1 + b + c] as number) * wx;
        out[o] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * The network input for one run: the run's tile of the resized image at the top-left of an
 * H×W canvas (mirrored when `run.flip`), normalized; the rest is the mean pixel (0 after normalization).
 */
export function makeCanvas(scaled: FloatImage, run: Run, inputSize: readonly [number, number], norm: Normalization): Float32Array {
  const [H, W] = inputSize;
  const [oy, ox] = run.offset;
  const [vh, vw] = run.valid;
  const canvas = new Float32Array(H * W * 3);
  const m = norm.mean;
  const inv = [1 / norm.std[0], 1 / norm.std[1], 1 / norm.std[2]];
  const src = scaled.data;
  for (let y = 0; y < vh; y++) {
    const row = ((oy + y) * scaled.width + ox) * 3;
    for (let x = 0; x < vw; x++) {
      const s = row + (run.flip ? vw - 1 - x : x) * 3;
      const d = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) canvas[d + c] = ((src[s + c] as number) - (m[c] as number)) * (inv[c] as number);
    }
  }
  return canvas;
}
