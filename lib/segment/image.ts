// Decodes any supported input to packed 8-bit RGB with sharp.
import fs from 'node:fs';
import sharp from 'sharp';

import { AtrousError, fail, show } from '../errors';

/** Raw pixels: `channels` interleaved bytes per pixel (1 = grey, 3 = RGB, 4 = RGBA; alpha is dropped). */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** A file path, an encoded image (JPEG, PNG, WebP, …) or raw pixels. */
export type ImageInput = string | Uint8Array | RawImage;

/** Packed RGB, 3 bytes per pixel, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const MAX_PIXELS = 1 << 28;

export async function decodeImage(input: ImageInput): Promise<RgbImage> {
  if (typeof input === 'string') {
    if (!fs.existsSync(input)) fail('NOT_FOUND', `image file not found: ${show(input)}`);
    return decodeEncoded(input, input);
  }
  if (input instanceof Uint8Array) return decodeEncoded(input, `${input.length}-byte buffer`);
  if (input && typeof input === 'object' && 'data' in input) return fromRaw(input);
  fail('INVALID_ARGUMENT', `input must be a file path, an encoded image Buffer/Uint8Array or {data, width, height, channels}, got ${show(input)}`);
}

async function decodeEncoded(src: string | Uint8Array, what: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(src, { limitInputPixels: MAX_PIXELS })
      .rotate() // honour EXIF orientation
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) fail('UNSUPPORTED', `decoded ${what} has ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    if (e instanceof AtrousError) throw e;
    fail('INVALID_ARGUMENT', `input: could not decode ${what} as an image (${(e as Error).message})`);
  }
}

function fromRaw(raw: RawImage): RgbImage {
  const { data, width, height, channels } = raw;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray))
    fail('INVALID_ARGUMENT', `input.data must be a Uint8Array, got ${show(data)}`);
  if (!Number.isInteger(width) || width < 1) fail('INVALID_ARGUMENT', `input.width must be a positive integer, got ${show(width)}`);
  if (!Number.isInteger(height) || height < 1) fail('INVALID_ARGUMENT', `input.height must be a positive integer, got ${show(height)}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail('INVALID_ARGUMENT', `input.channels must be 1, 3 or 4, got ${show(channels)}`);
  if (width * height > MAX_PIXELS) fail('INVALID_ARGUMENT', `input is too large: ${width}x${height}`);
  const n = width * height;
  if (data.length !== n * channels)
    fail('SHAPE_MISMATCH', `input.data has ${data.length} bytes; ${width}x${height}x${channels} needs ${n * channels}`);
  const rgb = new Uint8Array(n * 3);
  if (channels === 3) rgb.set(data);
  else
    for (let i = 0; i < n; i++) {
      const s = i * channels;
      rgb[i * 3] = data[s] as number;
      rgb[i * 3 + 1] = data[channels === 1 ? s : s + 1] as number;
      rgb[i * 3 + 2] = data[channels === 1 ? s : s + 2] as number;
    }
  return { data: rgb, width, height };
}
