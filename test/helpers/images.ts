// Image → normalized NHWC tensors and logits → labels, for the real-model import tests.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

import type { Tensor } from '../../lib/model';
import type { Normalization } from '../../lib/import/types';
import { sharedPath } from './data';

/** The ids of the shared VOC val images (images/<id>.jpg, masks/<id>.png). */
export function vocIds(): string[] {
  return fs.readdirSync(sharedPath('data', 'voc-sample', 'images')).filter((f) => f.endsWith('.jpg')).map((f) => path.basename(f, '.jpg')).sort();
}

/** RGB bytes of an image squashed to w×h. */
export async function rgbResized(file: string, w: number, h: number): Promise<Uint8Array> {
  return sharp(file).resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

/** (p - mean) / std per channel. */
export function normalize(rgb: Uint8Array, n: Normalization): Float32Array {
  const x = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) x[i] = ((rgb[i] as number) - n.mean[i % 3]!) / n.std[i % 3]!;
  return x;
}

/** Argmax over channels of an NHWC float tensor (ties → lowest class). */
export function argmaxLabels(data: ArrayLike<number>, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let p = 0; p < out.length; p++) {
    let best = 0;
    for (let c = 1; c < channels; c++) if ((data[p * channels + c] as number) > (data[p * channels + best] as number)) best = c;
    out[p] = best;
  }
  return out;
}

export function labelsOf(t: Tensor): Uint8Array {
  return argmaxLabels(t.data, t.shape[3]);
}

/** Fraction of positions where a and b agree. */
export function agreement(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`label maps of ${a.length} and ${b.length} pixels`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
