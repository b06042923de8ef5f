// The DeepLab v3+ decoder: low-level features at stride 4 → 1×1 to 48 ch; encoder output upsampled
// to that size (×4 at output stride 16); concat; two 3×3 256-ch convs (optionally separable); logits.
import { Value } from '../../graph/builder';
import { conv, convBnRelu, separableConv, upsample, ZooBuilder } from '../blocks';

/** Options of the DeepLab v3+ decoder. */
export interface DecoderOptions {
  /**
   * Weight prefix: `<name>.project.{0,1}` (48-ch 1×1), `<name>.conv1`/`<name>.conv2` (`.0`/`.1` conv/BN,
   * or `.depthwise…`/`.pointwise…` when separable), `<name>.classifier.{weight,bias}`.
   */
  name: string;
  numClasses: number;
  separable?: boolean;
  /** Low-level projection channels (default 48). */
  lowLevelChannels?: number;
  /** Decoder conv channels (default 256). */
  channels?: number;
}

/** Returns the class scores at the low-level features' resolution (stride 4). */
export function decoderV3Plus(b: ZooBuilder, encoder: Value, lowLevel: Value, o: DecoderOptions): Value {
  const [, h, w] = lowLevel.shape4;
  const c = o.channels ?? 256;
  const low = convBnRelu(b, lowLevel, { name: `${o.name}.project.0`, bnName: `${o.name}.project.1`, out: o.lowLevelChannels ?? 48 });
  let y = b.graph.concat([upsample(b, encoder, [h, w], `${o.name}.upsample`), low], `${o.name}.concat`);
  for (const name of [`${o.name}.conv1`, `${o.name}.conv2`])
    y = o.separable ? separableConv(b, y, { name, out: c }) : convBnRelu(b, y, { name: `${name}.0`, bnName: `${name}.1`, out: c, kernel: 3 });
  return conv(b, y, { name: `${o.name}.classifier`, out: o.numClasses, bias: true });
}
