// The fully-connected CRF (Krähenbühl & Koltun): mean-field over Gaussian and bilateral kernels, native.
import sharp from 'sharp';

import { AtrousError, callSite, fail, fromNative, show } from './errors';
import { native, type NativeAbortToken } from './native';
import { resolveCrfOptions, type CrfOptions, type CrfPreset, type NativeCrfOptions } from './crf/options';

export { crfPreset, resolveCrfOptions } from './crf/options';
export type {
  CompatMatrix, CrfBilateralOptions, CrfGaussianOptions, CrfNormalization, CrfOptions, CrfPreset,
} from './crf/options';

/** Raw interleaved pixels. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** An image: raw pixels, a file path, or encoded bytes (anything sharp decodes). */
export type CrfImageInput = RawImage | string | Buffer;

export interface CrfResult {
  /** Argmax label per pixel, height × width. */
  labels: Int32Array;
  /** Marginals Q, height × width × numLabels. */
  probabilities: Float32Array;
  width: number;
  height: number;
  numLabels: number;
}

interface CrfBinding {
  denseCrf(
    rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, scores: Float32Array, labels: number,
    options: NativeCrfOptions, outLabels: Int32Array, outProbabilities: Float32Array, token?: NativeAbortToken,
  ): Promise<void>;
  crfFilterForTest(features: Float32Array, n: number, d: number, values: Float32Array, vd: number, exact: boolean): Float32Array;
}

function binding(): CrfBinding & { AbortToken: new () => NativeAbortToken } {
  return native() as unknown as CrfBinding & { AbortToken: new () => NativeAbortToken };
}

/** Decodes any supported image input to packed RGB. */
export async function toRgb(image: CrfImageInput): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  if (typeof image === 'string' || Buffer.isBuffer(image)) {
    try {
      const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) fail('UNSUPPORTED', `decoded image has ${info.channels} channels, expected 3`);
      return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    } catch (e) {
      if (e instanceof AtrousError) throw e;
      const missing = typeof image === 'string' && /missing|no such file/i.test(String(e));
      throw new AtrousError(missing ? 'NOT_FOUND' : 'PARSE_ERROR', `cannot decode CRF image: ${(e as Error).message}`, { cause: e });
    }
  }
  const raw = image as RawImage;
  if (typeof raw !== 'object' || raw === null || !(raw.data instanceof Uint8Array || raw.data instanceof Uint8ClampedArray))
    fail('INVALID_ARGUMENT', `CRF image must be {data: Uint8Array, width, height, channels}, a path or a Buffer, got ${show(image)}`);
  const { width, height, channels } = raw;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    fail('INVALID_ARGUMENT', `CRF image size must be positive integers, got ${show(width)}x${show(height)}`);
  if (channels !== 3 && channels !== 4) fail('INVALID_ARGUMENT', `CRF image channels must be 3 or 4, got ${show(channels)}`);
  if (raw.data.length !== width * height * channels)
    fail('SHAPE_MISMATCH', `CRF image data has ${raw.data.length} bytes, ${width}x${height}x${channels} needs ${width * height * channels}`);
  if (channels === 3) return { rgb: raw.data as Uint8Array, width, height };
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    rgb[p] = raw.data[q];
    rgb[p + 1] = raw.data[q + 1];
    rgb[p + 2] = raw.data[q + 2];
  }
  return { rgb, width, height };
}

/**
 * The dense CRF on packed RGB (height × width × 3) and per-pixel scores (height × width × numLabels,
 * probabilities unless `options.scores` is 'logits'). Runs off the main thread.
 */
export async function denseCrf(
  rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, scores: Float32Array, numLabels: number,
  options?: CrfOptions | CrfPreset,
): Promise<CrfResult> {
  const site = callSite(denseCrf);
  return runCrf(rgb, width, height, scores, numLabels, options, site);
}

async function runCrf(
  rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, scores: Float32Array, numLabels: number,
  options: CrfOptions | CrfPreset | undefined, site: { stack?: string }, internal?: { exactFilteringForTest?: boolean },
): Promise<CrfResult> {
  if (!(rgb instanceof Uint8Array || rgb instanceof Uint8ClampedArray)) fail('INVALID_ARGUMENT', `CRF rgb must be a Uint8Array, got ${show(rgb)}`);
  if (!(scores instanceof Float32Array)) fail('INVALID_ARGUMENT', `CRF scores must be a Float32Array, got ${show(scores)}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    fail('INVALID_ARGUMENT', `CRF size must be positive integers, got ${show(width)}x${show(height)}`);
  if (!Number.isInteger(numLabels) || numLabels < 2)
    fail('INVALID_ARGUMENT', `the CRF needs at least 2 labels, got ${show(numLabels)}`);
  if (rgb.length !== width * height * 3)
    fail('SHAPE_MISMATCH', `CRF rgb has ${rgb.length} bytes, ${width}x${height}x3 needs ${width * height * 3}`);
  if (scores.length !== width * height * numLabels)
    fail('SHAPE_MISMATCH', `CRF scores hold ${scores.length} values, ${width}x${height}x${numLabels} needs ${width * height * numLabels}`);
  const resolved = resolveCrfOptions(options, numLabels);
  if (internal?.exactFilteringForTest) resolved.exactFilteringForTest = true;
  const signal = typeof options === 'object' ? options.signal : undefined;
  if (signal?.aborted) throw new AtrousError('ABORTED', 'the CRF was aborted before it started');
  const b = binding();
  const token = signal ? new b.AbortToken() : undefined;
  const onAbort = () => token?.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const labels = new Int32Array(width * height);
  const probabilities = new Float32Array(width * height * numLabels);
  try {
    await b.denseCrf(rgb, width, height, scores, numLabels, resolved, labels, probabilities, token);
  } catch (e) {
    throw fromNative(e, site);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { labels, probabilities, width, height, numLabels };
}

/**
 * The dense CRF over an image and per-pixel scores (HWC Float32Array, numLabels = scores.length / pixels).
 * `options` may be a preset name: 'deeplab-v1', 'deeplab-v2' or 'densecrf'.
 */
export async function crf(image: CrfImageInput, scores: Float32Array, options?: CrfOptions | CrfPreset): Promise<CrfResult> {
  const site = callSite(crf);
  const { rgb, width, height } = await toRgb(image);
  if (!(scores instanceof Float32Array)) fail('INVALID_ARGUMENT', `CRF scores must be a Float32Array, got ${show(scores)}`);
  const numLabels = scores.length / (width * height);
  if (!Number.isInteger(numLabels))
    fail('SHAPE_MISMATCH', `CRF scores hold ${scores.length} values, not a whole number of labels for ${width}x${height} pixels`);
  return runCrf(rgb, width, height, scores, numLabels, options, site);
}

/**
 * INTERNAL — for tests only, not part of the API. Runs the CRF with brute-force O(N²) filtering.
 * @internal
 */
export async function denseCrfExactForTest(
  rgb: Uint8Array, width: number, height: number, scores: Float32Array, numLabels: number, options?: CrfOptions,
): Promise<CrfResult> {
  return runCrf(rgb, width, height, scores, numLabels, options, {}, { exactFilteringForTest: true });
}

/**
 * INTERNAL — for tests only. Raw Gaussian filtering Σ_j exp(-|f_i - f_j|²/2) v_j by the lattice
 * (exact = false; arbitrary constant gain) or brute force.
 * @internal
 */
export function crfFilterForTest(features: Float32Array, n: number, d: number, values: Float32Array, vd: number, exact: boolean): Float32Array {
  try {
    return binding().crfFilterForTest(features, n, d, values, vd, exact);
  } catch (e) {
    throw fromNative(e);
  }
}
