// The CRF benchmarks' input: a VOC photo at 500×375 and 21-label scores shaped like a network's softmax
// (smooth in space, one label leading per region).
import sharp from 'sharp';

import { sharedPath } from './util';

export interface CrfBenchInput {
  rgb: Uint8Array;
  width: number;
  height: number;
  labels: number;
  scores: Float32Array;
}

export async function crfBenchInput(labels = 21): Promise<CrfBenchInput> {
  const file = sharedPath('data', 'voc-sample', 'images', '2007_000676.jpg');
  const width = 500;
  const height = 375;
  const { data } = await sharp(file).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const scores = new Float32Array(width * height * labels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const lead = (Math.floor(x / 100) + 5 * Math.floor(y / 125)) % labels;
      let sum = 0;
      for (let l = 0; l < labels; l++) {
        const v = (l === lead ? 4 : 1) + Math.sin(0.05 * x * (l + 1)) * Math.cos(0.03 * y * (l + 2));
        scores[p * labels + l] = v;
        sum += v;
      }
      for (let l = 0; l < labels; l++) scores[p * labels + l] /= sum;
    }
  return { rgb: new Uint8Array(data), width, height, labels, scores };
}
