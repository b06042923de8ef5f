import { fail, show } from '../../errors';
import { activation4, GraphCore, Value } from '../core';

/** Options of {@link Graph.denseCrf}: the CRF's kernels (pydensecrf's example by default). */
export interface DenseCrfGraphOptions {
  /** Mean-field iterations (default 10). */
  iterations?: number;
  /** Whether the scores are logits (default) or probabilities. */
  scores?: 'logits' | 'probabilities';
  /** Position kernel: spatial σ and weight (default 3, 3; weight 0 leaves it out). */
  gaussian?: { sxy: number; weight: number };
  /** Position + colour kernel: spatial σ, colour σ and weight (default 80, 13, 10; weight 0 leaves it out). */
  bilateral?: { sxy: number; srgb: number; weight: number };
  /** Kernel normalization (default 'symmetric'; DeepLab's CRF layer used 'after'). */
  normalization?: 'symmetric' | 'before' | 'after' | 'none';
  name?: string;
}

/** The dense CRF over `scores` [N,H,W,C] guided by `image` [N,H,W,3] (RGB 0..255) → marginals [N,H,W,C]. */
export function denseCrf(g: GraphCore, scores: Value, image: Value, o: DenseCrfGraphOptions = {}): Value {
  const s = activation4('denseCrf scores', scores);
  const im = activation4('denseCrf image', image);
  if (im[3] !== 3 || im[0] !== s[0] || im[1] !== s[1] || im[2] !== s[2])
    fail('SHAPE_MISMATCH', `denseCrf: image ${show(im)} must be [N, H, W, 3] matching scores ${show(s)}`);
  if (s[3] < 2) fail('SHAPE_MISMATCH', `denseCrf needs at least 2 labels, got ${s[3]}`);
  const iterations = o.iterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 10000) fail('INVALID_ARGUMENT', `denseCrf.iterations must be an integer from 0 to 10000, got ${show(o.iterations)}`);
  const gaussian = o.gaussian ?? { sxy: 3, weight: 3 };
  const bilateral = o.bilateral ?? { sxy: 80, srgb: 13, weight: 10 };
  for (const [k, v] of [['gaussian.sxy', gaussian.sxy], ['bilateral.sxy', bilateral.sxy], ['bilateral.srgb', bilateral.srgb]] as const)
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) fail('INVALID_ARGUMENT', `denseCrf.${k} must be a positive number, got ${show(v)}`);
  for (const [k, v] of [['gaussian.weight', gaussian.weight], ['bilateral.weight', bilateral.weight]] as const)
    if (!(typeof v === 'number' && Number.isFinite(v))) fail('INVALID_ARGUMENT', `denseCrf.${k} must be a finite number, got ${show(v)}`);
  const normalization = o.normalization ?? 'symmetric';
  if (!['symmetric', 'before', 'after', 'none'].includes(normalization)) fail('INVALID_ARGUMENT', `denseCrf.normalization must be symmetric, before, after or none, got ${show(normalization)}`);
  return g.addNode('dense_crf', [scores, image], {
    iterations, scores: o.scores ?? 'logits', normalization,
    gaussianSxy: gaussian.sxy, gaussianWeight: gaussian.weight,
    bilateralSxy: bilateral.sxy, bilateralSrgb: bilateral.srgb, bilateralWeight: bilateral.weight,
  }, s, 'float32', o.name);
}
