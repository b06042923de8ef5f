// VGG-16 as DeepLab v1/v2 use it: 3×3/stride-2/pad-1 max pools, pool4 and pool5 at stride 1,
// conv5 at dilation 2 (output stride 8). Caffe layer names: backbone.conv1_1 … conv5_3.
// Caffe pools in ceil mode, these in floor mode: the sizes agree for odd inputs such as 513 or 321.
import { Value } from '../../graph/builder';
import { conv, ZooBuilder } from '../blocks';
import { BackboneFeatures } from './common';

const STAGES: [channels: number, convs: number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];

/** VGG16 backbone as DeepLab v1/v2 modify it (stride-1 pool4/pool5, dilated conv5). */
export function vgg16(b: ZooBuilder, x: Value, prefix = 'backbone'): BackboneFeatures {
  const taps: Record<string, Value> = {};
  let y = x;
  STAGES.forEach(([channels, convs], s) => {
    const rate = s === 4 ? 2 : 1;
    for (let i = 1; i <= convs; i++)
      y = conv(b, y, { name: `${prefix}.conv${s + 1}_${i}`, out: channels, kernel: 3, rate, bias: true, activation: 'relu' });
    y = b.graph.maxPool2d(y, { kernel: 3, strides: s < 3 ? 2 : 1, padding: [1, 1, 1, 1], name: `${prefix}.pool${s + 1}` });
    taps[`pool${s + 1}`] = y;
  });
  return { out: y, outputStride: 8, lowLevel: taps.pool2 as Value, taps };
}
