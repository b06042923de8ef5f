import { activation4, GraphCore, Value } from '../core';

/** Softmax over channels. */
export function softmax(g: GraphCore, x: Value, name?: string): Value {
  return g.addNode('softmax', [x], {}, activation4('softmax input', x), 'float32', name);
}

/** Argmax over channels → int32 [N, H, W, 1]. */
export function argmax(g: GraphCore, x: Value, name?: string): Value {
  const [n, h, w] = activation4('argmax input', x);
  return g.addNode('argmax', [x], {}, [n, h, w, 1], 'int32', name);
}
