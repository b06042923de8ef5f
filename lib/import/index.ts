// Model import entry point. The importers (onnx, tflite, tfjs) fill this in; until then it reports UNSUPPORTED.
import { fail } from '../errors';
import type { ImportedModel } from './types';

export type { ImportedModel, ModelMeta, Normalization } from './types';

export interface ImportOptions {
  /** Class names to use instead of the ones the format or a sidecar labels file gives. */
  classes?: string[];
}

/**
 * Imports a model file (ONNX `.onnx`, TFLite `.tflite`, or a TF.js graph model folder / `model.json`)
 * into an atrous graph with its preprocessing metadata.
 */
export async function importModel(source: string | Uint8Array, options: ImportOptions = {}): Promise<ImportedModel> {
  void source;
  void options;
  fail('UNSUPPORTED', 'model import is not available yet');
}
