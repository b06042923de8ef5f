// The typed graph builder: one method per op, each defined in ops/<op>.ts.
import { Activation, GraphCore, Value } from './core';
import { batchNorm, BatchNormOptions } from './ops/batch_norm';
import { binary, BinaryOptions } from './ops/binary';
import { clip } from './ops/clip';
import { concat } from './ops/concat';
import { conv2d, Conv2dOptions } from './ops/conv2d';
import { denseCrf, DenseCrfGraphOptions } from './ops/dense_crf';
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
  /** 2-D convolution: dense, atrous (dilated), grouped or depthwise; optional fused bias and activation. */
  conv2d(x: Value, o: Conv2dOptions): Value { return conv2d(this, x, o); }
  /** Inference batch norm (folded into the preceding conv at compile). */
  batchNorm(x: Value, o: BatchNormOptions): Value { return batchNorm(this, x, o); }
  /** a + b with NHWC broadcasting. */
  add(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'add', a, b, o); }
  /** a − b with NHWC broadcasting. */
  sub(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'sub', a, b, o); }
  /** a × b with NHWC broadcasting. */
  mul(a: Value, b: Value, o?: BinaryOptions): Value { return binary(this, 'mul', a, b, o); }
  /** Channel concatenation (written in place at run time). */
  concat(xs: readonly Value[], name?: string): Value { return concat(this, xs, name); }
  /** Max pooling. */
  maxPool2d(x: Value, o: Pool2dOptions): Value { return pool2d(this, 'max_pool2d', x, o); }
  /** Average pooling. */
  avgPool2d(x: Value, o: Pool2dOptions): Value { return pool2d(this, 'avg_pool2d', x, o); }
  /** Global average pooling (image pooling) to [N, 1, 1, C]. */
  globalAvgPool(x: Value, name?: string): Value { return globalAvgPool(this, x, name); }
  /** Bilinear resize in any TF / PyTorch / ONNX coordinate mode. */
  resizeBilinear(x: Value, o: ResizeBilinearOptions): Value { return resizeBilinear(this, x, o); }
  /** Spatial padding: constant, reflect or edge. */
  pad(x: Value, o: PadOptions): Value { return pad(this, x, o); }
  /** Clamp to [min, max]. */
  clip(x: Value, min?: number, max?: number, name?: string): Value { return clip(this, x, min, max, name); }
  /** max(x, 0). */
  relu(x: Value, name?: string): Value { return clip(this, x, 0, Infinity, name); }
  /** min(max(x, 0), 6). */
  relu6(x: Value, name?: string): Value { return clip(this, x, 0, 6, name); }
  /** Applies the named activation ('none' returns x). */
  activation(x: Value, a: Activation, name?: string): Value {
    return a === 'relu' ? this.relu(x, name) : a === 'relu6' ? this.relu6(x, name) : x;
  }
  /** Softmax over channels. */
  softmax(x: Value, name?: string): Value { return softmax(this, x, name); }
  /** Argmax over channels: int32 labels [N, H, W, 1]. */
  argmax(x: Value, name?: string): Value { return argmax(this, x, name); }
  /** TF SpaceToBatchND over H and W. */
  spaceToBatch(x: Value, o: SpaceToBatchOptions): Value { return spaceToBatch(this, x, o); }
  /** TF BatchToSpaceND over H and W. */
  batchToSpace(x: Value, o: BatchToSpaceOptions): Value { return batchToSpace(this, x, o); }
  /** Rounds to a quantization grid (simulates the activations of a quantized model). */
  fakeQuant(x: Value, o: FakeQuantOptions): Value { return fakeQuant(this, x, o); }
  /** The dense CRF over scores guided by an RGB (0..255) image: refined marginals (DeepLab v1/v2). */
  denseCrf(scores: Value, image: Value, o?: DenseCrfGraphOptions): Value { return denseCrf(this, scores, image, o); }
}

export { Value } from './core';
export type { Activation, DType, Padding, Shape4 } from './core';
export type { CoordinateMode } from './ops/resize_bilinear';
