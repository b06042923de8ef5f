// ResNet-50/101 (torchvision layout: stride on the 3×3 conv), dilated to a chosen output stride.
import { Value } from '../../graph/builder';
import { batchNorm, conv, convBnRelu, ZooBuilder } from '../blocks';
import { BackboneFeatures, StrideTracker } from './common';

/** Options of the dilated ResNet backbone. */
export interface ResNetOptions {
  depth: 50 | 101;
  outputStride: 8 | 16 | 32;
  /** Unit rates of layer4 (block4) as multiples of its base rate; default [1, 1, 1]. */
  multiGrid?: readonly number[];
  /** Absolute 3×3 rates of layer4's units, overriding multiGrid (torchvision: [2, 4, 4] at stride 8). */
  layer4Rates?: readonly number[];
  /** Weight name prefix (default 'backbone'). */
  prefix?: string;
}

const LAYERS: Record<50 | 101, number[]> = { 50: [3, 4, 6, 3], 101: [3, 4, 23, 3] };

function bottleneck(b: ZooBuilder, x: Value, name: string, planes: number, stride: number, rate: number, downsample: boolean): Value {
  let y = convBnRelu(b, x, { name: `${name}.conv1`, bnName: `${name}.bn1`, out: planes });
  y = convBnRelu(b, y, { name: `${name}.conv2`, bnName: `${name}.bn2`, out: planes, kernel: 3, stride, rate });
  y = convBnRelu(b, y, { name: `${name}.conv3`, bnName: `${name}.bn3`, out: planes * 4, activation: 'none' });
  const shortcut = downsample ? batchNorm(b, conv(b, x, { name: `${name}.downsample.0`, out: planes * 4, stride }), `${name}.downsample.1`) : x;
  return b.graph.add(y, shortcut, { activation: 'relu', name: `${name}.add` });
}

/** Dilated ResNet-50/101 backbone with multi-grid rates in block4. */
export function resnet(b: ZooBuilder, x: Value, o: ResNetOptions): BackboneFeatures {
  const p = o.prefix ?? 'backbone';
  const multiGrid = o.multiGrid ?? [1, 1, 1];
  const track = new StrideTracker(o.outputStride);
  track.next(4);
  let y = convBnRelu(b, x, { name: `${p}.conv1`, bnName: `${p}.bn1`, out: 64, kernel: 7, stride: 2 });
  y = b.graph.maxPool2d(y, { kernel: 3, strides: 2, padding: [1, 1, 1, 1], name: `${p}.maxpool` });
  const taps: Record<string, Value> = {};
  let inChannels = 64;
  LAYERS[o.depth].forEach((blocks, li) => {
    const planes = 64 << li;
    const { stride, rate } = track.next(li === 0 ? 1 : 2);
    // Units after a removed stride run at the tracker's new rate; layer4 scales them by multiGrid.
    for (let u = 0; u < blocks; u++) {
      const base = u === 0 ? rate : track.rate;
      const unitRate = li !== 3 ? base : o.layer4Rates ? (o.layer4Rates[u] as number) : track.rate * (multiGrid[u] ?? 1);
      y = bottleneck(b, y, `${p}.layer${li + 1}.${u}`, planes, u === 0 ? stride : 1, unitRate, u === 0 && (stride !== 1 || inChannels !== planes * 4));
      inChannels = planes * 4;
    }
    taps[`layer${li + 1}`] = y;
  });
  return { out: y, outputStride: track.stride, lowLevel: taps.layer1 as Value, taps };
}

