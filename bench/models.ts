// Real DeepLab models: atrous vs onnxruntime-node in one process, same inputs, 2 threads.
//   npx tsx bench/models.ts
import path from 'node:path';
import * as ort from 'onnxruntime-node';

import { compile } from '../lib/index';
import { importModel } from '../lib/import';
import { medianAndCpuMs, row, sharedModels } from './util';

const THREADS = 2;

function randomInput(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

async function profileTable(model: Awaited<ReturnType<typeof compile>>, input: Float32Array): Promise<string> {
  const byOp = new Map<string, number>();
  const runs = 5;
  for (let i = 0; i < runs; i++) {
    const r = await model.run(input, { profile: true });
    for (const t of r.profile ?? []) byOp.set(t.op, (byOp.get(t.op) ?? 0) + t.ms / runs);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp.entries()].sort((a, b) => b[1] - a[1])
    .map(([op, ms]) => `    ${op.padEnd(16)} ${ms.toFixed(2).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %`).join('\n');
}

export async function benchModels(): Promise<void> {
  const models = sharedModels();
  // 1. DeepLabV3 MobileNetV2 dm0.5 257x257, the same ONNX file in both runtimes.
  const onnx = path.join(models, 'deeplabv3_mnv2_dm05_voc_257.onnx');
  const imported = await importModel(onnx);
  const ours = await compile(imported.graph, undefined, { threads: THREADS });
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: THREADS, interOpNumThreads: 1 });
  const input = randomInput(257 * 257 * 3, 1);
  const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', input, [1, 257, 257, 3]) };
  const a = await medianAndCpuMs(() => ours.run(input), 20);
  const b = await medianAndCpuMs(() => session.run(feeds), 20);
  console.log(row(['deeplabv3_mnv2_dm05_voc_257.onnx', `atrous ${a.wall.toFixed(2)} ms (cpu ${a.cpu.toFixed(2)} ms)`,
    `onnxruntime-node ${b.wall.toFixed(2)} ms (cpu ${b.cpu.toFixed(2)} ms)`, `ratio ${(a.wall / b.wall).toFixed(3)} (cpu ${(a.cpu / b.cpu).toFixed(3)})`]));
  console.log('  per-op time (atrous, 257 model):\n' + (await profileTable(ours, input)));
  ours.dispose();

  // 2. DeepLabV3 MobileNetV2 OS 8 at 513x513 (the TF.js model); no peer runs TF.js graph models.
  const tfjs = await importModel(path.join(models, 'deeplabv3_mnv2_voc_trainval_513_tfjs'));
  const big = await compile(tfjs.graph, undefined, { threads: THREADS });
  const [h, w] = tfjs.meta.inputSize;
  const input513 = randomInput(h * w * 3, 2);
  const c = await medianAndCpuMs(() => big.run(input513), 10);
  console.log(row(['deeplabv3_mnv2_voc_trainval_513_tfjs (OS 8)', `atrous ${c.wall.toFixed(2)} ms per forward (cpu ${c.cpu.toFixed(2)} ms)`, 'goal ≤ 120 ms']));
  console.log('  per-op time (atrous, 513 OS8 model):\n' + (await profileTable(big, input513)));
  big.dispose();
}

if (require.main === module) benchModels().catch((e) => { console.error(e); process.exit(1); });
