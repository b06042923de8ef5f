// Shared pieces of the CRF tests: seeded randomness, image crops, brute-force Gaussian filtering.
import sharp from 'sharp';

/** Seeded uniform [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RGB pixels of a file, optionally a crop. */
export async function readRgb(
  file: string, crop?: { left: number; top: number; width: number; height: number },
): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  let img = sharp(file).removeAlpha();
  if (crop) img = img.extract(crop);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data), width: info.width, height: info.height };
}

/** CRF features of each pixel: (x/sxy, y/sxy) and, with srgb, (r, g, b)/srgb. */
export function features(rgb: Uint8Array, width: number, height: number, sxy: number, srgb?: number): Float32Array {
  const d = srgb === undefined ? 2 : 5;
  const f = new Float32Array(width * height * d);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      f[p * d] = x / sxy;
      f[p * d + 1] = y / sxy;
      if (srgb !== undefined) for (let c = 0; c < 3; c++) f[p * d + 2 + c] = rgb[p * 3 + c] / srgb;
    }
  return f;
}

/** The dense kernel matrix K_ij = exp(-|f_i - f_j|² / 2), computed here in double precision. */
export function kernelMatrix(f: Float32Array, n: number, d: number): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let dist = 0;
      for (let c = 0; c < d; c++) dist += (f[i * d + c] - f[j * d + c]) ** 2;
      k[i * n + j] = k[j * n + i] = Math.exp(-0.5 * dist);
    }
  return k;
}

/** Brute-force K · v for n × vd values. */
export function bruteForceFilter(f: Float32Array, n: number, d: number, v: Float32Array, vd: number): Float64Array {
  const k = kernelMatrix(f, n, d);
  const out = new Float64Array(n * vd);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const w = k[i * n + j];
      for (let c = 0; c < vd; c++) out[i * vd + c] += w * v[j * vd + c];
    }
  return out;
}
