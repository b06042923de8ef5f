// The CUDA plugin as the package sees it: info().cuda explains itself, device 'cuda' rejects with
// the reason when CUDA cannot be used, 'auto' falls back to the CPU. On a machine with a GPU and
// the plugin, the same tests compare the CUDA run of a small DeepLab-like graph with the CPU run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError } from '../lib/errors';
import { info } from '../lib/info';
import { compile } from '../lib/model';
import { load } from '../lib/load';
import { crf } from '../lib/crf';
import { sharedPath } from './helpers/data';
import { deeplabLike, randomArray } from './helpers/cuda_graph';

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

test("device 'auto' stays on the CPU (CUDA is opt-in until verified on a GPU) with the CPU's results", async () => {
  const { graph, weights } = deeplabLike();
  const auto = await compile(graph, weights, { device: 'auto' });
  const expected = 'cpu';
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

// The addon's whole CUDA path — loader, ABI check, backend proxy, device memory in the executor,
// outputs copied back — against a host-emulated plugin (reference kernels behind the plugin ABI,
// native/cuda/testing/) and an empty libcuda.so.1, both built beside the native tests.
test("the CUDA path of the addon (emulated plugin) gives the CPU's results", () => {
  const dir = path.join(__dirname, '..', 'build-tests');
  const plugin = path.join(dir, 'libatrous_cuda_emulated.so');
  const driver = path.join(dir, 'fake-driver');
  if (process.platform !== 'linux') return; // the emulation is built on Linux only
  assert.ok(fs.existsSync(plugin) && fs.existsSync(path.join(driver, 'libcuda.so.1')),
    `${plugin} or ${driver}/libcuda.so.1 is missing: run \`node scripts/native-tests.mjs\` first (npm test does)`);
  const helper = path.join(__dirname, 'helpers', 'cuda_graph');
  const result = inChild(
    `const { info } = require(lib + '/info');
     const { compile } = require(lib + '/model');
     const { deeplabLike, randomArray } = require(${JSON.stringify(helper)});
     (async () => {
       const { graph, weights } = deeplabLike(true);
       const cpu = await compile(graph, weights, { device: 'cpu' });
       const cuda = await compile(graph, weights, { device: 'cuda' });
       const image = randomArray(33 * 29 * 3, 3);
       const a = await cpu.run(image);
       const runs = [await cuda.run(image), await cuda.run(image, { profile: true }),
                     await cuda.run(image, { signal: new AbortController().signal })];
       // Per-node CPU fallback inside a CUDA model: these ops get no CUDA kernel (strided outputs,
       // strided inputs, int32 output, batch reshuffle all cross the device boundary).
       process.env.ATROUS_CUDA_DISABLE_OPS = 'resize_bilinear,concat,argmax,batch_to_space';
       const mixed = await compile(graph, weights, { device: 'cuda' });
       runs.push(await mixed.run(image), await mixed.run(image));
       const diff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
       console.log(JSON.stringify({
         info: info().cuda, backend: cuda.stats().backend, profiled: runs[1].profile.length,
         diffs: runs.map((b) => Math.max(...['probs', 'labels', 'image_out', 'probs_again'].map((k) => diff(a[k].data, b[k].data)))),
         imageKept: diff(a.image_out.data, image),
       }));
     })().catch((e) => console.log(JSON.stringify({ crashed: e.code + ': ' + e.message })));`,
    { ATROUS_CUDA_PLUGIN: plugin, LD_LIBRARY_PATH: driver },
  ) as { info: { available: boolean; device: string }; backend: string; profiled: number; diffs: number[]; imageKept: number; crashed?: string };
  assert.is(result.crashed, undefined);
  assert.is(result.info.available, true);
  assert.match(result.info.device, /emulation/);
  assert.is(result.backend, 'cuda');
  assert.ok(result.profiled > 10, `profile has ${result.profiled} steps`);
  assert.is(result.imageKept, 0);
  // Reference kernels on both sides; the CPU side may use optimized kernels, hence a tolerance.
  assert.is(result.diffs.length, 5);
  for (const d of result.diffs) assert.ok(d < 1e-4, `max |cpu - cuda path| = ${d}`);
});

test('GPU failures become AtrousErrors: DEVICE_ERROR for a kernel fault, OUT_OF_MEMORY for memory', () => {
  if (process.platform !== 'linux') return;
  const dir = path.join(__dirname, '..', 'build-tests');
  const helper = path.join(__dirname, 'helpers', 'cuda_graph');
  const code = `const { compile } = require(lib + '/model');
     const { deeplabLike, randomArray } = require(${JSON.stringify(helper)});
     (async () => {
       const { graph, weights } = deeplabLike();
       const out = {};
       try {
         const m = await compile(graph, weights, { device: 'cuda' });
         out.compiled = true;
         await m.run(randomArray(33 * 29 * 3, 1)).then(() => { out.ran = true; }, (e) => { out.run = { code: e.code, message: e.message }; });
         const again = await m.run(randomArray(33 * 29 * 3, 1)).catch((e) => e.code);
         out.again = typeof again === 'string' ? again : 'ok';
       } catch (e) { out.compile = { code: e.code, message: e.message }; }
       console.log(JSON.stringify(out));
     })();`;
  const env = { ATROUS_CUDA_PLUGIN: path.join(dir, 'libatrous_cuda_emulated.so'), LD_LIBRARY_PATH: path.join(dir, 'fake-driver') };
  type Outcome = { compiled?: boolean; ran?: boolean; again?: string; run?: { code: string; message: string }; compile?: { code: string; message: string } };
  const fault = inChild(code, { ...env, ATROUS_CUDA_EMULATE_FAILURE: 'conv2d' }) as Outcome;
  assert.is(fault.compiled, true);
  assert.is(fault.run?.code, 'DEVICE_ERROR');
  assert.match(fault.run?.message ?? '', /conv2d.*emulated failure/);
  assert.is(fault.again, 'DEVICE_ERROR'); // the model stays usable: it reports again, no crash
  // The failing kernel moved to the CPU (per-node fallback): the same model now runs.
  const bypassed = inChild(code, { ...env, ATROUS_CUDA_EMULATE_FAILURE: 'conv2d', ATROUS_CUDA_DISABLE_OPS: 'conv2d' }) as Outcome;
  assert.is(bypassed.ran, true, JSON.stringify(bypassed));
  assert.is(bypassed.again, 'ok');
  const oom = inChild(code, { ...env, ATROUS_CUDA_EMULATE_FAILURE: 'alloc' }) as Outcome;
  assert.is(oom.compile?.code, 'OUT_OF_MEMORY');
  assert.match(oom.compile?.message ?? '', /GPU memory/);
});

test("device reaches load() and crf(): 'cuda' runs there or says why not, the GPU CRF is UNSUPPORTED", async () => {
  const model = sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.tflite');
  if (info().cuda.available) {
    const m = await load(model, { device: 'cuda' });
    m.dispose();
  } else {
    try {
      await load(model, { device: 'cuda' });
      assert.unreachable('load should have rejected');
    } catch (e) {
      assert.ok(isAtrousError(e, 'UNSUPPORTED'), String(e));
      assert.match((e as Error).message, /cuda/i);
    }
  }
  const cpu = await load(model, { device: 'cpu' });
  cpu.dispose();
  const raw = { data: new Uint8Array(4 * 4 * 3).fill(90), width: 4, height: 4, channels: 3 as const };
  try {
    await crf(raw, new Float32Array(4 * 4 * 2).fill(0.5), { device: 'cuda' });
    assert.unreachable('crf should have rejected');
  } catch (e) {
    assert.ok(isAtrousError(e, 'UNSUPPORTED'), String(e));
  }
});

test.run();
