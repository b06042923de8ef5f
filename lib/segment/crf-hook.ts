// HOOK for the dense CRF (lib/crf.ts, written on another branch). After merging, the lead replaces the
// body of applyCrf with:
//   const { denseCrf } = await import('../crf');
//   const opts = option === true ? {} : typeof option === 'string' ? crfPreset(option as CrfPreset) : option;
//   return (await denseCrf(rgb, width, height, probabilities, numLabels, { ...opts, signal })).probabilities;
// and may narrow CrfOption to `boolean | CrfPreset | CrfOptions`.
import { fail } from '../errors';

/** `crf` option of segment(): true (default settings), a preset name, or CRF options. */
export type CrfOption = boolean | string | Record<string, unknown>;

/**
 * Refines per-pixel class probabilities ([height, width, numLabels], row-major) with the dense CRF
 * over the RGB image; resolves to refined probabilities in the same layout.
 */
export async function applyCrf(
  rgb: Uint8Array, width: number, height: number, probabilities: Float32Array, numLabels: number, option: CrfOption,
  signal?: AbortSignal,
): Promise<Float32Array> {
  void rgb; void width; void height; void probabilities; void numLabels; void option; void signal;
  fail('UNSUPPORTED', 'options.crf: the dense CRF is not available in this build yet');
}
