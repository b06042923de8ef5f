// Model import entry point: detects the format and dispatches to the ONNX, TFLite or TF.js importer.
import fs from 'node:fs';
import path from 'node:path';

import { fail, show } from '../errors';
import { importOnnx } from './onnx/import';
import { importTfjs } from './tfjs/import';
import { importTflite } from './tflite/import';
import type { ImportedModel } from './types';

export type { ImportedModel, ModelMeta, Normalization } from './types';

/** Options of {@link importModel}. */
export interface ImportOptions {
  /** Class names to use instead of the ones atrous infers from the number of classes. */
  classes?: string[];
  /** Name recorded in the metadata (default: the file name). */
  name?: string;
  /** Force a format instead of detecting it. */
  format?: 'onnx' | 'tflite' | 'tfjs';
  /**
   * TFLite uint8/int8 models: round activations to their quantization grid as the integer kernels
   * do (slower; default false, activations are only clipped to the grid's range).
   */
  simulateQuantization?: boolean;
}

/** Files larger than this are refused before reading (the largest DeepLab graphs are far smaller). */
const MAX_MODEL_BYTES = 1 << 30;

function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33; // "TFL3"
}

function readModelFile(file: string): Uint8Array {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    fail('NOT_FOUND', `model file not found: ${file}`);
  }
  if (size > MAX_MODEL_BYTES) fail('INVALID_ARGUMENT', `model file ${file} is ${size} bytes (limit ${MAX_MODEL_BYTES})`);
  return fs.readFileSync(file);
}

/**
 * Imports a model file (ONNX `.onnx`, TFLite `.tflite`, or a TF.js graph model folder / `model.json`)
 * into an atrous graph with its preprocessing metadata.
 */
export async function importModel(source: string | Uint8Array, options: ImportOptions = {}): Promise<ImportedModel> {
  if (typeof source !== 'string' && !(source instanceof Uint8Array))
    fail('INVALID_ARGUMENT', `importModel: source must be a file path or a Uint8Array, got ${show(source)}`);
  if (options.classes !== undefined && !(Array.isArray(options.classes) && options.classes.every((c) => typeof c === 'string')))
    fail('INVALID_ARGUMENT', `options.classes must be an array of strings, got ${show(options.classes)}`);
  const common = { classes: options.classes, name: options.name ?? (typeof source === 'string' ? path.basename(source.replace(/[\\/]model\.json$/, '')) : undefined) };

  if (typeof source === 'string') {
    const isDir = fs.existsSync(source) && fs.statSync(source).isDirectory();
    if (options.format === 'tfjs' || isDir || source.endsWith('.json')) return importTfjs(isDir ? path.join(source, 'model.json') : source, common);
  }
  const bytes = typeof source === 'string' ? readModelFile(source) : source;
  const format = options.format ?? (isTflite(bytes) ? 'tflite' : 'onnx');
  if (format === 'tflite') return importTflite(bytes, { ...common, simulateQuantization: options.simulateQuantization });
  if (format === 'onnx') return importOnnx(bytes, common);
  fail('INVALID_ARGUMENT', 'a TF.js model must be given as its folder or model.json path (its weights live in separate shard files)');
}
