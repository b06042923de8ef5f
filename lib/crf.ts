// The fully-connected CRF (Krähenbühl & Koltun): mean-field over Gaussian and bilateral kernels, native.
import { AtrousError, callSite, fail, fromNative, show } from './errors';
import { native, type NativeAbortToken } from './native';
import { decodeImage, type ImageInput } from './segment/image';
import { resolveCrfOptions, type CrfOptions, type CrfPreset, type NativeCrfOptions } from './crf/options';

export { crfPreset, resolveCrfOptions } from './crf/options';
export type {
  CompatMatrix, CrfBilateralOptions, CrfGaussianOptions, CrfNormalization, CrfOptions, CrfPreset,
} from './crf/options';

/** An image: anything segment() accepts (file path, encoded bytes, or raw pixels). */
export type CrfImageInput = ImageInput;

/** What the CRF returns: refined marginals and their argmax. */
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
  const { data: rgb, width, height } = await decodeImage(image);
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
