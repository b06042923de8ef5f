// All benchmarks, one after another: `npm run bench`.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const scripts = ['conv.ts', 'models.ts', 'profile.ts', 'zoo.ts', 'memory.ts', 'crf.ts'];
for (const s of scripts) {
  console.log(`\n## bench/${s}`);
  execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, s)], { stdio: 'inherit' });
}
