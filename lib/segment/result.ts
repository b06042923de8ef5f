// The result of segment(): labels at the original size, an optional probability map, legend and PNG output.
import sharp from 'sharp';

import { fail, show } from '../errors';
import type { ModelMeta } from '../import/types';
import { palette, RGB } from './colormap';
import type { RgbImage } from './image';
import type { LabelArray } from './merge';

/** One class present in a result. */
export interface LegendEntry {
  id: number;
  name: string;
  color: RGB;
  /** Number of pixels with this label. */
  pixels: number;
}

/** How {@link SegmentationResult.toPNG} draws the labels. */
export type PngMode = 'labels' | 'color' | 'overlay';

/** Options of {@link SegmentationResult.toPNG}. */
export interface ToPngOptions {
  /** `labels`: 8-bit grey class ids; `color`: colour map; `overlay`: image blended with the colours. */
  mode?: PngMode;
  /** Colour weight in `overlay` mode, 0..1 (default 0.5). */
  alpha?: number;
}

export const PNG_MODES: readonly PngMode[] = ['labels', 'color', 'overlay'];

/** The result of a segmentation: class ids at the original image size, and ways to look at them. */
export class SegmentationResult {
  /** Class ids, row-major, at the original image size. */
  readonly labels: LabelArray;
  /** Mean softmax probabilities [height, width, classes] when `outputs` asked for them. */
  readonly probabilities?: Float32Array;
  readonly width: number;
  readonly height: number;
  /** Class names, index = label id. */
  readonly classes: readonly string[];
  private readonly image: RgbImage;
  private readonly dataset: ModelMeta['dataset'];

  /** @internal */
  constructor(init: {
    image: RgbImage; labels: LabelArray; probabilities?: Float32Array; classes: readonly string[]; dataset: ModelMeta['dataset'];
  }) {
    this.image = init.image;
    this.width = init.image.width;
    this.height = init.image.height;
    this.labels = init.labels;
    if (init.probabilities) this.probabilities = init.probabilities;
    this.classes = init.classes;
    this.dataset = init.dataset;
  }

  /** Colour of every class id. */
  palette(): Uint8Array {
    return palette(this.dataset, Math.max(this.classes.length, 1));
  }

  /** The classes present, by id, with their colour and pixel count. */
  legend(): LegendEntry[] {
    const counts = new Map<number, number>();
    for (const l of this.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const pal = palette(this.dataset, Math.max(this.classes.length, ...counts.keys()) + 1);
    return [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, pixels]) => ({
        id,
        name: this.classes[id] ?? `class ${id}`,
        color: [pal[id * 3], pal[id * 3 + 1], pal[id * 3 + 2]] as RGB,
        pixels,
      }));
  }

  /** Encodes the labels as PNG (sharp). */
  async toPNG(options: ToPngOptions = {}): Promise<Buffer> {
    const mode = options.mode ?? 'color';
    if (!PNG_MODES.includes(mode)) fail('INVALID_ARGUMENT', `toPNG: options.mode must be one of ${PNG_MODES.join(', ')}, got ${show(mode)}`);
    const alpha = options.alpha ?? 0.5;
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) fail('INVALID_ARGUMENT', `toPNG: options.alpha must be a number in [0, 1], got ${show(alpha)}`);
    const { width, height } = this;
    const n = width * height;
    if (mode === 'labels') {
      if (this.classes.length > 256) fail('UNSUPPORTED', `toPNG: mode 'labels' writes 8-bit ids; this model has ${this.classes.length} classes`);
      const grey = Buffer.from(this.labels as Uint8Array);
      return sharp(grey, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    }
    const pal = this.palette();
    const rgb = Buffer.alloc(n * 3);
    const img = this.image.data;
    // In overlay mode, pixels of a class named 'background' keep the image as it is.
    const background = this.classes.indexOf('background');
    for (let p = 0; p < n; p++) {
      const l = this.labels[p] as number;
      for (let c = 0; c < 3; c++) {
        const color = pal[(l * 3 + c) % pal.length] as number;
        const o = p * 3 + c;
        if (mode === 'color') rgb[o] = color;
        else rgb[o] = l === background ? (img[o] as number) : Math.round((1 - alpha) * (img[o] as number) + alpha * color);
      }
    }
    return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
  }
}
