// fake_quant (the op quantized TFLite imports may use) against a brute-force float32 computation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError } from '../lib/errors';
import { Graph } from '../lib/graph/builder';
import { compile } from '../lib/model';
import { seededRandom } from './helpers/onnx-writer';

function expected(x: number, scale: number, zp: number, qmin: number, qmax: number): number {
  const f = Math.fround;
  const r = f(f(x) / f(scale));
  const rounded = Math.sign(r) * Math.floor(Math.abs(r) + 0.5); // std::round: halves away from zero
  const q = Math.min(Math.max(rounded + zp, qmin), qmax);
  return f((q - zp) * f(scale));
}

for (const [scale, zp, range] of [[0.05, 128, [0, 255]], [0.1, -3, [-128, 127]], [0.25, 0, [0, 255]]] as const) {
  test(`fakeQuant scale ${scale} zeroPoint ${zp} range [${range}] matches the brute-force rounding`, async () => {
    const g = new Graph();
    const x = g.input('x', [1, 5, 7, 6]);
    g.output('y', g.fakeQuant(x, { scale, zeroPoint: zp, range }));
    const data = seededRandom(5 * 7 * 6, 3, -12, 12);
    data[0] = 0.5 * scale; data[1] = -0.5 * scale; data[2] = 1e6; data[3] = -1e6; // halves and saturation
    const model = await compile(g);
    const y = (await model.run(data)).y!.data;
    for (let i = 0; i < data.length; i++) assert.is(y[i], expected(data[i]!, scale, zp, range[0], range[1]), `element ${i} (x = ${data[i]})`);
    model.dispose();
  });
}

test('fakeQuant rejects a non-positive scale and an inverted range', () => {
  const g = new Graph();
  const x = g.input('x', [1, 2, 2, 1]);
  for (const o of [{ scale: 0 }, { scale: -1 }, { scale: 1, range: [5, 1] as [number, number] }]) {
    try {
      g.fakeQuant(x, o);
      assert.unreachable('should throw');
    } catch (e) {
      assert.ok(isAtrousError(e, 'INVALID_ARGUMENT'), String(e));
    }
  }
});

test('the native side re-validates fake_quant params (a descriptor that skipped the TS checks)', async () => {
  for (const params of [{ scale: 0, zeroPoint: 0, qmin: 0, qmax: 255 }, { scale: 1, zeroPoint: 0, qmin: 9, qmax: 1 }, { scale: 1, bogus: 1 }]) {
    const g = new Graph();
    const x = g.input('x', [1, 2, 2, 1]);
    g.output('y', g.addNode('fake_quant', [x], params, x.shape, 'float32'));
    await compile(g).then(() => assert.unreachable('should reject'), (e) => assert.ok(isAtrousError(e, 'INVALID_ARGUMENT'), String(e)));
  }
});

test.run();
