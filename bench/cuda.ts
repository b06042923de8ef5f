// CUDA vs CPU on the same DeepLab-sized graph in one process: prints per-run times and the ratio.
// Needs the CUDA plugin and a GPU (`node scripts/build-cuda.mjs`); otherwise it says why and exits.
//   node --import tsx bench/cuda.ts [runs]
import { Graph } from '../lib/graph/builder';
import { info } from '../lib/info';
import { compile, Model } from '../lib/model';

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.2);
}

// An ASPP head over a 65x65x512 feature map (DeepLab v3 at output stride 8 on a 513 image), then
// upsampling to 513x513 and argmax: the part of the network that dominates its run time.
function asppHead(): { graph: Graph; weights: Record<string, Float32Array> } {
  const g = new Graph();
  const weights: Record<string, Float32Array> = {};
  let seed = 1;
  const w = (name: string, shape: number[]) => {
    weights[name] = random(shape.reduce((a, b) => a * b, 1), seed++);
    return g.weight(name, shape);
  };
  const x = g.input('features', [1, 65, 65, 512]);
  const branches = [1, 6, 12, 18].map((rate, i) =>
    g.conv2d(x, { weight: w(`aspp${i}`, rate === 1 ? [256, 1, 1, 512] : [256, 3, 3, 512]), bias: w(`aspp${i}_b`, [256]),
      dilations: rate, padding: 'same', activation: 'relu' }));
  const pooled = g.conv2d(g.globalAvgPool(x), { weight: w('pool', [256, 1, 1, 512]), activation: 'relu' });
  branches.push(g.resizeBilinear(pooled, { size: [65, 65], coordinateMode: 'align_corners' }));
  const proj = g.conv2d(g.concat(branches), { weight: w('proj', [256, 1, 1, 1280]), activation: 'relu' });
  const logits = g.conv2d(proj, { weight: w('cls', [21, 1, 1, 256]), bias: w('cls_b', [21]) });
  g.output('labels', g.argmax(g.resizeBilinear(logits, { size: [513, 513], coordinateMode: 'align_corners' })));
  return { graph: g, weights };
}

async function time(model: Model, input: Float32Array, runs: number): Promise<number> {
  await model.run(input); // warm-up: device buffers, JIT, caches
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await model.run(input);
  return (performance.now() - t0) / runs;
}

async function main(): Promise<void> {
  const cuda = info().cuda;
  if (!cuda.available) {
    console.log(`CUDA unavailable, nothing to compare: ${cuda.reason}`);
    return;
  }
  const runs = Number(process.argv[2] ?? 5);
  const { graph, weights } = asppHead();
  const input = random(65 * 65 * 512, 99);
  const cpu = await compile(graph, weights, { device: 'cpu' });
  const gpu = await compile(graph, weights, { device: 'cuda' });
  const [cpuMs, gpuMs] = [await time(cpu, input, runs), await time(gpu, input, runs)];
  console.log(`ASPP head 65x65x512 → 513x513 labels on ${cuda.device} (driver ${cuda.driver}, runtime ${cuda.runtime})`);
  console.log(`cpu ${cpuMs.toFixed(1)} ms/run, cuda ${gpuMs.toFixed(1)} ms/run, cuda is ${(cpuMs / gpuMs).toFixed(1)}x the cpu's speed`);
  cpu.dispose();
  gpu.dispose();
}

void main();
