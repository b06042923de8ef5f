// Shared bench helpers: median timing after warm-up, and printing.
export async function medianMs(fn: () => Promise<unknown>, runs = 15, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

// The median wall time and the process CPU time (all threads) per run: when other work shares
// the cores, the wall time swings while the CPU time stays comparable between A/B runs.
export async function medianAndCpuMs(fn: () => Promise<unknown>, runs = 15, warmup = 3): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const cpu0 = process.cpuUsage();
  const wall = await medianMs(fn, runs, 0);
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 / runs };
}

// A path under ../shared (or ATROUS_TEST_DATA), which must exist.
export function sharedPath(...parts: string[]): string {
  const path = require('node:path') as typeof import('node:path');
  const fs = require('node:fs') as typeof import('node:fs');
  const file = path.join(process.env.ATROUS_TEST_DATA ?? path.resolve(__dirname, '../../shared'), ...parts);
  if (!fs.existsSync(file)) throw new Error(`${parts.join('/')} not found at ${file} (set ATROUS_TEST_DATA)`);
  return file;
}

export function sharedModels(): string {
  return sharedPath('models');
}

// The value after `--name` on the command line, or `fallback`.
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

export function row(cells: (string | number)[]): string {
  return cells.map((c) => (typeof c === 'number' ? c.toFixed(2) : c)).join(' | ');
}
