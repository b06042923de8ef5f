// MobileNetV2 as TF DeepLab ships it: features up to the 320-channel block (no 1280 conv),
// ReLU6, TF 'same' padding, depth multiplier, atrous depthwise convs past the output stride.
// Weight names follow torchvision's mobilenet_v2 (backbone.features.<i>.conv.<j>…).
import { fail, show } from '../../errors';
import { Value } from '../../graph/builder';
import { convBnRelu, ZooBuilder } from '../blocks';
import { BackboneFeatures, StrideTracker } from './common';

/** Options of the MobileNetV2 backbone. */
export interface MobileNetV2Options {
  outputStride: 8 | 16 | 32;
  /**
   * Width multiplier (TF 'depth_multiplier', default 1). As in TF DeepLab's feature extractor, channels
   * are rounded to multiples of 8 only at 1.0; other multipliers round to integers (min 8).
   */
  depthMultiplier?: number;
  prefix?: string;
}

/** TF's _make_divisible: round to the nearest multiple of `divisor` (at least `min`) without losing more than 10%. */
export function makeDivisible(v: number, divisor = 8, min = divisor): number {
  let r = Math.max(min, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (r < 0.9 * v) r += divisor;
  return r;
}

/** [expansion, channels, repeats, stride] per stage. */
const STAGES: [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** MobileNetV2 backbone with a depth multiplier and atrous rates for the output stride. */
export function mobilenetV2(b: ZooBuilder, x: Value, o: MobileNetV2Options): BackboneFeatures {
  const p = o.prefix ?? 'backbone';
  const dm = o.depthMultiplier ?? 1;
  if (!(typeof dm === 'number' && dm > 0 && dm <= 4)) fail('INVALID_ARGUMENT', `depthMultiplier must be a number in (0, 4], got ${show(dm)}`);
  const divisor = dm === 1 ? 8 : 1;
  const width = (c: number) => makeDivisible(c, divisor, 8);
  const track = new StrideTracker(o.outputStride);
  const first = track.next(2);
  let y = convBnRelu(b, x, { name: `${p}.features.0.0`, bnName: `${p}.features.0.1`, out: width(32 * dm), kernel: 3, stride: first.stride, activation: 'relu6' });
  let lowLevel: Value | undefined;
  let index = 1;
  for (const [t, c, n, s] of STAGES) {
    const out = width(c * dm);
    for (let i = 0; i < n; i++, index++) {
      const name = `${p}.features.${index}.conv`;
      const { stride, rate } = track.next(i === 0 ? s : 1);
      const cin = y.channels;
      let h = y, j = 0;
      if (t !== 1) h = convBnRelu(b, h, { name: `${name}.0.0`, bnName: `${name}.0.1`, out: width(cin * t), activation: 'relu6' }), j++;
      h = convBnRelu(b, h, { name: `${name}.${j}.0`, bnName: `${name}.${j}.1`, out: h.channels, kernel: 3, stride, rate, groups: 'depthwise', activation: 'relu6' });
      if (index === 3) lowLevel = h; // TF DeepLab's decoder end point: layer_4/depthwise_output (stride 4)
      h = convBnRelu(b, h, { name: `${name}.${j + 1}`, bnName: `${name}.${j + 2}`, out, activation: 'none' });
      y = stride === 1 && cin === out ? b.graph.add(h, y, { name: `${p}.features.${index}.add` }) : h;
    }
  }
  return { out: y, outputStride: track.stride, lowLevel: lowLevel as Value, taps: {} };
}

