// Pieces the three importers share: class lists, metadata defaults, number decoding, naming.
import { fail } from '../errors';
import type { ModelMeta, Normalization } from './types';

export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** Cityscapes trainId order (0 = road … 18 = bicycle). */
export const CITYSCAPES_CLASSES = [
  'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation',
  'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
];

/**
 * MLPerf-mobile ADE20K-32: background plus the 31 most frequent ADE20K-150 classes, in ADE20K order.
 */
export const ADE20K32_CLASSES = [
  'background', 'wall', 'building', 'sky', 'floor', 'tree', 'ceiling', 'road', 'bed', 'windowpane', 'grass',
  'cabinet', 'sidewalk', 'person', 'earth', 'door', 'table', 'mountain', 'plant', 'curtain', 'chair', 'car',
  'water', 'painting', 'sofa', 'shelf', 'house', 'sea', 'mirror', 'rug', 'field', 'armchair',
];

/** Dataset and class names guessed from the number of output classes. */
export function datasetFor(classes: number, override?: string[]): Pick<ModelMeta, 'dataset' | 'classes'> {
  const known: [ModelMeta['dataset'], string[]][] = [['voc', VOC_CLASSES], ['cityscapes', CITYSCAPES_CLASSES], ['ade20k32', ADE20K32_CLASSES]];
  const hit = known.find(([, names]) => names.length === classes);
  if (override) {
    if (override.length !== classes) fail('INVALID_ARGUMENT', `options.classes has ${override.length} names; the model has ${classes} classes`);
    return { dataset: hit?.[0] ?? 'unknown', classes: [...override] };
  }
  if (hit) return { dataset: hit[0], classes: [...hit[1]] };
  return { dataset: 'unknown', classes: Array.from({ length: classes }, (_, i) => `class_${i}`) };
}

/** (p - mean) / std with the same value for the three channels. */
export function uniformNorm(mean: number, std: number): Normalization {
  return { mean: [mean, mean, mean], std: [std, std, std] };
}

/** TF DeepLab's 'pad' policy for its crop sizes (513, 512); small mobile models expect a squashed image. */
export function resizePolicy(inputSize: [number, number]): ModelMeta['resize'] {
  return Math.max(...inputSize) >= 500 ? 'pad' : 'stretch';
}

/** IEEE half → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Hands out unique weight names derived from source tensor names. */
export class Namer {
  private readonly used = new Set<string>();
  name(base: string): string {
    let n = base.length > 80 ? base.slice(0, 80) : base || 'w';
    for (let i = 1; this.used.has(n); i++) n = `${base.slice(0, 80)}_${i}`;
    this.used.add(n);
    return n;
  }
}

/** [OHWI] weights from [O, KH, KW, I] or other layouts are produced by the importers; this permutes any 4-D array. */
export function permute4(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p] as number);
  const inStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const out = new Float32Array(data.length);
  const st = perm.map((p) => inStrides[p] as number);
  let k = 0;
  for (let a = 0; a < outShape[0]!; a++)
    for (let b = 0; b < outShape[1]!; b++)
      for (let c = 0; c < outShape[2]!; c++)
        for (let d = 0; d < outShape[3]!; d++) out[k++] = data[a * st[0]! + b * st[1]! + c * st[2]! + d * st[3]!] as number;
  return { data: out, shape: outShape };
}
