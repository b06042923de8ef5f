import { fail, show } from '../../errors';
import { activation4, checkInts, GraphCore, Value } from '../core';

/**
 * How output pixels map to input coordinates:
 * - `align_corners`: TF `align_corners=True` / PyTorch `align_corners=True`
 * - `half_pixel`: TF `half_pixel_centers=True`, PyTorch `align_corners=False`, ONNX `half_pixel`
 * - `pytorch_half_pixel`: ONNX `pytorch_half_pixel`
 * - `asymmetric`: TF v1 default, ONNX `asymmetric` / opset-9 `Upsample`
 */
export type CoordinateMode = 'align_corners' | 'half_pixel' | 'pytorch_half_pixel' | 'asymmetric';

/** Options of {@link Graph.resizeBilinear}. */
export interface ResizeBilinearOptions {
  /** Output [height, width]. */
  size: readonly [number, number];
  coordinateMode?: CoordinateMode;
  /** Explicit scales [sh, sw] used in place of out/in (ONNX Resize/Upsample given scales). */
  scales?: readonly [number, number];
  name?: string;
}

const MODES: readonly string[] = ['align_corners', 'half_pixel', 'pytorch_half_pixel', 'asymmetric'];

export function resizeBilinear(g: GraphCore, x: Value, o: ResizeBilinearOptions): Value {
  const [n, , , c] = activation4('resizeBilinear input', x);
  const size = checkInts('resizeBilinear.size', o?.size, 2, 1);
  const coordinateMode = o.coordinateMode ?? 'half_pixel';
  if (!MODES.includes(coordinateMode)) fail('INVALID_ARGUMENT', `resizeBilinear.coordinateMode must be one of ${MODES.join(', ')}, got ${show(coordinateMode)}`);
  if (o.scales !== undefined && !(Array.isArray(o.scales) && o.scales.length === 2 && o.scales.every((s) => s > 0)))
    fail('INVALID_ARGUMENT', `resizeBilinear.scales must be two positive numbers, got ${show(o.scales)}`);
  return g.addNode('resize_bilinear', [x], { size, coordinateMode, scales: o.scales }, [n, size[0] as number, size[1] as number, c], 'float32', o.name);
}
