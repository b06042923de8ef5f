import { denseCrf } from '../lib/crf';
import { native } from '../lib/native';
import { resolveCrfOptions } from '../lib/crf/options';
import { crfBenchInput } from '../bench/crf-input';
async function main() {
  const { rgb, width, height, labels, scores } = await crfBenchInput();
  const b = native() as any;
  const opts = resolveCrfOptions({ preset: 'densecrf', iterations: 10 }, labels);
  const L = new Int32Array(width * height), P = new Float32Array(width * height * labels);
  const modes: Record<string, () => Promise<unknown>> = {
    reuse: () => b.denseCrf(rgb, width, height, scores, labels, opts, L, P),
    fresh: () => b.denseCrf(rgb, width, height, scores, labels, opts, new Int32Array(width * height), new Float32Array(width * height * labels)),
    api: () => denseCrf(rgb, width, height, scores, labels, { preset: 'densecrf', iterations: 10 }),
  };
  const t: Record<string, number[]> = { reuse: [], fresh: [], api: [] };
  for (let i = 0; i < 12; i++) for (const k of Object.keys(modes)) { const t0 = performance.now(); await modes[k]!(); if (i) t[k]!.push(performance.now() - t0); }
  for (const k of Object.keys(t)) { const v = t[k]!.sort((a, b) => a - b); console.log(k, 'median', v[v.length >> 1]!.toFixed(1), 'min', v[0]!.toFixed(1)); }
}
main();
