import { fail, show } from '../../errors';
import { Value } from '../../graph/builder';

/** What a backbone hands to the heads. */
export interface BackboneFeatures {
  /** Last feature map, at `outputStride`. */
  out: Value;
  outputStride: number;
  /** Stride-4 features for the v3+ decoder. */
  lowLevel: Value;
  /** Named intermediate features (e.g. ResNet 'layer3' for the aux head, VGG pools for MSc). */
  taps: Record<string, Value>;
}

/**
 * Tracks the running stride: once `outputStride` is reached, a strided unit runs at stride 1 and
 * every later unit's rate is multiplied by the stride it gave up (the unit itself keeps the old rate,
 * as TF-slim and torchvision do).
 */
export class StrideTracker {
  stride = 1;
  rate = 1;
  constructor(readonly outputStride: number) {}
  /** Returns the stride and rate for a unit that asks for `stride`. */
  next(stride: number): { stride: number; rate: number } {
    if (stride > 1 && this.stride >= this.outputStride) {
      const rate = this.rate;
      this.rate *= stride;
      return { stride: 1, rate };
    }
    this.stride *= stride;
    return { stride, rate: this.rate };
  }
}

export function checkOneOf<T>(what: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) fail('INVALID_ARGUMENT', `${what} must be one of ${allowed.map((a) => show(a)).join(', ')}, got ${show(v)}`);
  return v as T;
}

export function checkRates(what: string, v: unknown, length?: number): number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length) || !v.every((r) => Number.isInteger(r) && r >= 1 && r <= 256))
    fail('INVALID_ARGUMENT', `${what} must be ${length ?? 'a list of'} integer rate(s) from 1 to 256, got ${show(v)}`);
  return [...v];
}
