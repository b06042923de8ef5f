// Parameter and multiply-add counts read from a built graph.
import { GraphCore } from '../graph/core';

/** What {@link zoo.stats} counts. */
export interface GraphStats {
  /** Learnable parameters: all weights except BatchNorm running mean/variance (torchvision's `parameters()`). */
  params: number;
  /** BatchNorm running statistics (buffers, not parameters). */
  buffers: number;
  /** Multiply-adds of all convolutions (the convention of the DeepLab / MobileNet papers). */
  madds: number;
  convs: number;
}

/** Parameter and multiply-add counts of a built graph. */
export function stats(graph: GraphCore): GraphStats {
  const bufferIds = new Set<number>();
  let madds = 0, convs = 0;
  for (const n of graph.nodeList) {
    if (n.op === 'batch_norm') [3, 4].forEach((i) => bufferIds.add((n.inputs[i] as { id: number }).id));
    if (n.op === 'conv2d') {
      const [cout, kh, kw, cinG] = n.inputs[1]?.shape as number[];
      const [b, h, w] = n.output.shape as number[];
      madds += (b as number) * (h as number) * (w as number) * (cout as number) * (kh as number) * (kw as number) * (cinG as number);
      convs++;
    }
  }
  let params = 0, buffers = 0;
  for (const w of graph.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (bufferIds.has(w.value.id)) buffers += size;
    else params += size;
  }
  return { params, buffers, madds, convs };
}
