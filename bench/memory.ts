// Peak resident memory of a whole segment() at 513x513 model input (TF.js DeepLabV3 MobileNetV2,
// output stride 8) on a 500x375 VOC photo, and what one dense CRF call adds on the CRF bench's input,
// each measured in a fresh child process so nothing else counts.
//   npx tsx bench/memory.ts
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { sharedPath } from './util';

export function benchMemory(): void {
  const model = sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs');
  const image = sharedPath('data', 'voc-sample', 'images', '2007_000676.jpg');
  const script = `
    const { load } = require(${JSON.stringify(path.resolve(__dirname, '../lib/index'))});
    (async () => {
      const m = await load(${JSON.stringify(model)});
      const r = await m.segment(${JSON.stringify(image)});
      if (r.labels.length !== r.width * r.height) throw new Error('bad result');
      console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, rssMB: process.memoryUsage().rss / 2 ** 20 }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
  const { maxRssMB } = JSON.parse(out.trim().split('\n').pop() as string) as { maxRssMB: number };
  console.log(`peak resident memory, one 513x513 segment() with the OS-8 TF.js model: ${maxRssMB.toFixed(0)} MB (goal ≤ 300 MB)`);

  const crfScript = `
    const { denseCrf } = require(${JSON.stringify(path.resolve(__dirname, '../lib/crf'))});
    const { crfBenchInput } = require(${JSON.stringify(path.resolve(__dirname, 'crf-input'))});
    (async () => {
      const { rgb, width, height, labels, scores } = await crfBenchInput();
      const before = process.resourceUsage().maxRSS / 1024;
      const r = await denseCrf(rgb, width, height, scores, labels, { preset: 'densecrf', iterations: 10 });
      if (r.labels.length !== width * height) throw new Error('bad result');
      console.log(JSON.stringify({ beforeMB: before, afterMB: process.resourceUsage().maxRSS / 1024 }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const crfOut = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', crfScript], { encoding: 'utf8' });
  const { beforeMB, afterMB } = JSON.parse(crfOut.trim().split('\n').pop() as string) as { beforeMB: number; afterMB: number };
  console.log(
    `peak resident memory added by one dense CRF call (500x375, 21 labels, densecrf kernels, outputs included): ` +
      `${(afterMB - beforeMB).toFixed(0)} MB (${beforeMB.toFixed(0)} → ${afterMB.toFixed(0)} MB)`,
  );
}

if (require.main === module) benchMemory();
