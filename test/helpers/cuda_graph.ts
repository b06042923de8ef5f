// A small graph over the ops DeepLab uses, with seeded weights, shared by the CUDA tests (and by
// the child processes they start).
import { Graph } from '../../lib/graph/builder';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function randomArray(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, r);
}

// A small graph touching the ops DeepLab uses: atrous, depthwise and grouped conv with fused bias
// and activations, pooling, image pooling + broadcast add, an unfolded batch norm, pad,
// space-to-batch atrous, resize, concat, softmax, argmax. `passThrough` also outputs the input and
// one output twice (copied out at the end of a run).
export function deeplabLike(passThrough = false): { graph: Graph; weights: Record<string, Float32Array> } {
  const g = new Graph();
  const weights: Record<string, Float32Array> = {};
  let seed = 1;
  const w = (name: string, shape: number[], positive = false) => {
    const data = randomArray(shape.reduce((a, b) => a * b, 1), seed++);
    weights[name] = positive ? data.map((v) => Math.abs(v) + 0.1) : data;
    return g.weight(name, shape);
  };
  const x = g.input('image', [1, 33, 29, 3]);
  const stem = g.conv2d(x, { weight: w('stem', [16, 3, 3, 3]), bias: w('stem_b', [16]), strides: 2, padding: 'same', activation: 'relu' });
  const dw = g.conv2d(stem, { weight: w('dw', [16, 3, 3, 1]), groups: 16, dilations: 2, padding: 'same', activation: 'relu6' });
  const grouped = g.conv2d(dw, { weight: w('grp', [32, 1, 1, 4]), groups: 4, bias: w('grp_b', [32]) });
  const atrous = g.conv2d(grouped, { weight: w('aspp', [24, 3, 3, 32]), dilations: 3, padding: 'same', activation: 'relu' });
  const pooled = g.globalAvgPool(grouped);
  const proj = g.conv2d(pooled, { weight: w('proj', [24, 1, 1, 32]) });
  const merged = g.add(atrous, proj, { activation: 'relu' });
  const bn = g.batchNorm(merged, { scale: w('bn_s', [24]), offset: w('bn_o', [24]), mean: w('bn_m', [24]), variance: w('bn_v', [24], true) });
  const padded = g.pad(bn, { pads: [1, 2, 0, 1], mode: 'reflect' });
  const batched = g.spaceToBatch(padded, { blockShape: [2, 2] });
  const rate2 = g.conv2d(batched, { weight: w('s2b', [8, 3, 3, 24]), padding: 'same' });
  const unbatched = g.batchToSpace(rate2, { blockShape: [2, 2], crops: [1, 2, 0, 1] });
  const side = g.clip(g.avgPool2d(unbatched, { kernel: 3, strides: 1, padding: 'same', countIncludePad: true }), -1, 1);
  const small = g.maxPool2d(merged, { kernel: 3, strides: 2, padding: 'same' });
  const up = g.resizeBilinear(small, { size: [17, 15], coordinateMode: 'align_corners' });
  const cat = g.concat([up, merged, side]);
  const logits = g.conv2d(cat, { weight: w('head', [5, 1, 1, 56]), bias: w('head_b', [5]) });
  const full = g.resizeBilinear(logits, { size: [33, 29], coordinateMode: 'half_pixel' });
  const probs = g.softmax(full);
  g.output('probs', probs);
  g.output('labels', g.argmax(full));
  if (passThrough) {
    g.output('image_out', x);
    g.output('probs_again', probs);
  }
  return { graph: g, weights };
}
