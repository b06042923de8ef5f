// TF DeepLab MobileNetV2 variable names → atrous zoo names, for checkpoints (gamma/beta/moving_*)
// and for frozen graphs as TF.js/TFLite carry them (BN folded: `Conv2D/merged_input` weights +
// `FusedBatchNorm/Offset`, depthwise `FusedBatchNorm/Scaled`; TF Lite `weights` + `Conv2D_bias` /
// `depthwise_bias`, quantized `weights_quant/FakeQuantWithMinMaxVars` + `Conv2D_Fold_bias`).
// BN statistics a folded source lacks are filled with the identity (mean 0, var 1 − ε, gamma 1).
import { fail, show } from '../../errors';
import { KeyMap } from '../../zoo/network';
import { fromHwio, fromOihw, fromTflite, passThrough } from './layout';

/** Options of {@link zoo.tfMobileNetV2Keys}. */
export interface TfMobileNetV2KeyOptions {
  /**
   * Weight layout of the source: 'tf' (HWIO, depthwise HWCM; checkpoints, raw TF.js shards), 'tflite'
   * (OHWI, depthwise [1, H, W, C] or [C, H, W, 1]; also the weights of graphs from atrous's importers,
   * which keep the TF names) or 'onnx' (OIHW, depthwise [C, 1, H, W]; tf2onnx exports). Default 'tf'.
   */
  layout?: 'tf' | 'tflite' | 'onnx';
  /** Number of atrous ASPP branches in the network (0 for the shipped MobileNetV2 models). */
  asppBranches?: number;
  /** The network is v3+ (logits belong to the decoder). */
  decoder?: boolean;
}

const TOP_SCOPES = /^(MobilenetV2\/|aspp\d|image_pooling\/|concat_projection\/|logits\/|decoder\/)/;

/** TF scope → [native conv prefix, native BN prefix]. */
function scope(s: string, o: Required<TfMobileNetV2KeyOptions>): [string, string] | undefined {
  let m: RegExpMatchArray | null;
  if (s === 'MobilenetV2/Conv') return ['backbone.features.0.0', 'backbone.features.0.1'];
  if ((m = s.match(/^MobilenetV2\/expanded_conv(?:_(\d+))?\/(expand|depthwise|project)$/))) {
    const k = m[1] === undefined ? 0 : Number(m[1]);
    const f = `backbone.features.${k + 1}.conv`;
    const part = m[2] as string;
    if (k === 0) return part === 'depthwise' ? [`${f}.0.0`, `${f}.0.1`] : part === 'project' ? [`${f}.1`, `${f}.2`] : undefined;
    return part === 'expand' ? [`${f}.0.0`, `${f}.0.1`] : part === 'depthwise' ? [`${f}.1.0`, `${f}.1.1`] : [`${f}.2`, `${f}.3`];
  }
  if (s === 'aspp0') return ['classifier.0.convs.0.0', 'classifier.0.convs.0.1'];
  if ((m = s.match(/^aspp(\d+)(?:_(depthwise|pointwise))?$/))) {
    const i = Number(m[1]);
    if (i < 1 || i > o.asppBranches) return undefined;
    const b = `classifier.0.convs.${i}`;
    return m[2] ? [`${b}.${m[2]}`, `${b}.${m[2]}_bn`] : [`${b}.0`, `${b}.1`];
  }
  if (s === 'image_pooling') return [`classifier.0.convs.${o.asppBranches + 1}.1`, `classifier.0.convs.${o.asppBranches + 1}.2`];
  if (s === 'concat_projection') return ['classifier.0.project.0', 'classifier.0.project.1'];
  if (s === 'logits/semantic') return o.decoder ? ['decoder.classifier', ''] : ['classifier.1', ''];
  if (s === 'decoder/feature_projection0') return ['decoder.project.0', 'decoder.project.1'];
  if ((m = s.match(/^decoder\/decoder_conv(\d)_(depthwise|pointwise)$/))) {
    const b = `decoder.conv${Number(m[1]) + 1}.${m[2]}`;
    return [b, `${b}_bn`];
  }
  return undefined;
}

const SUFFIXES: [RegExp, 'weight' | 'bias' | 'gamma' | 'beta' | 'mean' | 'var'][] = [
  [/\/(weights|depthwise_weights|Conv2D\/merged_input|weights_quant\/FakeQuantWithMinMaxVars)$/, 'weight'],
  [/\/(biases|Conv2D_bias|depthwise_bias|Conv2D_Fold_bias|depthwise_Fold_bias)$/, 'bias'],
  [/\/BatchNorm\/(gamma|FusedBatchNorm\/Scaled)$/, 'gamma'],
  [/\/BatchNorm\/(beta|FusedBatchNorm\/Offset)$/, 'beta'],
  [/\/BatchNorm\/moving_mean$/, 'mean'],
  [/\/BatchNorm\/moving_variance$/, 'var'],
];

/** Key map for TF DeepLab MobileNetV2 variable names (checkpoints, frozen graphs, TFLite, tf2onnx). */
export function tfMobileNetV2Keys(options: TfMobileNetV2KeyOptions = {}): KeyMap {
  const layout = options.layout ?? 'tf';
  if (layout !== 'tf' && layout !== 'tflite' && layout !== 'onnx') fail('INVALID_ARGUMENT', `tfMobileNetV2Keys: layout must be 'tf', 'tflite' or 'onnx', got ${show(layout)}`);
  const o: Required<TfMobileNetV2KeyOptions> = { layout, asppBranches: options.asppBranches ?? 0, decoder: options.decoder ?? false };
  if (!Number.isInteger(o.asppBranches) || o.asppBranches < 0) fail('INVALID_ARGUMENT', `tfMobileNetV2Keys: asppBranches must be a non-negative integer`);
  const convert4 = layout === 'tf' ? fromHwio : layout === 'tflite' ? fromTflite : fromOihw;
  return {
    name: `tf-mobilenetv2 (${layout})`,
    target(key) {
      if (!TOP_SCOPES.test(key) || /SpaceToBatchND|BatchToSpaceND/.test(key)) return null; // graph plumbing, not weights
      for (const [re, role] of SUFFIXES) {
        const m = key.match(re);
        if (!m) continue;
        const names = scope(key.slice(0, m.index), o);
        if (!names) return undefined;
        const [convName, bnName] = names;
        if (role === 'weight') return `${convName}.weight`;
        if (role === 'bias') return bnName ? `${bnName}.bias` : `${convName}.bias`; // folded BN: the conv bias is BN's beta
        if (!bnName) return undefined;
        return `${bnName}.${{ gamma: 'weight', beta: 'bias', mean: 'running_mean', var: 'running_var' }[role]}`;
      }
      return undefined;
    },
    convert: (t, shape) => (shape.length === 4 ? convert4(t.data, t.shape, shape) : passThrough(t.data, t.shape, shape)),
    fill(name, shape, provided, epsilon) {
      const m = name.match(/^(.*)\.(weight|running_mean|running_var)$/);
      if (!m || shape.length !== 1 || !provided.has(`${m[1]}.bias`)) return undefined;
      const n = shape[0] as number;
      return new Float32Array(n).fill(m[2] === 'running_mean' ? 0 : m[2] === 'running_var' ? 1 - epsilon : 1);
    },
  };
}
