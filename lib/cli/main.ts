#!/usr/bin/env node
// The `atrous` command line: segment, info, models.
import { Command } from 'commander';

import { isAtrousError } from '../errors';
import { info } from '../info';
import { ALIASES, cacheModelsDir, defaultModelName, findLocal, modelDirs, REGISTRY } from '../registry';
import { Output, segmentCommand, SegmentCommandOptions } from './segment-command';

function modelsTable(out: Output): void {
  out.write(`models folders: ${[...modelDirs(), cacheModelsDir()].join(', ')} (ATROUS_MODELS, then the cache)\n`);
  const aliases = Object.entries(ALIASES);
  for (const e of REGISTRY) {
    let where: string;
    try {
      where = findLocal(e) ?? 'not downloaded';
    } catch (err) {
      where = `bad file: ${(err as Error).message}`;
    }
    const alias = aliases.filter(([, t]) => t === e.name).map(([a]) => a);
    const tags = [e.name === defaultModelName() ? 'default' : '', ...alias.map((a) => `alias ${a}`)].filter(Boolean).join(', ');
    out.write(`${e.name}${tags ? ` (${tags})` : ''}\n  ${e.description} [${e.format}, ${e.dataset}]\n  ${where}\n`);
  }
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  let failures = 0;
  const program = new Command('atrous')
    .description('DeepLab semantic segmentation on a native C++ core')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
  program
    .command('segment')
    .description('segment images and write PNGs (<out>/<image>.<mode>.png)')
    .argument('<images...>', 'image files')
    .option('-m, --model <model>', 'model path or registry name', undefined)
    .option('-o, --out <dir>', 'output folder', 'out')
    .option('--mode <modes>', 'comma list of labels, color, overlay', 'color')
    .option('--scales <list>', 'comma list of scales, e.g. 0.75,1,1.25')
    .option('--flip', 'also run on the mirrored image')
    .option('--alpha <a>', 'overlay colour weight 0..1')
    .option('--threads <n>', 'worker threads')
    .action(async (images: string[], o: SegmentCommandOptions) => {
      failures = await segmentCommand(images, o, out, err);
    });
  program
    .command('info')
    .description('version, SIMD level, threads, CUDA, default model')
    .action(() => {
      const i = info();
      out.write(`atrous ${i.version}\nsimd: ${i.simd}\nthreads: ${i.threads}\ncuda: ${i.cuda.available ? i.cuda.device ?? 'yes' : `no (${i.cuda.reason ?? ''})`}\n`);
      out.write(`default model: ${defaultModelName()}\ncache: ${cacheModelsDir()}\n`);
    });
  program.command('models').description('registry models and where they are present').action(() => modelsTable(out));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return failures > 0 ? 1 : 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    err.write(`atrous: ${isAtrousError(e) ? `[${e.code}] ` : ''}${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
