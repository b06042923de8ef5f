// A tiny "segmentation network" for tests: a 1x1 conv mapping normalized RGB to 3 class scores
// (background for the mean/padding colour, red, blue), with stride 1 (logits at canvas size) or
// stride 2 (logits at (size-1)/2+1, corners aligned with the canvas, as DeepLab's output stride).
import { Graph } from '../../lib/graph/builder';
import type { ImportedModel, ModelMeta } from '../../lib/import/types';
import { SegmentationModel } from '../../lib/segment/model';

export const CLASSES = ['background', 'red', 'blue'];
/** class scores = W · x + b, x = (rgb - 127.5) / 127.5 */
export const W = [
  [0, 0, 0],
  [2, 0, 0],
  [0, 0, 2],
];
export const B = [0.5, -0.5, -0.5];
export const NORM: ModelMeta['normalization'] = { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };

export function syntheticImported(size: number, stride: 1 | 2, resize: ModelMeta['resize']): ImportedModel {
  const g = new Graph();
  const x = g.input('image', [1, size, size, 3]);
  const weight = g.weight('w', [3, 1, 1, 3], Float32Array.from(W.flat()));
  const bias = g.weight('b', [3], Float32Array.from(B));
  g.output('logits', g.conv2d(x, { weight, bias, strides: stride }));
  return {
    graph: g, input: 'image', output: 'logits',
    meta: {
      name: 'synthetic', format: 'onnx', inputSize: [size, size], normalization: NORM, resize,
      classes: CLASSES, dataset: 'voc', outputKind: 'logits', layout: 'nhwc',
    },
  };
}

export function syntheticModel(size: number, stride: 1 | 2, resize: ModelMeta['resize']): Promise<SegmentationModel> {
  return SegmentationModel.fromImported(syntheticImported(size, stride, resize), { threads: 1 });
}

/** Softmax(W·x+b) of one pixel, computed directly. */
export function pixelProbabilities(r: number, g: number, b: number): number[] {
  const x = [r, g, b].map((v, c) => (v - (NORM.mean[c] as number)) / (NORM.std[c] as number));
  const s = W.map((row, k) => row.reduce((acc, w, c) => acc + w * (x[c] as number), B[k] as number));
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / z);
}

/** An RGB image, red where `isRed(x, y)`, blue elsewhere; the class ids it should get. */
export function twoColourImage(width: number, height: number, isRed: (x: number, y: number) => boolean): { data: Uint8Array; truth: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  const truth = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const red = isRed(x, y);
      data[p * 3] = red ? 255 : 0;
      data[p * 3 + 2] = red ? 0 : 255;
      truth[p] = red ? 1 : 2;
    }
  return { data, truth };
}
