// Known models by name: official download URL + sha256 of every file, and where to find them locally.
// Resolution order for a name: $ATROUS_MODELS folder(s) → the cache ($ATROUS_HOME/models) → download
// into the cache (unless ATROUS_OFFLINE=1).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { AtrousError, fail, show } from './errors';

/** One file of a registry model. */
export interface RegistryFile {
  /** Path relative to a models folder (the cache, or $ATROUS_MODELS). */
  path: string;
  url: string;
  sha256: string;
  size: number;
}

/** A model the registry knows: its files with official URLs and sha256. */
export interface RegistryEntry {
  name: string;
  description: string;
  format: 'onnx' | 'tflite' | 'tfjs';
  dataset: 'voc' | 'cityscapes' | 'ade20k32';
  /** What to import: a file, or the folder of a TF.js model. */
  main: string;
  files: RegistryFile[];
  /** Preprocessing known for this model that its file does not say. */
  resize?: 'pad' | 'stretch';
}

const CORAL = 'https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41';
const MLPERF = 'https://raw.githubusercontent.com/mlcommons/mobile_models/71264f6371da66003a3bfa2ede76df5d75981707/v0_7/tflite';
const TFJS_DIR = 'deeplabv3_mnv2_voc_trainval_513_tfjs';
const TFJS_URL = 'https://unpkg.com/@codait/max-image-segmenter@0.3.0/model';

// TF's demos feed the 257 GPU model a squashed image; on the 20 shared VOC images that scores
// mIoU 0.560 against 0.552 with DeepLab's aspect-keeping pad (bench/voc-ort-pipeline.ts).
const SQUASHED = { resize: 'stretch' } as const;

function single(name: string, file: string, url: string, sha256: string, size: number, rest: Omit<RegistryEntry, 'name' | 'main' | 'files'>): RegistryEntry {
  return { name, main: file, files: [{ path: file, url, sha256, size }], ...rest };
}

/** Every model {@link load} knows by name. */
export const REGISTRY: readonly RegistryEntry[] = [
  single('mobilenetv2-dm05-voc-257', 'deeplabv3_mnv2_dm05_voc_257.tflite',
    'https://storage.googleapis.com/download.tensorflow.org/models/tflite/gpu/deeplabv3_257_mv_gpu.tflite',
    '68a539782c2c6a72f8aac3724600124a85ed977162b44e84cbae5db717c933c6', 2779264,
    { description: 'DeepLabV3 MobileNetV2 dm0.5, PASCAL VOC, 257x257 float (TFLite)', format: 'tflite', dataset: 'voc', ...SQUASHED }),
  single('mobilenetv2-dm05-voc-257-onnx', 'deeplabv3_mnv2_dm05_voc_257.onnx',
    'https://raw.githubusercontent.com/Kazuhito00/Image-Processing-Node-Editor/6c77c06ad7f3280dcc2da9c08cdb1daf4f1d7ca8/node/deep_learning_node/semantic_segmentation/deeplab_v3/model/deeplab_v3_1_default_1.onnx',
    '48a46b346ca7e2e96760b8a10a302046a3b5a9ce55e59d4c659c36d9cbd44118', 2781296,
    { description: 'the same network converted to ONNX (tf2onnx)', format: 'onnx', dataset: 'voc', ...SQUASHED }),
  single('mobilenetv2-dm05-voc-257-metadata', 'deeplabv3_mnv2_dm05_voc_257_metadata.tflite',
    'https://tfhub.dev/tensorflow/lite-model/deeplabv3/1/metadata/2?lite-format=tflite',
    '9711334db2b01d5894feb8ed0f5cb3e97d125b8d229f8d8692f625801818f5ef', 2780051,
    { description: 'the same network with TFLite metadata and labels (TF Hub)', format: 'tflite', dataset: 'voc', ...SQUASHED }),
  single('mobilenetv2-dm05-voc-513-fp16', 'deeplabv3_mnv2_dm05_voc_513_fp16.tflite',
    'https://tfhub.dev/sayakpaul/lite-model/mobilenetv2-dm05-coco/fp16/1?lite-format=tflite',
    'b9af23f4748eb581d12b402233a8d18febd622e447733e32a2a13a6c9537b0f9', 1429942,
    { description: 'DeepLabV3 MobileNetV2 dm0.5 (COCO-pretrained), PASCAL VOC, 513x513, fp16 weights', format: 'tflite', dataset: 'voc' }),
  single('mobilenetv2-voc-513-uint8', 'deeplabv3_mnv2_voc_513_uint8.tflite', `${CORAL}/deeplabv3_mnv2_pascal_quant.tflite`,
    '350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398', 2193224,
    { description: 'DeepLabV3 MobileNetV2, PASCAL VOC, 513x513, uint8 quantized (Coral)', format: 'tflite', dataset: 'voc' }),
  single('mobilenetv2-dm05-voc-513-uint8', 'deeplabv3_mnv2_dm05_voc_513_uint8.tflite', `${CORAL}/deeplabv3_mnv2_dm05_pascal_quant.tflite`,
    '0470d2a782aa54eeeb99d32e7b6b3fb7722905c7c4f5d26bd957ec861366d48b', 760904,
    { description: 'DeepLabV3 MobileNetV2 dm0.5, PASCAL VOC, 513x513, uint8 quantized (Coral)', format: 'tflite', dataset: 'voc' }),
  single('edgetpu-slim-cityscapes-513-uint8', 'deeplab_edgetpu_slim_cityscapes_513_uint8.tflite', `${CORAL}/deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite`,
    '322fe29945cb1693f426952f2a330ab67ea5678545ddee6f2548e0cfd0ca03e5', 2157328,
    { description: 'EdgeTPU-DeepLab slim, Cityscapes (19 classes), 513x513, uint8 quantized (Coral)', format: 'tflite', dataset: 'cityscapes' }),
  single('mobilenetv2-ade20k32-512-int8', 'deeplabv3plus_mnv2_ade20k32_512_int8.tflite', `${MLPERF}/deeplabv3_mnv2_ade20k_int8.tflite`,
    '3960571f5e2de1cec771a8f7a15b86f31b94cceccac8d993addbc1e29829de6a', 2937616,
    { description: 'DeepLabV3+ MobileNetV2, ADE20K (32 classes), 512x512, int8 (MLPerf Mobile)', format: 'tflite', dataset: 'ade20k32' }),
  single('mobilenetv2-ade20k32-512-uint8', 'deeplabv3plus_mnv2_ade20k32_512_uint8.tflite', `${MLPERF}/deeplabv3_mnv2_ade20k_uint8.tflite`,
    '2d58c681d81b5e181816b81cc815b82edf3daad905b4d7d35afade80aee93b5f', 2348952,
    { description: 'DeepLabV3+ MobileNetV2, ADE20K (32 classes), 512x512, uint8 (MLPerf Mobile)', format: 'tflite', dataset: 'ade20k32' }),
  {
    name: 'mobilenetv2-voc-trainval-513-tfjs',
    description: 'DeepLabV3 MobileNetV2 OS8, PASCAL VOC trainval, 513x513 (TF.js graph model, IBM MAX)',
    format: 'tfjs',
    dataset: 'voc',
    main: TFJS_DIR,
    files: [
      ['model.json', 'd454099ce682e2f7cb5689e9bf167f8437f1c84171982d980758b045d310aa80', 120344],
      ['group1-shard1of3', 'e1501ed0cb05c223055a6dc722bbec872dadccfebb770aecf59ad830c45b0117', 4194304],
      ['group1-shard2of3', 'a97acd1e7e2108776e9d112b21211e17c3ce66c72eca4fde8352784dfbb042e9', 4194304],
      ['group1-shard3of3', 'f6caff3822c8cfa842f8f82c8f77019b550c490d6b24c17528fd3c9d03627ea4', 28156],
    ].map(([f, sha256, size]) => ({ path: `${TFJS_DIR}/${f}`, url: `${TFJS_URL}/${f}`, sha256: sha256 as string, size: size as number })),
  },
];

/** Short names for registry entries. */
export const ALIASES: Readonly<Record<string, string>> = {
  'mobilenetv2-voc': 'mobilenetv2-dm05-voc-257',
  'mobilenetv2-voc-513': 'mobilenetv2-voc-trainval-513-tfjs',
};

/** The model segment() uses when none is given ($ATROUS_DEFAULT_MODEL overrides). */
export function defaultModelName(): string {
  return process.env.ATROUS_DEFAULT_MODEL || 'mobilenetv2-dm05-voc-257';
}

export function registryEntry(name: string): RegistryEntry | undefined {
  const target = ALIASES[name] ?? name;
  return REGISTRY.find((e) => e.name === target);
}

/** The cache folder: $ATROUS_HOME, else the user's cache folder + /atrous. */
export function cacheDir(): string {
  if (process.env.ATROUS_HOME) return path.resolve(process.env.ATROUS_HOME);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'atrous', 'Cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'atrous');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'atrous');
}

/** Folders searched before the cache: $ATROUS_MODELS (a path list). */
export function modelDirs(): string[] {
  return (process.env.ATROUS_MODELS ?? '').split(path.delimiter).filter((d) => d.length > 0).map((d) => path.resolve(d));
}

export function cacheModelsDir(): string {
  return path.join(cacheDir(), 'models');
}

const verified = new Map<string, string>();

function sha256File(file: string): string {
  const stat = fs.statSync(file);
  const key = `${file}:${stat.size}:${stat.mtimeMs}`;
  let sum = verified.get(key);
  if (!sum) {
    sum = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    verified.set(key, sum);
  }
  return sum;
}

/** Where an entry is present: the first models folder holding all its files (checked by sha256). */
export function findLocal(entry: RegistryEntry): string | undefined {
  for (const dir of [...modelDirs(), cacheModelsDir()]) {
    if (!entry.files.every((f) => fs.existsSync(path.join(dir, f.path)))) continue;
    for (const f of entry.files) {
      const file = path.join(dir, f.path);
      const sum = sha256File(file);
      if (sum !== f.sha256) fail('PARSE_ERROR', `${file} has sha256 ${sum}, but registry model '${entry.name}' expects ${f.sha256}; delete or replace it`);
    }
    return path.join(dir, entry.main);
  }
  return undefined;
}

/** Downloads `url` to `dest` (through a temporary file) and checks its sha256. */
export async function downloadFile(url: string, dest: string, sha256: string, signal?: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal: signal ?? AbortSignal.timeout(120_000), redirect: 'follow' });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const sum = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sum !== sha256) throw new Error(`downloaded file has sha256 ${sum}, expected ${sha256}`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.partial`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, dest);
}

function howToPlace(entry: RegistryEntry): string {
  const dir = cacheModelsDir();
  const list = entry.files.map((f) => `  ${path.join(dir, f.path)}  (from ${f.url}, sha256 ${f.sha256})`).join('\n');
  return `Put the file(s) here:\n${list}\nor set ATROUS_MODELS to a folder holding ${entry.files.map((f) => f.path).join(', ')}.`;
}

/** The local path of a registry model, downloading it into the cache when needed. */
export async function resolveRegistryModel(entry: RegistryEntry, signal?: AbortSignal): Promise<string> {
  const local = findLocal(entry);
  if (local) return local;
  if (process.env.ATROUS_OFFLINE === '1')
    fail('NOT_FOUND', `model '${entry.name}' is not in ${[...modelDirs(), cacheModelsDir()].join(', ')} and ATROUS_OFFLINE=1 forbids downloading it. ${howToPlace(entry)}`);
  const dir = cacheModelsDir();
  for (const f of entry.files) {
    const dest = path.join(dir, f.path);
    if (fs.existsSync(dest) && sha256File(dest) === f.sha256) continue;
    try {
      await downloadFile(f.url, dest, f.sha256, signal);
    } catch (e) {
      if (e instanceof AtrousError) throw e;
      fail('NOT_FOUND', `model '${entry.name}': downloading ${f.url} failed (${(e as Error).message}). ${howToPlace(entry)}`);
    }
  }
  return path.join(dir, entry.main);
}

/** Registry names and aliases, for messages. */
export function registryNames(): string[] {
  return [...REGISTRY.map((e) => e.name), ...Object.keys(ALIASES)];
}

export function checkModelName(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) fail('INVALID_ARGUMENT', `model must be a path or a registry name, got ${show(v)}`);
  return v;
}
