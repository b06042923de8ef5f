// DeepLab v2: dilated ResNet-101 (output stride 8) + ASPP v2, or VGG16 with per-rate fc6/fc7/fc8 branches.
import { checkOneOf, checkRates } from './backbones/common';
import { resnet } from './backbones/resnet';
import { vgg16 } from './backbones/vgg16';
import { conv } from './blocks';
import { checkCommon, checkCrf, checkObject, CommonOptions, finish, start, ZooCrfOption } from './common';
import { asppV2 } from './heads/aspp';
import { ZooNetwork } from './network';
import { CAFFE_STYLE } from './styles';
import { Value } from '../graph/builder';

/** Options of {@link zoo.deeplabV2}. */
export interface DeepLabV2Options extends CommonOptions {
  backbone?: 'resnet101' | 'vgg16';
  /** ASPP rates (default [6, 12, 18, 24]). */
  asppRates?: readonly number[];
  /**
   * End with the dense CRF (output `crf`, marginals; extra input `rgb`, the picture as RGB 0..255). `true`:
   * the published v2 ResNet-101 setting (bilateral w 4, xy σ 67, rgb σ 3; Gaussian w 3, xy σ 1; 10 iterations).
   */
  crf?: ZooCrfOption;
}

const V2_CRF = { iterations: 10, bilateral: { sxy: 67, srgb: 3, weight: 4 }, gaussian: { sxy: 1, weight: 3 }, normalization: 'after' } as const;

/** DeepLab v2: dilated ResNet-101 (or VGG16) with ASPP v2 (summed per-rate branches). */
export function deeplabV2(options: DeepLabV2Options = {}): ZooNetwork {
  checkObject('deeplabV2', options);
  const backbone = checkOneOf('deeplabV2: backbone', options.backbone ?? 'resnet101', ['resnet101', 'vgg16'] as const);
  const rates = checkRates('deeplabV2: asppRates', options.asppRates ?? [6, 12, 18, 24]);
  const { numClasses, inputSize } = checkCommon('deeplabV2', options);
  const { b, input } = start(CAFFE_STYLE, options, inputSize);
  let scores: Value;
  if (backbone === 'resnet101') {
    const f = resnet(b, input, { depth: 101, outputStride: 8 });
    scores = asppV2(b, f.out, { name: 'classifier', numClasses, rates });
  } else {
    const f = vgg16(b, input);
    const branches = rates.map((rate, i) => {
      const name = `classifier.branches.${i}`;
      const fc6 = conv(b, f.out, { name: `${name}.fc6`, out: 1024, kernel: 3, rate, bias: true, activation: 'relu' });
      const fc7 = conv(b, fc6, { name: `${name}.fc7`, out: 1024, bias: true, activation: 'relu' });
      return conv(b, fc7, { name: `${name}.fc8`, out: numClasses, bias: true });
    });
    scores = branches.slice(1).reduce((s, y, i) => b.graph.add(s, y, { name: `classifier.sum${i + 1}` }), branches[0] as Value);
  }
  const crf = checkCrf('deeplabV2', options.crf, V2_CRF);
  return finish(b, `deeplabV2-${backbone}`, input, scores, { outputStride: 8, scoresStride: 8, numClasses, crf });
}
