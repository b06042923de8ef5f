// DeepLab v1: VGG16-LargeFOV and its multi-scale (MSc) variant.
import { Value } from '../graph/builder';
import { conv, ZooBuilder } from './blocks';
import { vgg16 } from './backbones/vgg16';
import { checkOneOf } from './backbones/common';
import { checkCommon, checkCrf, checkObject, CommonOptions, finish, start, ZooCrfOption } from './common';
import { ZooNetwork } from './network';
import { CAFFE_STYLE } from './styles';

/** Options of {@link zoo.deeplabV1}. */
export interface DeepLabV1Options extends CommonOptions {
  variant?: 'largefov' | 'largefov-msc';
  /**
   * End with the dense CRF (output `crf`, marginals; extra input `rgb`, the picture as RGB 0..255). `true`:
   * the DeepLab v1 setting (bilateral w 5, xy σ 50, rgb σ 3; Gaussian w 3, xy σ 3; 10 iterations).
   */
  crf?: ZooCrfOption;
}

const V1_CRF = { iterations: 10, bilateral: { sxy: 50, srgb: 3, weight: 5 }, gaussian: { sxy: 3, weight: 3 }, normalization: 'after' } as const;

/** fc6 3×3 dilation-12 1024 → fc7 1×1 1024 (the LargeFOV head), with ReLU. */
function largeFov(b: ZooBuilder, x: Value, name: string, rate: number): Value {
  const fc6 = conv(b, x, { name: `${name}.fc6`, out: 1024, kernel: 3, rate, bias: true, activation: 'relu' });
  return conv(b, fc6, { name: `${name}.fc7`, out: 1024, bias: true, activation: 'relu' });
}

/** DeepLab v1: VGG16-LargeFOV (optionally with multi-scale inputs, MSc). */
export function deeplabV1(options: DeepLabV1Options = {}): ZooNetwork {
  checkObject('deeplabV1', options);
  const variant = checkOneOf('deeplabV1: variant', options.variant ?? 'largefov', ['largefov', 'largefov-msc'] as const);
  const { numClasses, inputSize } = checkCommon('deeplabV1', options);
  const { b, input } = start(CAFFE_STYLE, options, inputSize);
  const f = vgg16(b, input);
  let y = largeFov(b, f.out, 'classifier', 12);
  if (variant === 'largefov-msc') {
    // Two-layer MLP (128 3×3, 128 1×1) on the input and pool1..pool4, strided to land at stride 8;
    // the paper concatenates their 5 × 128 = 640 channels to the last feature map before the classifier.
    const sources: [Value, number][] = [[input, 8], [f.taps.pool1 as Value, 4], [f.taps.pool2 as Value, 2], [f.taps.pool3 as Value, 1], [f.taps.pool4 as Value, 1]];
    const branches = sources.map(([x, stride], i) => {
      const h = conv(b, x, { name: `msc.${i}.conv1`, out: 128, kernel: 3, stride, bias: true, activation: 'relu' });
      return conv(b, h, { name: `msc.${i}.conv2`, out: 128, bias: true, activation: 'relu' });
    });
    y = b.graph.concat([y, ...branches], 'msc.concat');
  }
  const scores = conv(b, y, { name: 'classifier.fc8', out: numClasses, bias: true });
  const crf = checkCrf('deeplabV1', options.crf, V1_CRF);
  return finish(b, `deeplabV1-${variant}`, input, scores, { outputStride: 8, scoresStride: 8, numClasses, crf });
}
