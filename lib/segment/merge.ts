// Back to the original image: bilinear sampling of each run's logits at every original pixel it
// covers (resize → crop padding → tile offset → mirror, composed into one mapping), then argmax;
// or, over several runs (multi-scale, flip, overlapping tiles), softmax probabilities averaged.
import { alignCorners } from './preprocess';
import type { Run } from './policies';

/** NHWC logits of one run, batch 1. */
export interface Logits {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Per output position along one axis: covered?, the two logit rows/columns and the weight of the second. */
interface AxisMap {
  covered: Uint8Array;
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

/**
 * original axis (n0) → resized axis (size, corners aligned) → tile (offset, valid, mirrored) →
 * canvas (crop) → logits (corners aligned, as TF DeepLab upsamples them).
 */
function axisMap(n0: number, size: number, offset: number, valid: number, crop: number, nLogits: number, flip: boolean): AxisMap {
  const m: AxisMap = { covered: new Uint8Array(n0), i0: new Int32Array(n0), i1: new Int32Array(n0), w: new Float32Array(n0) };
  const eps = 1e-6;
  for (let i = 0; i < n0; i++) {
    let t = alignCorners(i, n0, size) - offset;
    if (t < -eps || t > valid - 1 + eps) continue;
    t = Math.min(Math.max(t, 0), valid - 1);
    if (flip) t = valid - 1 - t;
    const l = alignCorners(t, crop, nLogits); // canvas → logit grid
    const i0 = Math.min(Math.floor(l), nLogits - 1);
    m.covered[i] = 1;
    m.i0[i] = i0;
    m.i1[i] = Math.min(i0 + 1, nLogits - 1);
    m.w[i] = l - i0;
  }
  return m;
}

/**
 * For every original pixel the run covers, the bilinear interpolation of `grid` (logits or
 * probabilities): either its argmax into `labels`, or added to `sum` (and `count` incremented).
 */
function sample(
  run: Run, grid: Logits, h0: number, w0: number, inputSize: readonly [number, number],
  into: { labels: LabelArray } | { sum: Float32Array; count: Uint16Array },
): void {
  const { data, width: lw, channels: C } = grid;
  const ym = axisMap(h0, run.size[0], run.offset[0], run.valid[0], inputSize[0], grid.height, false);
  const xm = axisMap(w0, run.size[1], run.offset[1], run.valid[1], inputSize[1], lw, run.flip);
  const labels = 'labels' in into ? into.labels : undefined;
  const sum = 'sum' in into ? into.sum : undefined;
  const count = 'count' in into ? into.count : undefined;
  for (let y = 0; y < h0; y++) {
    if (!ym.covered[y]) continue;
    const r0 = (ym.i0[y] as number) * lw;
    const r1 = (ym.i1[y] as number) * lw;
    const wy = ym.w[y] as number;
    for (let x = 0; x < w0; x++) {
      if (!xm.covered[x]) continue;
      const wx = xm.w[x] as number;
      const a = (r0 + (xm.i0[x] as number)) * C;
      const b = (r0 + (xm.i1[x] as number)) * C;
      const c = (r1 + (xm.i0[x] as number)) * C;
      const d = (r1 + (xm.i1[x] as number)) * C;
      const wa = (1 - wy) * (1 - wx);
      const wb = (1 - wy) * wx;
      const wc = wy * (1 - wx);
      const wd = wy * wx;
      const p = y * w0 + x;
      if (labels) {
        let best = 0;
        let bv = -Infinity;
        for (let k = 0; k < C; k++) {
          const v = (data[a + k] as number) * wa + (data[b + k] as number) * wb + (data[c + k] as number) * wc + (data[d + k] as number) * wd;
          if (v > bv) {
            bv = v;
            best = k;
          }
        }
        labels[p] = best;
      } else if (sum && count) {
        const o = p * C;
        for (let k = 0; k < C; k++)
          sum[o + k] += (data[a + k] as number) * wa + (data[b + k] as number) * wb + (data[c + k] as number) * wc + (data[d + k] as number) * wd;
        count[p] = (count[p] as number) + 1;
      }
    }
  }
}

/** Softmax over the channels of every position of a logits grid (a new array). */
export function softmaxGrid(g: Logits): Logits {
  const C = g.channels;
  const out = new Float32Array(g.data.length);
  for (let o = 0; o < out.length; o += C) {
    let max = g.data[o] as number;
    for (let k = 1; k < C; k++) max = Math.max(max, g.data[o + k] as number);
    let z = 0;
    for (let k = 0; k < C; k++) {
      const e = Math.exp((g.data[o + k] as number) - max);
      out[o + k] = e;
      z += e;
    }
    for (let k = 0; k < C; k++) out[o + k] = (out[o + k] as number) / z;
  }
  return { ...g, data: out };
}

/** Class ids per pixel: bytes for up to 256 classes, else int32. */
export type LabelArray = Uint8Array | Int32Array;

export function newLabels(n: number, classes: number): LabelArray {
  return classes <= 256 ? new Uint8Array(n) : new Int32Array(n);
}

function argmax(v: Float32Array | ArrayLike<number>, from: number, C: number): number {
  let best = 0;
  let bv = v[from] as number;
  for (let k = 1; k < C; k++) {
    const x = v[from + k] as number;
    if (x > bv) {
      bv = x;
      best = k;
    }
  }
  return best;
}

/** One run, labels only: argmax of the bilinearly upsampled logits, as TF DeepLab does. */
export function labelsFromLogits(run: Run, logits: Logits, h0: number, w0: number, inputSize: readonly [number, number]): LabelArray {
  const labels = newLabels(h0 * w0, logits.channels);
  sample(run, logits, h0, w0, inputSize, { labels });
  return labels;
}

/** Argmax over the channels of per-pixel scores [pixels, classes]. */
export function argmaxLabels(scores: Float32Array, classes: number): LabelArray {
  const n = scores.length / classes;
  const labels = newLabels(n, classes);
  for (let p = 0; p < n; p++) labels[p] = argmax(scores, p * classes, classes);
  return labels;
}

/** Averages softmax probabilities over runs, per original pixel. */
export class ProbabilityAccumulator {
  readonly sum: Float32Array;
  private readonly count: Uint16Array;

  constructor(readonly height: number, readonly width: number, readonly classes: number) {
    this.sum = new Float32Array(height * width * classes);
    this.count = new Uint16Array(height * width);
  }

  /** Softmax on the logit grid, then bilinear probabilities at the original pixels (cheaper than per pixel). */
  add(run: Run, logits: Logits, inputSize: readonly [number, number]): void {
    sample(run, softmaxGrid(logits), this.height, this.width, inputSize, { sum: this.sum, count: this.count });
  }

  /** Adds probabilities already at the original size (a run covering every pixel). */
  addDense(probabilities: Float32Array): void {
    const { sum, count } = this;
    for (let i = 0; i < sum.length; i++) sum[i] += probabilities[i] as number;
    for (let p = 0; p < count.length; p++) count[p] = (count[p] as number) + 1;
  }

  /** Mean probabilities (in place) and their argmax. */
  finish(): { probabilities: Float32Array; labels: LabelArray } {
    const C = this.classes;
    for (let p = 0; p < this.count.length; p++) {
      const k = this.count[p] as number;
      const o = p * C;
      if (k > 1) for (let c = 0; c < C; c++) this.sum[o + c] = (this.sum[o + c] as number) / k;
    }
    return { probabilities: this.sum, labels: argmaxLabels(this.sum, C) };
  }
}
