// Where the real models and data live: $ATROUS_TEST_DATA, or ../shared beside the repo.
// Tests that need them fail loudly (never skip) when they are missing.
import fs from 'node:fs';
import path from 'node:path';

export function sharedDir(): string {
  const candidates = [process.env.ATROUS_TEST_DATA, path.resolve(__dirname, '../../../shared')].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  for (const dir of candidates) if (fs.existsSync(path.join(dir, 'models', 'MANIFEST.md'))) return dir;
  throw new Error(
    `atrous test data not found: looked in ${candidates.join(', ')}. ` +
      'Set ATROUS_TEST_DATA to the folder holding models/ and data/ (the project\'s ../shared).',
  );
}

export function sharedPath(...parts: string[]): string {
  const p = path.join(sharedDir(), ...parts);
  if (!fs.existsSync(p)) throw new Error(`atrous test data file missing: ${p}`);
  return p;
}
