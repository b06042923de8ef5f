// Runs are asynchronous: the event loop stays free, worker_threads load the addon and run concurrently,
// AbortSignal stops a run between layers and the model stays usable.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { AtrousError, compile } from '../lib/index';
import { bigGraph } from './helpers/big-graph';

test('a run does not block the event loop: timers fire while it runs', async () => {
  const { graph, input } = bigGraph(96, 48, 8);
  const model = await compile(graph, undefined, { threads: 1 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = Date.now();
  await model.run(input);
  const elapsed = Date.now() - started;
  clearInterval(timer);
  model.dispose();
  assert.ok(elapsed > 30, `run should take a while to make this meaningful (took ${elapsed} ms)`);
  assert.ok(ticks >= Math.min(10, elapsed / 10), `only ${ticks} timer ticks during a ${elapsed} ms run`);
});

test('two worker_threads and the main thread run models concurrently with identical results', async () => {
  const { graph, input } = bigGraph(48, 24, 4);
  const model = await compile(graph, undefined, { threads: 1 });
  const expected = (await model.run(input)).y!.data as Float32Array;
  const script = path.join(__dirname, 'helpers', 'worker-run.ts');
  const runInWorker = () =>
    new Promise<Float32Array>((resolve, reject) => {
      const w = new Worker(script, { execArgv: ['--require', require.resolve('tsx/cjs')] });
      w.once('message', (m: Float32Array | { error: string }) => {
        void w.terminate();
        if (m instanceof Float32Array) resolve(m);
        else reject(new Error(m.error));
      });
      w.once('error', reject);
    });
  const [a, b, c] = await Promise.all([runInWorker(), runInWorker(), model.run(input)]);
  model.dispose();
  for (const [name, got] of [['worker 1', a], ['worker 2', b], ['main', c!.y!.data as Float32Array]] as const) {
    assert.equal(got.length, expected.length, name);
    assert.ok(got.every((v, i) => v === expected[i]), `${name} differs from the single-threaded run`);
  }
});

test('AbortSignal rejects with ABORTED between layers, and the model stays usable', async () => {
  const { graph, input } = bigGraph(96, 48, 20);
  const model = await compile(graph, undefined, { threads: 1 });
  const controller = new AbortController();
  const pending = model.run(input, { signal: controller.signal });
  setTimeout(() => controller.abort(), 2);
  const err = await pending.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AtrousError, 'rejects with AtrousError');
  assert.is((err as AtrousError).code, 'ABORTED');
  const again = await model.run(input);
  const reference = await model.run(input);
  assert.ok((again.y!.data as Float32Array).every((v, i) => v === reference.y!.data[i]), 'usable after abort');
  const pre = new AbortController();
  pre.abort();
  const early = await model.run(input, { signal: pre.signal }).then(() => undefined, (e: unknown) => e);
  assert.is((early as AtrousError).code, 'ABORTED');
  model.dispose();
});

test('runs of one model are serialized and all complete', async () => {
  const { graph, input } = bigGraph(32, 16, 3);
  const model = await compile(graph, undefined, { threads: 2 });
  const results = await Promise.all([1, 2, 3, 4].map(() => model.run(input)));
  for (const r of results) assert.ok((r.y!.data as Float32Array).every((v, i) => v === results[0]!.y!.data[i]));
  model.dispose();
});

test.run();
