// Peak resident memory of a whole segment() at 513x513 model input (TF.js DeepLabV3 MobileNetV2,
// output stride 8) on a 500x375 VOC photo,
// measured in a fresh child process so nothing else counts.
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
}

if (require.main === module) benchMemory();
