// Atrous Spatial Pyramid Pooling, v2 (DeepLab v2) and v3 (DeepLab v3 / v3+).
import { Value } from '../../graph/builder';
import { atrousConv, convBnRelu, separableConv, upsample, ZooBuilder } from '../blocks';

/** Options of ASPP v2 (DeepLab v2: parallel atrous 3×3 branches to the classes, summed). */
export interface AsppV2Options {
  /** Weight prefix: `<name>.convs.<i>.{weight,bias}`. */
  name: string;
  numClasses: number;
  /** Default [6, 12, 18, 24]. */
  rates?: readonly number[];
}

/** ASPP v2: parallel 3×3 atrous convs straight to the classes, summed. */
export function asppV2(b: ZooBuilder, x: Value, o: AsppV2Options): Value {
  const rates = o.rates ?? [6, 12, 18, 24];
  const branches = rates.map((rate, i) => atrousConv(b, x, { name: `${o.name}.convs.${i}`, out: o.numClasses, rate, bias: true }));
  return branches.slice(1).reduce((sum, y, i) => b.graph.add(sum, y, { name: `${o.name}.sum${i + 1}` }), branches[0] as Value);
}

/** Options of ASPP v3 (1×1, atrous 3×3 branches and image pooling, concatenated, projected). */
export interface AsppV3Options {
  /**
   * Weight prefix, torchvision layout: `<name>.convs.0.{0,1}` 1×1 branch, `<name>.convs.<i>.{0,1}` atrous
   * branch i (or `<name>.convs.<i>.{depthwise,pointwise}…` when separable), `<name>.convs.<n+1>.{1,2}`
   * image pooling, `<name>.project.{0,1}` projection.
   */
  name: string;
  /** Atrous branch rates; [6, 12, 18] at output stride 16, [12, 24, 36] at 8; [] = 1×1 + pooling only. */
  rates: readonly number[];
  /** Channels of every branch and of the projection (default 256). */
  channels?: number;
  /** Depthwise-separable atrous branches (DeepLab v3+ Xception). */
  separable?: boolean;
  /** Include the image-pooling branch (default true). */
  imagePooling?: boolean;
  /** Concatenation order: torchvision [1×1, atrous…, pooling] or TF [pooling, 1×1, atrous…]. */
  order?: 'torchvision' | 'tf';
}

/** ASPP v3: 1×1 + atrous 3×3 branches + image pooling, each BN + ReLU, concatenated, 1×1 projection. */
export function asppV3(b: ZooBuilder, x: Value, o: AsppV3Options): Value {
  const c = o.channels ?? 256;
  const [, h, w] = x.shape4;
  const branches: Value[] = [convBnRelu(b, x, { name: `${o.name}.convs.0.0`, bnName: `${o.name}.convs.0.1`, out: c })];
  o.rates.forEach((rate, i) => {
    const name = `${o.name}.convs.${i + 1}`;
    branches.push(o.separable
      ? separableConv(b, x, { name, out: c, rate })
      : convBnRelu(b, x, { name: `${name}.0`, bnName: `${name}.1`, out: c, kernel: 3, rate }));
  });
  if (o.imagePooling ?? true) {
    const name = `${o.name}.convs.${o.rates.length + 1}`;
    const pooled = convBnRelu(b, b.graph.globalAvgPool(x, `${name}.0`), { name: `${name}.1`, bnName: `${name}.2`, out: c });
    const pooling = upsample(b, pooled, [h, w], `${name}.upsample`);
    if (o.order === 'tf') branches.unshift(pooling);
    else branches.push(pooling);
  }
  const cat = b.graph.concat(branches, `${o.name}.concat`);
  return convBnRelu(b, cat, { name: `${o.name}.project.0`, bnName: `${o.name}.project.1`, out: c });
}
