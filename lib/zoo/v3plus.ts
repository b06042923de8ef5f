// DeepLab v3+: an encoder (Xception-65 / ResNet-101 / MobileNetV2 + ASPP v3) and the stride-4 decoder.
import { fail, show } from '../errors';
import { BackboneFeatures, checkOneOf, checkRates } from './backbones/common';
import { mobilenetV2 } from './backbones/mobilenetv2';
import { resnet } from './backbones/resnet';
import { xception65 } from './backbones/xception';
import { checkCommon, checkObject, CommonOptions, finish, start } from './common';
import { asppV3 } from './heads/aspp';
import { decoderV3Plus } from './heads/decoder';
import { ZooNetwork } from './network';
import { TF_STYLE, TORCH_STYLE } from './styles';
import { checkOutputStride, defaultAsppRates } from './v3';

/** Options of {@link zoo.deeplabV3Plus}. */
export interface DeepLabV3PlusOptions extends CommonOptions {
  backbone?: 'xception65' | 'resnet101' | 'mobilenetv2';
  outputStride?: 8 | 16;
  /** Depthwise-separable ASPP branches and decoder convs (default: true for xception65 and mobilenetv2). */
  separable?: boolean;
  /** ASPP rates; default [6, 12, 18] at stride 16, doubled at 8 ([] for mobilenetv2, as TF DeepLab ships it). */
  asppRates?: readonly number[];
  /** Block4 / exit-flow unit rates as multiples of the base rate (default [1, 2, 4] ResNet, [1, 1, 1] Xception). */
  multiGrid?: readonly [number, number, number];
  /** MobileNetV2 only: width multiplier (default 1). */
  depthMultiplier?: number;
}

/** DeepLab v3+: Aligned Xception-65, ResNet-101 or MobileNetV2 encoder with ASPP and the stride-4 decoder. */
export function deeplabV3Plus(options: DeepLabV3PlusOptions = {}): ZooNetwork {
  const fn = 'deeplabV3Plus';
  checkObject(fn, options);
  const backbone = checkOneOf(`${fn}: backbone`, options.backbone ?? 'xception65', ['xception65', 'resnet101', 'mobilenetv2'] as const);
  const outputStride = checkOutputStride(fn, options.outputStride);
  const { numClasses, inputSize } = checkCommon(fn, options);
  if (options.separable !== undefined && typeof options.separable !== 'boolean') fail('INVALID_ARGUMENT', `${fn}: separable must be a boolean, got ${show(options.separable)}`);
  if (backbone !== 'mobilenetv2' && options.depthMultiplier !== undefined) fail('INVALID_ARGUMENT', `${fn}: depthMultiplier applies to the mobilenetv2 backbone only`);
  if (backbone === 'mobilenetv2' && options.multiGrid !== undefined) fail('INVALID_ARGUMENT', `${fn}: multiGrid does not apply to mobilenetv2`);
  const separable = options.separable ?? backbone !== 'resnet101';
  const rates = checkRates(`${fn}: asppRates`, options.asppRates ?? (backbone === 'mobilenetv2' ? [] : defaultAsppRates(outputStride)));
  const { b, input } = start(backbone === 'resnet101' ? TORCH_STYLE : TF_STYLE, options, inputSize);
  let f: BackboneFeatures;
  if (backbone === 'resnet101') {
    const multiGrid = checkRates(`${fn}: multiGrid`, options.multiGrid ?? [1, 2, 4], 3);
    f = resnet(b, input, { depth: 101, outputStride, multiGrid });
  } else if (backbone === 'xception65') {
    const multiGrid = checkRates(`${fn}: multiGrid`, options.multiGrid ?? [1, 1, 1], 3);
    f = xception65(b, input, { outputStride, multiGrid });
  } else f = mobilenetV2(b, input, { outputStride, depthMultiplier: options.depthMultiplier });
  const order = backbone === 'resnet101' ? 'torchvision' : 'tf';
  const scores = b.withStyle(backbone === 'resnet101' ? {} : { epsilon: 1e-5 }, () => {
    const aspp = asppV3(b, f.out, { name: 'classifier.0', rates, separable, order });
    return decoderV3Plus(b, aspp, f.lowLevel, { name: 'decoder', numClasses, separable });
  });
  return finish(b, `deeplabV3Plus-${backbone}`, input, scores, { outputStride: f.outputStride, scoresStride: 4, numClasses });
}
