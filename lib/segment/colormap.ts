// Colours for label maps: the PASCAL VOC colour map for every dataset, unless the dataset has its own.
import type { ModelMeta } from '../import/types';

/** An 8-bit colour. */
export type RGB = [number, number, number];

/** The standard PASCAL VOC colour map: bits of the label id spread over the high bits of R, G, B. */
export function vocColor(label: number): RGB {
  let r = 0;
  let g = 0;
  let b = 0;
  let c = label;
  for (let j = 0; j < 8; j++) {
    r |= ((c >> 0) & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

/** Cityscapes colours by trainId (0 = road … 18 = bicycle). */
const CITYSCAPES: readonly RGB[] = [
  [128, 64, 128], [244, 35, 232], [70, 70, 70], [102, 102, 156], [190, 153, 153], [153, 153, 153],
  [250, 170, 30], [220, 220, 0], [107, 142, 35], [152, 251, 152], [70, 130, 180], [220, 20, 60],
  [255, 0, 0], [0, 0, 142], [0, 0, 70], [0, 60, 100], [0, 80, 100], [0, 0, 230], [119, 11, 32],
];

/** A flat RGB palette (3 bytes per label) for `numClasses` labels of `dataset`. */
export function palette(dataset: ModelMeta['dataset'], numClasses: number): Uint8Array {
  const out = new Uint8Array(numClasses * 3);
  for (let i = 0; i < numClasses; i++) {
    const c = dataset === 'cityscapes' && i < CITYSCAPES.length ? (CITYSCAPES[i] as RGB) : vocColor(i % 256);
    out.set(c, i * 3);
  }
  return out;
}
