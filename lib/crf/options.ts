// CRF options: presets, validation, and the plain kernel list the native side takes.
import { fail, show } from '../errors';

/** How a kernel's output is normalized by each pixel's kernel sum n_i, as in the reference densecrf. */
export type CrfNormalization = 'symmetric' | 'before' | 'after' | 'none';

/** A label-compatibility matrix: labels × labels, nested or flat row-major. */
export type CompatMatrix = number[][] | ArrayLike<number>;

/** Position-only Gaussian kernel exp(-|p_i - p_j|² / 2·sxy²). */
export interface CrfGaussianOptions {
  /** Standard deviation in pixels (θγ). */
  sxy: number;
  /** Weight w (Potts), or a full labels × labels compatibility matrix. Default 3. */
  compat?: number | CompatMatrix;
  normalization?: CrfNormalization;
}

/** Bilateral kernel exp(-|p_i - p_j|² / 2·sxy² - |I_i - I_j|² / 2·srgb²). */
export interface CrfBilateralOptions {
  /** Spatial standard deviation in pixels (θα). */
  sxy: number;
  /** Colour standard deviation in 0..255 units (θβ). */
  srgb: number;
  /** Weight w (Potts), or a full labels × labels compatibility matrix. Default 10. */
  compat?: number | CompatMatrix;
  normalization?: CrfNormalization;
}

/** Named settings: DeepLab v1 / v2's CRF and pydensecrf's example. */
export type CrfPreset = 'deeplab-v1' | 'deeplab-v2' | 'densecrf';

/** Options of {@link crf} and {@link denseCrf}; any field overrides the chosen preset. */
export interface CrfOptions {
  /** Start from a preset; the other options override it. */
  preset?: CrfPreset;
  /** Mean-field iterations (default 5). */
  iterations?: number;
  /** The position kernel, or false for none. */
  gaussian?: CrfGaussianOptions | false;
  /** The position + colour kernel, or false for none. */
  bilateral?: CrfBilateralOptions | false;
  /**
   * Label compatibility μ (labels × labels) shared by the kernels, which then weigh it by their numeric
   * `compat`: energy Σ_k w_k · μ ∘ (k ⋆ Q). Default: Potts, μ(l, l') = [l ≠ l'].
   */
  compat?: CompatMatrix;
  /** Default normalization of both kernels (default 'symmetric'). */
  normalization?: CrfNormalization;
  /** Whether `scores` are probabilities (default) or logits. */
  scores?: 'probabilities' | 'logits';
  /** Worker threads (default: all hardware threads). */
  threads?: number;
  /** Cancels the CRF between iterations; the promise rejects with ABORTED. */
  signal?: AbortSignal;
  /** Execution device: 'auto' and 'cpu' run on the CPU; the GPU CRF is not available yet ('cuda' is UNSUPPORTED). */
  device?: 'auto' | 'cpu' | 'cuda';
  /** Refuse (OUT_OF_MEMORY) when the CRF could need more bytes than this. Default: half the physical memory. */
  memoryLimit?: number;
}

const PRESETS: Record<CrfPreset, CrfOptions> = {
  // DeepLab's CRF layer (densecrf 2.x) divided each kernel's output by the pixel's kernel sum: 'after'.
  'deeplab-v1': {
    iterations: 10,
    bilateral: { sxy: 50, srgb: 3, compat: 5 },
    gaussian: { sxy: 3, compat: 3 },
    normalization: 'after',
  },
  'deeplab-v2': {
    iterations: 10,
    bilateral: { sxy: 67, srgb: 3, compat: 4 },
    gaussian: { sxy: 1, compat: 3 },
    normalization: 'after',
  },
  densecrf: {
    iterations: 5,
    gaussian: { sxy: 3, compat: 3 },
    bilateral: { sxy: 80, srgb: 13, compat: 10 },
    normalization: 'symmetric',
  },
};

/** The settings of a named preset. */
export function crfPreset(name: CrfPreset): CrfOptions {
  const p = PRESETS[name];
  if (!p) fail('INVALID_ARGUMENT', `unknown CRF preset ${show(name)}; use ${Object.keys(PRESETS).join(', ')}`);
  return { ...p };
}

/** What the native side takes for one kernel. */
export interface NativeCrfKernel {
  type: 'gaussian' | 'bilateral';
  sxy: number;
  srgb?: number;
  weight: number;
  compat?: Float32Array;
  normalization: CrfNormalization;
}

export interface NativeCrfOptions {
  iterations: number;
  kernels: NativeCrfKernel[];
  logits: boolean;
  threads?: number;
  memoryLimit?: number;
  exactFilteringForTest?: boolean;
}

const NORMALIZATIONS: readonly CrfNormalization[] = ['symmetric', 'before', 'after', 'none'];

function positive(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    fail('INVALID_ARGUMENT', `CRF option ${name} must be a finite number > 0, got ${show(v)}`);
  return v;
}

function matrix(m: CompatMatrix, labels: number, name: string): Float32Array {
  const flat = Array.isArray(m) && Array.isArray(m[0]) ? (m as number[][]).flat() : Array.from(m as ArrayLike<number>);
  if (flat.length !== labels * labels)
    fail('SHAPE_MISMATCH', `CRF ${name} must be ${labels}x${labels} for ${labels} labels, got ${flat.length} values`);
  if (!flat.every((v) => typeof v === 'number' && Number.isFinite(v)))
    fail('INVALID_ARGUMENT', `CRF ${name} must hold finite numbers`);
  return Float32Array.from(flat);
}

function normalization(v: unknown, name: string): CrfNormalization {
  if (!NORMALIZATIONS.includes(v as CrfNormalization))
    fail('INVALID_ARGUMENT', `CRF ${name} must be one of ${NORMALIZATIONS.join(', ')}, got ${show(v)}`);
  return v as CrfNormalization;
}

/** Merges a preset and overrides, checks everything, and lowers it to the native kernel list. */
export function resolveCrfOptions(options: CrfOptions | CrfPreset | undefined, labels: number): NativeCrfOptions {
  const user: CrfOptions = typeof options === 'string' ? { preset: options } : options ?? {};
  if (typeof user !== 'object') fail('INVALID_ARGUMENT', `CRF options must be an object or a preset name, got ${show(user)}`);
  const defined = Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) as CrfOptions;
  const o: CrfOptions = { ...(user.preset !== undefined ? crfPreset(user.preset) : {}), ...defined };
  const device = o.device ?? 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda')
    fail('INVALID_ARGUMENT', `CRF option device must be 'auto', 'cpu' or 'cuda', got ${show(o.device)}`);
  if (device === 'cuda') fail('UNSUPPORTED', "CRF option device 'cuda': the GPU CRF is not available yet; use 'cpu'");
  const iterations = o.iterations ?? 5;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 10000)
    fail('INVALID_ARGUMENT', `CRF option iterations must be an integer from 0 to 10000, got ${show(o.iterations)}`);
  const scores = o.scores ?? 'probabilities';
  if (scores !== 'probabilities' && scores !== 'logits')
    fail('INVALID_ARGUMENT', `CRF option scores must be 'probabilities' or 'logits', got ${show(scores)}`);
  const defaultNorm = normalization(o.normalization ?? 'symmetric', 'normalization');
  const shared = o.compat === undefined ? undefined : matrix(o.compat, labels, 'compat');
  const kernels: NativeCrfKernel[] = [];
  const lower = (type: 'gaussian' | 'bilateral', k: CrfGaussianOptions | CrfBilateralOptions, defWeight: number) => {
    if (typeof k !== 'object' || k === null) fail('INVALID_ARGUMENT', `CRF option ${type} must be an object or false`);
    const out: NativeCrfKernel = {
      type,
      sxy: positive(k.sxy, `${type}.sxy`),
      weight: defWeight,
      normalization: normalization(k.normalization ?? defaultNorm, `${type}.normalization`),
    };
    if (type === 'bilateral') out.srgb = positive((k as CrfBilateralOptions).srgb, 'bilateral.srgb');
    const c = k.compat ?? defWeight;
    if (typeof c === 'number') {
      if (!Number.isFinite(c)) fail('INVALID_ARGUMENT', `CRF option ${type}.compat must be finite, got ${show(c)}`);
      out.weight = c;
      if (shared) out.compat = shared.map((v) => v * c);
    } else {
      out.compat = matrix(c, labels, `${type}.compat`);
    }
    kernels.push(out);
  };
  const gaussian = o.gaussian === undefined ? { sxy: 3, compat: 3 } : o.gaussian;
  const bilateral = o.bilateral === undefined ? { sxy: 80, srgb: 13, compat: 10 } : o.bilateral;
  if (gaussian !== false) lower('gaussian', gaussian, 3);
  if (bilateral !== false) lower('bilateral', bilateral, 10);
  const native: NativeCrfOptions = { iterations, kernels, logits: scores === 'logits' };
  if (o.threads !== undefined) {
    if (!Number.isInteger(o.threads) || o.threads < 0 || o.threads > 256)
      fail('INVALID_ARGUMENT', `CRF option threads must be an integer from 0 to 256, got ${show(o.threads)}`);
    native.threads = o.threads;
  }
  if (o.memoryLimit !== undefined) native.memoryLimit = positive(o.memoryLimit, 'memoryLimit');
  return native;
}
