// Worker body for async.test.ts: loads the addon in this thread, runs the same model, posts the output.
import { parentPort } from 'node:worker_threads';

import { compile } from '../../lib/index';
import { bigGraph } from './big-graph';

(async () => {
  try {
    const { graph, input } = bigGraph(48, 24, 4);
    const model = await compile(graph, undefined, { threads: 1 });
    const out = await model.run(input);
    model.dispose();
    parentPort?.postMessage(out.y!.data);
  } catch (e) {
    parentPort?.postMessage({ error: String(e) });
  }
})();
