// Aligned Xception-65 (DeepLab v3+): the entry flow downsamples with stride-2 separable convs
// instead of max pools, 16 middle-flow blocks, and an exit flow whose strides turn into atrous
// rates once the output stride is reached.
import { Value } from '../../graph/builder';
import { batchNorm, conv, convBnRelu, separableConv, ZooBuilder } from '../blocks';
import { BackboneFeatures, StrideTracker } from './common';

/** Options of the Aligned Xception-65 backbone. */
export interface XceptionOptions {
  outputStride: 8 | 16 | 32;
  /** Unit rates of the last exit-flow block as multiples of its base rate; default [1, 1, 1]. */
  multiGrid?: readonly number[];
  prefix?: string;
}

interface ModuleSpec {
  name: string;
  depths: [number, number, number];
  skip: 'conv' | 'sum' | 'none';
  stride: number;
  /** BN+ReLU inside each separable conv (exit block 2) instead of a ReLU before it. */
  activationInside?: boolean;
}

function xceptionModule(b: ZooBuilder, x: Value, m: ModuleSpec, stride: number, rates: readonly number[], taps: Record<string, Value>): Value {
  let y = x;
  for (let i = 0; i < 3; i++) {
    if (!m.activationInside) y = b.graph.relu(y);
    y = separableConv(b, y, {
      name: `${m.name}.sepconv${i + 1}`, out: m.depths[i], stride: i === 2 ? stride : 1, rate: rates[i],
      activationInside: m.activationInside === true,
    });
    taps[`${m.name}.sepconv${i + 1}`] = y;
  }
  if (m.skip === 'conv') {
    const shortcut = batchNorm(b, conv(b, x, { name: `${m.name}.shortcut`, out: m.depths[2], stride }), `${m.name}.shortcut_bn`);
    return b.graph.add(y, shortcut, { name: `${m.name}.add` });
  }
  return m.skip === 'sum' ? b.graph.add(y, x, { name: `${m.name}.add` }) : y;
}

/** Aligned Xception-65 backbone (strided separable convs instead of max pools). */
export function xception65(b: ZooBuilder, x: Value, o: XceptionOptions): BackboneFeatures {
  const p = o.prefix ?? 'backbone';
  const track = new StrideTracker(o.outputStride);
  const taps: Record<string, Value> = {};
  const s1 = track.next(2);
  let y = convBnRelu(b, x, { name: `${p}.entry_flow.conv1`, out: 32, kernel: 3, stride: s1.stride });
  y = convBnRelu(b, y, { name: `${p}.entry_flow.conv2`, out: 64, kernel: 3 });
  const modules: ModuleSpec[] = [
    { name: `${p}.entry_flow.block1`, depths: [128, 128, 128], skip: 'conv', stride: 2 },
    { name: `${p}.entry_flow.block2`, depths: [256, 256, 256], skip: 'conv', stride: 2 },
    { name: `${p}.entry_flow.block3`, depths: [728, 728, 728], skip: 'conv', stride: 2 },
    ...Array.from({ length: 16 }, (_, i): ModuleSpec => ({ name: `${p}.middle_flow.block${i + 1}`, depths: [728, 728, 728], skip: 'sum', stride: 1 })),
    { name: `${p}.exit_flow.block1`, depths: [728, 1024, 1024], skip: 'conv', stride: 2 },
    { name: `${p}.exit_flow.block2`, depths: [1536, 1536, 2048], skip: 'none', stride: 1, activationInside: true },
  ];
  const grid = o.multiGrid ?? [1, 1, 1];
  for (const m of modules) {
    const { stride, rate } = track.next(m.stride);
    const last = m === modules[modules.length - 1];
    const rates = [0, 1, 2].map((i) => (last ? rate * (grid[i] ?? 1) : rate));
    y = xceptionModule(b, y, m, stride, rates, taps);
  }
  // DeepLab's decoder end point: entry_flow/block2 second separable conv (stride 4, 256 ch).
  return { out: y, outputStride: track.stride, lowLevel: taps[`${p}.entry_flow.block2.sepconv2`] as Value, taps };
}
