// A conv-heavy graph with seeded weights, big enough that one run takes a noticeable time.
import { Graph, Value } from '../../lib/index';
import { seededRandom } from './onnx-writer';

export function bigGraph(size = 96, channels = 48, layers = 6): { graph: Graph; input: Float32Array } {
  const g = new Graph();
  let x: Value = g.input('x', [1, size, size, 8]);
  let cin = 8;
  for (let i = 0; i < layers; i++) {
    const w = g.weight(`l${i}.w`, [channels, 3, 3, cin], seededRandom(channels * 9 * cin, i + 1, -0.1, 0.1));
    x = g.conv2d(x, { weight: w, padding: 'same', dilations: 1 + (i % 3), activation: 'relu' });
    cin = channels;
  }
  g.output('y', x);
  return { graph: g, input: seededRandom(size * size * 8, 99) };
}
