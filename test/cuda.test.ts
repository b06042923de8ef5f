// The CUDA plugin as the package sees it: info().cuda explains itself, device 'cuda' rejects with
// the reason when CUDA cannot be used, 'auto' falls back to the CPU. On a machine with a GPU and
// the plugin, the same tests compare the CUDA run of a small DeepLab-like graph with the CPU run.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError } from '../lib/errors';
import { Graph } from '../lib/graph/builder';
import { info } from '../lib/info';
import { compile } from '../lib/model';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function randomArray(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, r);
}

// A small graph touching the ops DeepLab uses: atrous, depthwise and grouped conv with fused bias
// and activations, pooling, image pooling + broadcast add, resize, concat, softmax, argmax.
function deeplabLike(): { graph: Graph; weights: Record<string, Float32Array> } {
  const g = new Graph();
  const weights: Record<string, Float32Array> = {};
  let seed = 1;
  const w = (name: string, shape: number[]) => {
    weights[name] = randomArray(shape.reduce((a, b) => a * b, 1), seed++);
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
  const small = g.maxPool2d(merged, { kernel: 3, strides: 2, padding: 'same' });
  const up = g.resizeBilinear(small, { size: [17, 15], coordinateMode: 'align_corners' });
  const cat = g.concat([up, merged]);
  const logits = g.conv2d(cat, { weight: w('head', [5, 1, 1, 48]), bias: w('head_b', [5]) });
  const full = g.resizeBilinear(logits, { size: [33, 29], coordinateMode: 'half_pixel' });
  g.output('probs', g.softmax(full));
  g.output('labels', g.argmax(full));
  return { graph: g, weights };
}

// Runs a script in a fresh Node process (the plugin is looked for once per process).
function inChild(code: string, env: Record<string, string>): unknown {
  const lib = path.join(__dirname, '..', 'lib');
  const script = `const lib = ${JSON.stringify(lib)};\n${code}`;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
    env: { ...process.env, ...env },
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

test('info().cuda says whether CUDA is usable, and why not', () => {
  const c = info().cuda;
  assert.type(c.available, 'boolean');
  if (c.available) {
    assert.type(c.device, 'string');
    assert.ok((c.device as string).length > 0);
    assert.match(c.driver ?? '', /^\d+\.\d+$/);
    assert.match(c.runtime ?? '', /^\d+\.\d+$/);
  } else {
    assert.type(c.reason, 'string');
    assert.ok((c.reason as string).length > 10, `reason too short: ${c.reason}`);
    // Without a plugin file the reason says how to get one; with one, it names the file.
    if (c.plugin === undefined) assert.match(c.reason as string, /plugin/);
  }
});

test("compile({device: 'cuda'}) rejects with the reason when CUDA is unavailable, or runs like the CPU", async () => {
  const { graph, weights } = deeplabLike();
  const c = info().cuda;
  if (!c.available) {
    try {
      await compile(graph, weights, { device: 'cuda' });
      assert.unreachable('compile should have rejected');
    } catch (e) {
      assert.ok(isAtrousError(e, 'UNSUPPORTED'), String(e));
      assert.ok((e as Error).message.includes(c.reason as string), (e as Error).message);
    }
    return;
  }
  // A GPU is here: the CUDA run must agree with the CPU run.
  const cpu = await compile(graph, weights, { device: 'cpu' });
  const gpu = await compile(graph, weights, { device: 'cuda' });
  assert.is(gpu.stats().backend, 'cuda');
  const image = randomArray(33 * 29 * 3, 99);
  const [a, b] = [await cpu.run(image), await gpu.run(image)];
  const pa = a.probs.data as Float32Array, pb = b.probs.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i] - pb[i]));
  // TF32 tensor cores round operands to 10 mantissa bits: probabilities agree to ~1e-2.
  assert.ok(worst < 2e-2, `max |cpu - cuda| probability difference ${worst}`);
  const la = a.labels.data as Int32Array, lb = b.labels.data as Int32Array;
  let same = 0;
  for (let i = 0; i < la.length; i++) if (la[i] === lb[i]) same++;
  assert.ok(same / la.length > 0.97, `labels agree on ${same} of ${la.length} pixels`);
  // Device memory is reused: a second run gives the same answer.
  const again = await gpu.run(image);
  assert.equal(Array.from(again.labels.data), Array.from(lb));
  cpu.dispose();
  gpu.dispose();
});

test("device 'auto' runs on CUDA when it can, else on the CPU with the CPU's results", async () => {
  const { graph, weights } = deeplabLike();
  const auto = await compile(graph, weights, { device: 'auto' });
  const expected = info().cuda.available ? 'cuda' : 'cpu';
  assert.is(auto.stats().backend, expected);
  if (expected === 'cpu') {
    const cpu = await compile(graph, weights, { device: 'cpu' });
    const image = randomArray(33 * 29 * 3, 7);
    const [a, b] = [await auto.run(image), await cpu.run(image)];
    assert.equal(Array.from(a.probs.data), Array.from(b.probs.data));
    assert.equal(Array.from(a.labels.data), Array.from(b.labels.data));
    cpu.dispose();
  }
  auto.dispose();
});

test('an unknown device is INVALID_ARGUMENT', async () => {
  const { graph, weights } = deeplabLike();
  try {
    await compile(graph, weights, { device: 'gpu' as 'cuda' });
    assert.unreachable('compile should have rejected');
  } catch (e) {
    assert.ok(isAtrousError(e, 'INVALID_ARGUMENT'), String(e));
    assert.match((e as Error).message, /device/);
  }
});

test('ATROUS_CUDA_PLUGIN naming a missing file: info() and compile() say so, auto still works', () => {
  const missing = path.join(__dirname, 'no-such-dir', 'libatrous_cuda.so');
  const input = randomArray(32, 5);
  const result = inChild(
    `const { info } = require(lib + '/info');
     const { compile } = require(lib + '/model');
     const { Graph } = require(lib + '/graph/builder');
     (async () => {
       const g = new Graph();
       const x = g.input('x', [1, 4, 4, 2]);
       g.output('y', g.relu(x));
       const out = { info: info().cuda };
       try { await compile(g, {}, { device: 'cuda' }); out.cuda = 'compiled'; }
       catch (e) { out.cuda = { code: e.code, message: e.message }; }
       const m = await compile(g, {}, { device: 'auto' });
       const r = await m.run(Float32Array.from(${JSON.stringify(Array.from(input))}));
       out.backend = m.stats().backend;
       out.y = Array.from(r.y.data);
       console.log(JSON.stringify(out));
     })().catch((e) => { console.log(JSON.stringify({ crashed: String(e) })); });`,
    { ATROUS_CUDA_PLUGIN: missing },
  ) as { info: { available: boolean; reason: string }; cuda: { code: string; message: string }; backend: string; y: number[] };
  assert.is(result.info.available, false);
  assert.ok(result.info.reason.includes(missing), result.info.reason);
  assert.is(result.cuda.code, 'UNSUPPORTED');
  assert.ok(result.cuda.message.includes(missing), result.cuda.message);
  assert.is(result.backend, 'cpu');
  assert.equal(result.y, Array.from(input, (v) => Math.max(v, 0)));
});

test.run();
