// Shared option checks and the final assembly of a zoo network.
import { fail, show } from '../errors';
import { CoordinateMode, Graph, Value } from '../graph/builder';
import type { DenseCrfGraphOptions } from '../graph/ops/dense_crf';
import { BuilderStyle, upsample, ZooBuilder } from './blocks';
import { ZooNetwork } from './network';

export interface CommonOptions {
  numClasses?: number;
  /** Input [height, width] (default [513, 513]). */
  inputSize?: readonly [number, number];
  /** Override the bilinear upsampling convention of the network family. */
  coordinateMode?: CoordinateMode;
}

export function checkCommon(fn: string, o: CommonOptions): { numClasses: number; inputSize: [number, number] } {
  const numClasses = o.numClasses ?? 21;
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 100000) fail('INVALID_ARGUMENT', `${fn}: numClasses must be a positive integer, got ${show(o.numClasses)}`);
  const size = o.inputSize ?? [513, 513];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 16 && d <= 8192))
    fail('INVALID_ARGUMENT', `${fn}: inputSize must be [height, width], integers from 16 to 8192, got ${show(o.inputSize)}`);
  return { numClasses, inputSize: [size[0] as number, size[1] as number] };
}

export function checkObject(fn: string, o: unknown): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('INVALID_ARGUMENT', `${fn}: options must be an object, got ${show(o)}`);
}

export function start(style: BuilderStyle, o: CommonOptions, size: [number, number]): { b: ZooBuilder; input: Value } {
  const b = new ZooBuilder(new Graph(), o.coordinateMode ? { ...style, resize: o.coordinateMode } : style);
  return { b, input: b.graph.input('image', [1, size[0], size[1], 3]) };
}

/** The dense CRF a v1/v2 network can end with: `true` for the paper's setting, or the op's options. */
export type ZooCrfOption = boolean | DenseCrfGraphOptions;

/**
 * Resolves a network's `crf` option; `paper` is the setting its DeepLab paper used (10 iterations, DeepLab's
 * per-pixel 'after' normalization).
 */
export function checkCrf(fn: string, option: ZooCrfOption | undefined, paper: DenseCrfGraphOptions): DenseCrfGraphOptions | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return paper;
  if (typeof option !== 'object' || option === null) fail('INVALID_ARGUMENT', `${fn}: crf must be a boolean or dense CRF options, got ${show(option)}`);
  return { ...paper, ...option };
}

export function finish(
  b: ZooBuilder, name: string, input: Value, scores: Value,
  o: { outputStride: number; scoresStride: number; numClasses: number; extra?: Record<string, Value>; crf?: DenseCrfGraphOptions },
): ZooNetwork {
  const [, h, w] = input.shape4;
  const output = upsample(b, scores, [h, w], 'logits_upsample');
  b.graph.output('logits', output);
  // The CRF needs the picture itself (RGB 0..255), not the normalized network input: a second input.
  if (o.crf) b.graph.output('crf', b.graph.denseCrf(output, b.graph.input('rgb', [1, h, w, 3]), { ...o.crf, name: 'crf' }));
  for (const [k, v] of Object.entries(o.extra ?? {})) b.graph.output(k, upsample(b, v, [h, w], `${k}_upsample`));
  return new ZooNetwork({ name, graph: b.graph, input, output, scores, ...o });
}
