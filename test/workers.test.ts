// The addon in several worker_threads at once, and workers terminated in the middle of a run.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compile } from '../lib/index';
import { bigGraph } from './helpers/big-graph';

const script = path.join(__dirname, 'helpers', 'worker-run.ts');
const execArgv = ['--require', require.resolve('tsx/cjs')];

function runInWorker(): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { execArgv });
    w.once('message', (m: Float32Array | { error: string }) => {
      void w.terminate();
      if (m instanceof Float32Array) resolve(m);
      else reject(new Error(m.error));
    });
    w.once('error', reject);
  });
}

test('4 worker_threads plus the main thread give results identical to a single-threaded run', async () => {
  const { graph, input } = bigGraph(48, 24, 4);
  const model = await compile(graph, undefined, { threads: 1 });
  const expected = (await model.run(input)).y!.data as Float32Array;
  const results = await Promise.all([runInWorker(), runInWorker(), runInWorker(), runInWorker(), model.run(input).then((r) => r.y!.data as Float32Array)]);
  model.dispose();
  results.forEach((r, i) => assert.ok(r.length === expected.length && r.every((v, k) => v === expected[k]), `thread ${i} differs`));
});

test('terminating a worker mid-run neither crashes nor leaks', async () => {
  const rssAfter: number[] = [];
  for (let round = 0; round < 12; round++) {
    const w = new Worker(script, { execArgv });
    // Let it load the addon and start running, then pull the plug.
    await new Promise((r) => setTimeout(r, 150 + (round % 4) * 40));
    await w.terminate();
    if (round >= 4) rssAfter.push(process.memoryUsage().rss);
  }
  // The process is still alive and still works.
  const { graph, input } = bigGraph(16, 8, 2);
  const model = await compile(graph, undefined, { threads: 1 });
  const out = await model.run(input);
  assert.ok(out.y!.data.length > 0);
  model.dispose();
  const growth = (rssAfter[rssAfter.length - 1]! - rssAfter[0]!) / 2 ** 20;
  assert.ok(growth < 64, `resident memory grew by ${growth.toFixed(1)} MiB over 8 terminated workers`);
});

test.run();
