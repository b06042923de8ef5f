// Reads uncompressed BMP files (24-bit RGB, 8-bit indexed), as the Coral golden images are; sharp has no BMP decoder.
import fs from 'node:fs';

export interface BmpImage {
  width: number;
  height: number;
  /** 3 for 24-bit (RGB order), 1 for 8-bit (palette indices). */
  channels: 1 | 3;
  /** Top-down rows, no padding. */
  data: Uint8Array;
}

export function readBmp(file: string): BmpImage {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(`${file}: not a BMP`);
  const offset = b.readUInt32LE(10), width = b.readInt32LE(18), rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28), compression = b.readUInt32LE(30);
  if (compression !== 0 || (bpp !== 24 && bpp !== 8)) throw new Error(`${file}: only uncompressed 8/24-bit BMP (got ${bpp} bpp, compression ${compression})`);
  const height = Math.abs(rawHeight), channels = bpp === 24 ? 3 : 1;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++)
      if (channels === 1) data[y * width + x] = b[row + x] as number;
      else for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = b[row + x * 3 + 2 - c] as number; // BGR → RGB
  }
  return { width, height, channels, data };
}
