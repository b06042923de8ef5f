// DeepLab v3: ResNet-50/101 with multi-grid block4 + ASPP v3 (torchvision's DeepLabHead layout),
// or MobileNetV2 with TF DeepLab's light head (image pooling + 1×1 branch).
import { fail, show } from '../errors';
import { Value } from '../graph/builder';
import { BackboneFeatures, checkOneOf, checkRates } from './backbones/common';
import { mobilenetV2 } from './backbones/mobilenetv2';
import { resnet } from './backbones/resnet';
import { conv, convBnRelu, ZooBuilder } from './blocks';
import { checkCommon, checkObject, CommonOptions, finish, start } from './common';
import { asppV3 } from './heads/aspp';
import { ZooNetwork } from './network';
import { TF_STYLE, TORCH_STYLE } from './styles';

/** Options of {@link zoo.deeplabV3}. */
export interface DeepLabV3Options extends CommonOptions {
  backbone?: 'resnet50' | 'resnet101' | 'mobilenetv2';
  outputStride?: 8 | 16;
  /** ResNet block4 unit rates as multiples of its base rate (default [1, 2, 4]). */
  multiGrid?: readonly [number, number, number];
  /**
   * ResNet only: absolute rates of block4's three units, overriding multiGrid. torchvision's
   * deeplabv3_resnet* use [2, 4, 4] (output stride 8): pass them to reproduce torchvision's outputs.
   */
  block4Rates?: readonly [number, number, number];
  /** ASPP atrous rates: ResNet default [6, 12, 18] at stride 16, doubled at 8; MobileNetV2 default [] (none). */
  asppRates?: readonly number[];
  /** ResNet only: torchvision's auxiliary FCN head on layer3 (graph output 'aux_logits'). */
  auxHead?: boolean;
  /** MobileNetV2 only: width multiplier (default 1). */
  depthMultiplier?: number;
}

export function defaultAsppRates(outputStride: number): number[] {
  return [6, 12, 18].map((r) => (r * 16) / outputStride);
}

export function checkOutputStride(fn: string, v: unknown): 8 | 16 {
  return checkOneOf(`${fn}: outputStride`, v ?? 16, [8, 16] as const);
}

/** torchvision's FCNHead: 3×3 conv to 256 + BN + ReLU, 1×1 to the classes. */
function fcnHead(b: ZooBuilder, x: Value, name: string, numClasses: number): Value {
  const y = convBnRelu(b, x, { name: `${name}.0`, bnName: `${name}.1`, out: 256, kernel: 3 });
  return conv(b, y, { name: `${name}.4`, out: numClasses, bias: true });
}

/** DeepLab v3: ResNet with multi-grid block4 and ASPP v3, or MobileNetV2 as TF DeepLab ships it. */
export function deeplabV3(options: DeepLabV3Options = {}): ZooNetwork {
  const fn = 'deeplabV3';
  checkObject(fn, options);
  const backbone = checkOneOf(`${fn}: backbone`, options.backbone ?? 'resnet101', ['resnet50', 'resnet101', 'mobilenetv2'] as const);
  const outputStride = checkOutputStride(fn, options.outputStride);
  const { numClasses, inputSize } = checkCommon(fn, options);
  const isResnet = backbone !== 'mobilenetv2';
  if (isResnet && options.depthMultiplier !== undefined) fail('INVALID_ARGUMENT', `${fn}: depthMultiplier applies to the mobilenetv2 backbone only`);
  if (!isResnet && options.auxHead) fail('INVALID_ARGUMENT', `${fn}: auxHead applies to the ResNet backbones only`);
  if (!isResnet && options.block4Rates !== undefined) fail('INVALID_ARGUMENT', `${fn}: block4Rates applies to the ResNet backbones only`);
  if (!isResnet && options.multiGrid !== undefined) fail('INVALID_ARGUMENT', `${fn}: multiGrid applies to the ResNet backbones only`);
  if (options.auxHead !== undefined && typeof options.auxHead !== 'boolean') fail('INVALID_ARGUMENT', `${fn}: auxHead must be a boolean, got ${show(options.auxHead)}`);
  const rates = checkRates(`${fn}: asppRates`, options.asppRates ?? (isResnet ? defaultAsppRates(outputStride) : []));
  const { b, input } = start(isResnet ? TORCH_STYLE : TF_STYLE, options, inputSize);
  let f: BackboneFeatures;
  let scores: Value;
  const extra: Record<string, Value> = {};
  if (isResnet) {
    const multiGrid = checkRates(`${fn}: multiGrid`, options.multiGrid ?? [1, 2, 4], 3);
    const layer4Rates = options.block4Rates === undefined ? undefined : checkRates(`${fn}: block4Rates`, options.block4Rates, 3);
    f = resnet(b, input, { depth: backbone === 'resnet50' ? 50 : 101, outputStride, multiGrid, layer4Rates });
    const aspp = asppV3(b, f.out, { name: 'classifier.0', rates });
    const y = convBnRelu(b, aspp, { name: 'classifier.1', bnName: 'classifier.2', out: 256, kernel: 3 });
    scores = conv(b, y, { name: 'classifier.4', out: numClasses, bias: true });
    if (options.auxHead) extra.aux_logits = fcnHead(b, f.taps.layer3 as Value, 'aux_classifier', numClasses);
  } else {
    f = mobilenetV2(b, input, { outputStride, depthMultiplier: options.depthMultiplier });
    const aspp = b.withStyle({ epsilon: 1e-5 }, () => asppV3(b, f.out, { name: 'classifier.0', rates, order: 'tf' }));
    scores = conv(b, aspp, { name: 'classifier.1', out: numClasses, bias: true });
  }
  return finish(b, `deeplabV3-${backbone}`, input, scores, { outputStride: f.outputStride, scoresStride: f.outputStride, numClasses, extra });
}
