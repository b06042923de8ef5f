import { activation4, GraphCore, pair, Padding, paddingParams, Value, windowOut } from '../core';

/** Options of {@link Graph.maxPool2d} and {@link Graph.avgPool2d}. */
export interface Pool2dOptions {
  kernel: number | readonly [number, number];
  strides?: number | readonly [number, number];
  padding?: Padding;
  /** Average pool only: count padded cells in the divisor (default false, as TF and ONNX). */
  countIncludePad?: boolean;
  name?: string;
}

export function pool2d(g: GraphCore, op: 'max_pool2d' | 'avg_pool2d', x: Value, o: Pool2dOptions): Value {
  const [n, h, w, c] = activation4(`${op} input`, x);
  const kernel = pair(`${op}.kernel`, o?.kernel, 0, 1);
  const strides = pair(`${op}.strides`, o.strides, 1, 1);
  const padding = paddingParams(op, o.padding, 'valid');
  const oh = windowOut(h, kernel[0], strides[0], 1, padding, 0), ow = windowOut(w, kernel[1], strides[1], 1, padding, 1);
  const params = op === 'avg_pool2d' ? { kernel, strides, ...padding, countIncludePad: o.countIncludePad ?? false } : { kernel, strides, ...padding };
  return g.addNode(op, [x], params, [n, oh, ow, c], 'float32', o.name);
}

/** Global average pooling (DeepLab's image pooling) → [N, 1, 1, C]. */
export function globalAvgPool(g: GraphCore, x: Value, name?: string): Value {
  const [n, , , c] = activation4('globalAvgPool input', x);
  return g.addNode('global_avg_pool', [x], {}, [n, 1, 1, c], 'float32', name);
}
