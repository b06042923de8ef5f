// load(): a model file/folder path or a registry name → a compiled SegmentationModel.
import fs from 'node:fs';

import { callSite, fail, fromNative, show } from './errors';
import { importModel } from './import';
import type { CompileOptions } from './model';
import { checkModelName, RegistryEntry, registryEntry, registryNames, resolveRegistryModel } from './registry';
import { SegmentationModel } from './segment/model';

/** Options of {@link load}. */
export interface LoadOptions {
  /** Worker threads (default: all cores). */
  threads?: number;
  /** Class names to use instead of the model's. */
  classes?: string[];
  /** Aborts a download. */
  signal?: AbortSignal;
  /** Execution device (see {@link CompileOptions.device}); default 'auto', which is the CPU for now. */
  device?: CompileOptions['device'];
}

/**
 * Loads a segmentation model: an explicit path (ONNX, TFLite file, TF.js folder or model.json), else a
 * registry name looked up in $ATROUS_MODELS, then the cache ($ATROUS_HOME), then downloaded.
 */
export async function load(source: string, options: LoadOptions = {}): Promise<SegmentationModel> {
  const site = callSite(load);
  try {
    const name = checkModelName(source);
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 0 && options.threads <= 256))
      fail('INVALID_ARGUMENT', `options.threads must be an integer from 0 to 256, got ${show(options.threads)}`);
    if (options.classes !== undefined && !(Array.isArray(options.classes) && options.classes.every((c) => typeof c === 'string')))
      fail('INVALID_ARGUMENT', `options.classes must be an array of strings, got ${show(options.classes)}`);
    let file = name;
    let entry: RegistryEntry | undefined;
    if (!fs.existsSync(name)) {
      entry = registryEntry(name);
      if (!entry) fail('NOT_FOUND', `model ${show(name)} is neither an existing path nor a registry name (${registryNames().join(', ')})`);
      file = await resolveRegistryModel(entry, options.signal);
    }
    const imported = await importModel(file, options.classes ? { classes: options.classes } : {});
    if (entry) imported.meta = { ...imported.meta, name: entry.name, resize: entry.resize ?? imported.meta.resize };
    return await SegmentationModel.fromImported(imported, { threads: options.threads, device: options.device });
  } catch (e) {
    throw fromNative(e, site);
  }
}
