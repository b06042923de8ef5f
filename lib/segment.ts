// Top-level segment(): loads the model once per (model, threads) and reuses it.
import { callSite, fail, fromNative, show } from './errors';
import { load, LoadOptions } from './load';
import { defaultModelName } from './registry';
import type { ImageInput } from './segment/image';
import { SegmentationModel, SegmentOptions } from './segment/model';
import type { SegmentationResult } from './segment/result';

/** Options of the top-level {@link segment}: those of {@link SegmentationModel.segment} plus `model`. */
export interface TopLevelSegmentOptions extends SegmentOptions {
  /** A loaded model, a path or a registry name (default: the registry's default model). */
  model?: string | SegmentationModel;
  /** Device to load the model on (see {@link LoadOptions.device}); ignored for a loaded model. */
  device?: LoadOptions['device'];
}

const loaded = new Map<string, Promise<SegmentationModel>>();

/** The model segment() would use for `model` (loaded once and kept). */
export function cachedModel(model: string | undefined, threads?: number, device?: LoadOptions['device']): Promise<SegmentationModel> {
  const name = model ?? defaultModelName();
  const key = `${name}\0${threads ?? ''}\0${device ?? 'auto'}`;
  let p = loaded.get(key);
  if (!p) {
    p = load(name, { threads, device });
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

/** Disposes the models segment() loaded. */
export async function releaseModels(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const p of all) (await p.catch(() => undefined))?.dispose();
}

/** Segments an image (path, encoded Buffer or raw pixels); see {@link SegmentOptions}. */
export async function segment(input: ImageInput, options: TopLevelSegmentOptions = {}): Promise<SegmentationResult> {
  const site = callSite(segment);
  try {
    if (options === null || typeof options !== 'object') fail('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
    const { model, device, ...rest } = options;
    const m = model instanceof SegmentationModel ? model : await cachedModel(model, options.threads, device);
    return await m.segment(input, model instanceof SegmentationModel ? rest : { ...rest, threads: undefined });
  } catch (e) {
    throw fromNative(e, site);
  }
}
