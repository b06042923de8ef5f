// Shared option checks and the final assembly of a zoo network.
import { fail, show } from '../errors';
import { CoordinateMode, Graph, Value } from '../graph/builder';
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

export function finish(
  b: ZooBuilder, name: string, input: Value, scores: Value,
  o: { outputStride: number; scoresStride: number; numClasses: number; extra?: Record<string, Value> },
): ZooNetwork {
  const [, h, w] = input.shape4;
  const output = upsample(b, scores, [h, w], 'logits_upsample');
  b.graph.output('logits', output);
  for (const [k, v] of Object.entries(o.extra ?? {})) b.graph.output(k, upsample(b, v, [h, w], `${k}_upsample`));
  return new ZooNetwork({ name, graph: b.graph, input, output, scores, ...o });
}
