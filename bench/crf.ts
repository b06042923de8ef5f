// Times the dense CRF: 10 mean-field iterations at 500×375 with 21 labels (a VOC image, DeepLab-sized).
//   node --import tsx bench/crf.ts [--threads N] [--only SUBSTRING] [--calls N]
// There is no dense CRF for Node to race; the figure to beat is the reference single-threaded densecrf,
// about 545 ms for this work on a 2-core machine like ours (quoted, not measured here).
import { denseCrf } from '../lib/crf';
import { crfBenchInput } from './crf-input';
import { flag } from './util';

const REFERENCE_MS = 545;

async function main() {
  const threads = Number(flag('--threads', '0'));
  const only = flag('--only', '');
  // Timed calls per case (after one to warm up); on a shared VM single calls swing by tens of percent.
  const calls = Math.max(1, Number(flag('--calls', '11')));
  const { rgb, width, height, labels, scores } = await crfBenchInput();
  const cases = [
    ['deeplab-v2 (10 it.)', { preset: 'deeplab-v2' as const }],
    ['densecrf kernels, 10 it.', { preset: 'densecrf' as const, iterations: 10 }],
  ] as const;
  for (const [name, options] of cases) {
    if (!name.includes(only)) continue;
    const run = () => denseCrf(rgb, width, height, scores, labels, { ...options, ...(threads ? { threads } : {}) });
    await run();  // warm up
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < calls; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const middle = calls >> 1;
    const median = times[middle] as number;
    // CPU time (all threads) says how much work was done even when other processes share the cores.
    console.log(
      `crf ${name}, ${width}x${height}, ${labels} labels, threads ${threads || 'all'}: median ${median.toFixed(1)} ms ` +
        `wall (min ${(times[0] as number).toFixed(1)}, ${calls} calls), ${(cpu[middle] as number).toFixed(1)} ms CPU; ` +
        `${(REFERENCE_MS / median).toFixed(2)}x the quoted reference ${REFERENCE_MS} ms`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
