// HOOK for the dense CRF (lib/crf.ts, written on another branch). After merging, the lead replaces the
// body of applyCrf with a call to `denseCrf(rgb, width, height, scores, numLabels, options)` from '../crf'
// (mapping `option`: true → default preset, a string → that preset, an object → CRF options).
import { fail } from '../errors';

/** `crf` option of segment(): true (default preset), a preset name, or CRF options. */
export type CrfOption = boolean | string | Record<string, unknown>;

/**
 * Refines per-pixel class probabilities ([height, width, numLabels], row-major) with the dense CRF
 * over the RGB image; resolves to refined probabilities in the same layout.
 */
export async function applyCrf(
  rgb: Uint8Array, width: number, height: number, probabilities: Float32Array, numLabels: number, option: CrfOption,
): Promise<Float32Array> {
  void rgb; void width; void height; void probabilities; void numLabels; void option;
  fail('UNSUPPORTED', 'options.crf: the dense CRF is not available in this build yet');
}
