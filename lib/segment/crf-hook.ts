// segment()'s `crf` option: refines the full-resolution class probabilities with the dense CRF.
import { denseCrf } from '../crf';
import { fail, show } from '../errors';
import type { CrfOptions, CrfPreset } from '../crf/options';

/** `crf` option of segment(): true (the 'deeplab-v2' preset), a preset name, or CRF options. */
export type CrfOption = boolean | CrfPreset | CrfOptions;

/**
 * Refines per-pixel class probabilities ([height, width, numLabels], row-major) with the dense CRF
 * over the RGB image; resolves to refined probabilities in the same layout.
 */
export async function applyCrf(
  rgb: Uint8Array, width: number, height: number, probabilities: Float32Array, numLabels: number, option: CrfOption,
  signal?: AbortSignal,
): Promise<Float32Array> {
  if (option === false) return probabilities;
  if (option !== true && typeof option !== 'string' && (typeof option !== 'object' || option === null))
    fail('INVALID_ARGUMENT', `options.crf must be true, a preset name or CRF options, got ${show(option)}`);
  const base: CrfOptions = option === true ? { preset: 'deeplab-v2' } : typeof option === 'string' ? { preset: option } : option;
  const result = await denseCrf(rgb, width, height, probabilities, numLabels, { ...base, scores: 'probabilities', signal: base.signal ?? signal });
  return result.probabilities;
}
