// `atrous segment <images…>`: writes <out>/<name>.<mode>.png for every image and mode.
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';

import { fail, isAtrousError, show } from '../errors';
import { cachedModel, releaseModels } from '../segment';
import { PNG_MODES, PngMode } from '../segment/result';

/** Where the CLI writes. */
export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface SegmentCommandOptions {
  model?: string;
  out: string;
  mode: string;
  scales?: string;
  flip?: boolean;
  threads?: string;
  alpha?: string;
}

export function parseModes(v: string): PngMode[] {
  const modes = v.split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  for (const m of modes) if (!PNG_MODES.includes(m as PngMode)) fail('INVALID_ARGUMENT', `--mode: unknown mode ${show(m)}; modes are ${PNG_MODES.join(', ')}`);
  if (modes.length === 0) fail('INVALID_ARGUMENT', `--mode must name at least one of ${PNG_MODES.join(', ')}`);
  return modes as PngMode[];
}

export function parseScales(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.some((s) => !Number.isFinite(s) || s <= 0)) fail('INVALID_ARGUMENT', `--scales must be a comma list of positive numbers, got ${show(v)}`);
  return list;
}

function parseNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail('INVALID_ARGUMENT', `${flag} must be a number, got ${show(v)}`);
  return n;
}

/** Segments every image; an image that fails is reported and skipped. Resolves to the number of failures. */
export async function segmentCommand(images: string[], o: SegmentCommandOptions, stdout: Output, stderr: Output): Promise<number> {
  const modes = parseModes(o.mode);
  const scales = parseScales(o.scales);
  const threads = parseNumber('--threads', o.threads);
  const alpha = parseNumber('--alpha', o.alpha);
  if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) fail('INVALID_ARGUMENT', `--alpha must be in [0, 1], got ${show(o.alpha)}`);
  const model = await cachedModel(o.model, threads);
  fs.mkdirSync(o.out, { recursive: true });
  const bar = stdout.isTTY && images.length > 1 ? new SingleBar({ format: 'segment [{bar}] {value}/{total} {file}' }, Presets.shades_classic) : undefined;
  bar?.start(images.length, 0, { file: '' });
  let failures = 0;
  try {
    for (const [i, image] of images.entries()) {
      const t0 = Date.now();
      try {
        const result = await model.segment(image, { scales, flip: o.flip ?? false });
        const base = path.basename(image).replace(/\.[^.]*$/, '');
        const written: string[] = [];
        for (const mode of modes) {
          const file = path.join(o.out, `${base}.${mode}.png`);
          fs.writeFileSync(file, await result.toPNG({ mode, alpha }));
          written.push(file);
        }
        if (!bar) {
          const n = result.width * result.height;
          const present = result.legend().map((l) => `${l.name} ${((100 * l.pixels) / n).toFixed(1)}%`).join(', ');
          stdout.write(`[${i + 1}/${images.length}] ${image} (${result.width}x${result.height}, ${Date.now() - t0} ms): ${present} → ${written.join(', ')}\n`);
        }
      } catch (e) {
        failures++;
        stderr.write(`${bar ? '\n' : ''}atrous: ${image}: ${isAtrousError(e) ? `[${e.code}] ` : ''}${(e as Error).message}\n`);
      }
      bar?.update(i + 1, { file: path.basename(image) });
    }
  } finally {
    bar?.stop();
    await releaseModels();
  }
  return failures;
}
