// A/B of two builds of the addon on the CRF bench, loaded side by side in one process and called in turn,
// so that both see the same load on the machine (absolute times on a shared VM swing by tens of percent).
//   node --require tsx/cjs bench/crf-ab.ts A.node B.node [--threads N] [--calls N] [--preset densecrf|deeplab-v2] [--fresh]
// (--fresh: new output arrays for every call, as the JS API allocates them; else each build reuses its own).
// (for example A = a copy of build/Release/atrous.node made before a change, B = the rebuilt one).
// Prints each build's median and fastest wall and CPU time per call, and how far their outputs differ.
import path from 'node:path';

import { resolveCrfOptions, type NativeCrfOptions } from '../lib/crf/options';
import { crfBenchInput } from './crf-input';
import { flag } from './util';

interface CrfAddon {
  denseCrf(
    rgb: Uint8Array, width: number, height: number, scores: Float32Array, labels: number, options: NativeCrfOptions,
    outLabels: Int32Array, outProbabilities: Float32Array,
  ): Promise<void>;
}

function load(file: string): CrfAddon {
  const module = { exports: {} };
  process.dlopen(module, path.resolve(file));
  return module.exports as CrfAddon;
}

async function main() {
  const [fileA, fileB] = process.argv.slice(2, 4);
  if (!fileA?.endsWith('.node') || !fileB?.endsWith('.node')) throw new Error('usage: crf-ab.ts A.node B.node [--threads N] [--calls N] [--preset P] [--fresh]');
  const threads = Number(flag('--threads', '0'));
  const calls = Number(flag('--calls', '15'));
  const preset = flag('--preset', 'densecrf');
  const fresh = process.argv.includes('--fresh');
  const input = await crfBenchInput();
  const { rgb, width, height, labels, scores } = input;
  const options = {
    ...resolveCrfOptions(preset === 'densecrf' ? { preset: 'densecrf', iterations: 10 } : (preset as 'deeplab-v2'), labels),
    ...(threads ? { threads } : {}),
  };
  const builds = [fileA, fileB].map((file) => ({
    file, addon: load(file), wall: [] as number[], cpu: [] as number[],
    labels: new Int32Array(width * height), probabilities: new Float32Array(width * height * labels),
  }));
  for (let call = 0; call <= calls; call++)
    for (const b of builds) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (fresh) {
        b.labels = new Int32Array(width * height);
        b.probabilities = new Float32Array(width * height * labels);
      }
      await b.addon.denseCrf(rgb, width, height, scores, labels, options, b.labels, b.probabilities);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (call > 0) {  // the first call of each warms up
        b.wall.push(wall);
        b.cpu.push((c.user + c.system) / 1000);
      }
    }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1] as number;
  for (const b of builds)
    console.log(
      `${b.file}: wall median ${median(b.wall).toFixed(1)} ms (fastest ${Math.min(...b.wall).toFixed(1)}), ` +
        `CPU median ${median(b.cpu).toFixed(1)} ms (least ${Math.min(...b.cpu).toFixed(1)})`,
    );
  const [a, b] = builds as [(typeof builds)[0], (typeof builds)[0]];
  let same = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.labels.length; i++) same += a.labels[i] === b.labels[i] ? 1 : 0;
  for (let i = 0; i < a.probabilities.length; i++) maxDiff = Math.max(maxDiff, Math.abs((a.probabilities[i] as number) - (b.probabilities[i] as number)));
  console.log(
    `crf ${preset}, ${width}x${height}, ${labels} labels, threads ${threads || 'all'}, ${calls} calls each: ` +
      `B/A median wall ${(median(b.wall) / median(a.wall)).toFixed(3)}, CPU ${(median(b.cpu) / median(a.cpu)).toFixed(3)}; ` +
      `labels agree ${((100 * same) / a.labels.length).toFixed(3)} %, max |ΔQ| ${maxDiff.toExponential(2)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
