// The typed graph builder: one method per op, each defined in ops/<op>.ts.
import { Activation, GraphCore, Value } from './core';
import { batchNorm, BatchNormOptions } from './ops/batch_norm';
import { binary, BinaryOptions } from './ops/binary';
import { clip } from './ops/clip';
import { concat } from './ops/concat';
import { conv2d, Conv2dOptions } from './ops/conv2d';
import { fakeQuant, FakeQuantOptions } from './ops/fake_quant';
import { pad, PadOptions } from './ops/pad';
import { globalAvgPool, pool2d, Pool2dOptions } from './ops/pool2d';
import { resizeBilinear, ResizeBilinearOptions } from './ops/resize_bilinear';
import { argmax, softmax } from './ops/softmax';
import { batchToSpace, BatchToSpaceOptions, spaceToBatch, SpaceToBatchOptions } from './ops/space_batch';

/**
 * A network under construction. Build it with typed ops, mark outputs, then `compile()` it.
 *
 * ```ts
 * const g = new Graph();
 * const x = g.input('image', [1, 65, 65, 3]);
 * const y = g.conv2d(x, { weight: g.weight('w', [8, 3, 3, 3]), dilations: 2, padding: 'same', activation: 'relu' });
 * g.output('labels', g.argmax(y));
 * ```
 */
export class Graph extends GraphCore {
  conv2d(x: Value, o: Conv2dOptions): Value { return conv2d(this, x, o); }
  batchNorm(x: Value, o: BatchNormOptions): Value { return batchNorm(this, x, o); }
  add(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'add', a, b, o); }
  sub(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'sub', a, b, o); }
  mul(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'mul', a, b, o); }
  concat(xs: readonly Value[], name?: string): Value { return concat(this, xs, name); }
  maxPool2d(x: Value, o: Pool2dOptions): Value { return pool2d(this, 'max_pool2d', x, o); }
  avgPool2d(x: Value, o: Pool2dOptions): Value { return pool2d(this, 'avg_pool2d', x, o); }
  globalAvgPool(x: Value, name?: string): Value { return globalAvgPool(this, x, name); }
  resizeBilinear(x: Value, o: ResizeBilinearOptions): Value { return resizeBilinear(this, x, o); }
  pad(x: Value, o: PadOptions): Value { return pad(this, x, o); }
  clip(x: Value, min?: number, max?: number, name?: string): Value { return clip(this, x, min, max, name); }
  relu(x: Value, name?: string): Value { return clip(this, x, 0, Infinity, name); }
  relu6(x: Value, name?: string): Value { return clip(this, x, 0, 6, name); }
  activation(x: Value, a: Activation, name?: string): Value {
    return a === 'relu' ? this.relu(x, name) : a === 'relu6' ? this.relu6(x, name) : x;
  }
  softmax(x: Value, name?: string): Value { return softmax(this, x, name); }
  argmax(x: Value, name?: string): Value { return argmax(this, x, name); }
  spaceToBatch(x: Value, o: SpaceToBatchOptions): Value { return spaceToBatch(this, x, o); }
  batchToSpace(x: Value, o: BatchToSpaceOptions): Value { return batchToSpace(this, x, o); }
  fakeQuant(x: Value, o: FakeQuantOptions): Value { return fakeQuant(this, x, o); }
}

export { Value } from './core';
export type { Activation, DType, Padding, Shape4 } from './core';
export type { CoordinateMode } from './ops/resize_bilinear';
