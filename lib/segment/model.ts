// SegmentationModel: an imported network compiled once, plus everything segment() does around it.
import { fail, show, callSite, fromNative } from '../errors';
import type { ImportedModel, ModelMeta } from '../import/types';
import { compile, CompileOptions, Model } from '../model';
import { applyCrf, CrfOption } from './crf-hook';
import { decodeImage, ImageInput } from './image';
import { argmaxLabels, labelsFromLogits, Logits, newLabels, ProbabilityAccumulator } from './merge';
import { nativeCapable, NativePostprocess } from './postprocess';
import { checkScales, checkSlidingWindow, planRuns, SlidingWindowOptions } from './policies';
import { FloatImage, makeCanvas, resizeRgb } from './preprocess';
import { SegmentationResult } from './result';

/** What a result holds: `labels` always; `probabilities` on request. */
export type SegmentOutput = 'labels' | 'probabilities';

/** Options of {@link SegmentationModel.segment}; every one is checked and a bad one rejects with INVALID_ARGUMENT. */
export interface SegmentOptions {
  /** Scales of the base size to run at; softmax probabilities are averaged (default [1]). */
  scales?: number | readonly number[];
  /** Also run on the mirrored image and average. */
  flip?: boolean;
  /** Keep images larger than the crop at their resolution and run over overlapping tiles. */
  slidingWindow?: boolean | SlidingWindowOptions;
  /** What the result holds besides labels (default ['labels']). */
  outputs?: readonly SegmentOutput[];
  signal?: AbortSignal;
  /** Worker threads (default: the model's). */
  threads?: number;
  /** Refine with the dense CRF: true, a preset name or CRF options. */
  crf?: CrfOption;
}

/** Runs the network on one normalized canvas. */
export interface LogitsRunner {
  run(input: Float32Array, signal?: AbortSignal): Promise<Logits>;
  dispose(): void;
}

export interface CheckedOptions {
  scales: number[];
  flip: boolean;
  overlap: number | undefined;
  probabilities: boolean;
  signal?: AbortSignal;
  threads?: number;
  crf?: CrfOption;
}

const KNOWN = new Set(['model', 'scales', 'flip', 'slidingWindow', 'outputs', 'signal', 'threads', 'crf']);

export function checkOptions(o: unknown): CheckedOptions {
  if (o === undefined) o = {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail('INVALID_ARGUMENT', `options must be an object, got ${show(o)}`);
  const opts = o as SegmentOptions & Record<string, unknown>;
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) fail('INVALID_ARGUMENT', `unknown option ${show(k)}; options are ${[...KNOWN].join(', ')}`);
  if (opts.flip !== undefined && typeof opts.flip !== 'boolean') fail('INVALID_ARGUMENT', `options.flip must be a boolean, got ${show(opts.flip)}`);
  const outputs = opts.outputs ?? ['labels'];
  if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((x) => x === 'labels' || x === 'probabilities'))
    fail('INVALID_ARGUMENT', `options.outputs must be a non-empty list of 'labels' and 'probabilities', got ${show(opts.outputs)}`);
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) fail('INVALID_ARGUMENT', `options.signal must be an AbortSignal, got ${show(opts.signal)}`);
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 0 && opts.threads <= 256))
    fail('INVALID_ARGUMENT', `options.threads must be an integer from 0 to 256, got ${show(opts.threads)}`);
  const crf = opts.crf;
  if (crf !== undefined && typeof crf !== 'boolean' && typeof crf !== 'string' && (crf === null || typeof crf !== 'object' || Array.isArray(crf)))
    fail('INVALID_ARGUMENT', `options.crf must be a boolean, a preset name or an options object, got ${show(crf)}`);
  return {
    scales: checkScales(opts.scales),
    flip: opts.flip ?? false,
    overlap: checkSlidingWindow(opts.slidingWindow),
    probabilities: outputs.includes('probabilities'),
    signal: opts.signal,
    threads: opts.threads,
    crf: crf === false ? undefined : crf,
  };
}

function compiledRunner(model: Model, imported: ImportedModel): LogitsRunner {
  return {
    async run(input, signal) {
      const out = await model.run({ [imported.input]: input }, { signal });
      const t = out[imported.output];
      if (!t || t.dtype !== 'float32') fail('INTERNAL', `model output '${imported.output}' is missing or not float32`);
      const [n, h, w, c] = t.shape;
      if (n !== 1) fail('SHAPE_MISMATCH', `model output '${imported.output}' has batch ${n}, expected 1`);
      return { data: t.data as Float32Array, height: h, width: w, channels: c };
    },
    dispose: () => model.dispose(),
  };
}

/** A segmentation network ready to run: see {@link load}. */
export class SegmentationModel {
  private readonly runners = new Map<number, Promise<LogitsRunner>>();
  private readonly post: NativePostprocess;
  private disposed = false;

  /** @internal Use {@link SegmentationModel.fromImported} or `load()`. */
  constructor(
    readonly meta: ModelMeta,
    runner: LogitsRunner,
    private readonly threads = 0,
    private readonly makeRunner?: (threads: number) => Promise<LogitsRunner>,
  ) {
    this.runners.set(threads, Promise.resolve(runner));
    this.post = new NativePostprocess(threads);
  }

  /** Compiles an imported network (see `importModel`). */
  static async fromImported(imported: ImportedModel, options: { threads?: number; device?: CompileOptions['device'] } = {}): Promise<SegmentationModel> {
    const meta = imported.meta;
    const [H, W] = meta.inputSize;
    if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0)) fail('INVALID_ARGUMENT', `meta.inputSize must be two positive integers, got ${show(meta.inputSize)}`);
    if (meta.resize !== 'pad' && meta.resize !== 'stretch') fail('INVALID_ARGUMENT', `meta.resize must be 'pad' or 'stretch', got ${show(meta.resize)}`);
    const make = async (threads: number): Promise<LogitsRunner> => {
      const model = await compile(imported.graph, undefined, { threads, device: options.device });
      const input = model.inputs.find((i) => i.name === imported.input);
      if (!input) fail('INVALID_ARGUMENT', `imported model has no input '${imported.input}'`);
      const [n, h, w, c] = input.shape;
      if (n !== 1 || h !== H || w !== W || c !== 3)
        fail('SHAPE_MISMATCH', `input '${imported.input}' has shape ${show(input.shape)}, expected [1, ${H}, ${W}, 3] from meta.inputSize`);
      const output = model.outputs.find((o) => o.name === imported.output);
      if (!output) fail('INVALID_ARGUMENT', `imported model has no output '${imported.output}'`);
      if (meta.classes.length && output.shape[3] !== meta.classes.length)
        fail('SHAPE_MISMATCH', `output '${imported.output}' has ${output.shape[3]} channels but meta lists ${meta.classes.length} classes`);
      return compiledRunner(model, imported);
    };
    const threads = options.threads ?? 0;
    return new SegmentationModel(meta, await make(threads), threads, make);
  }

  /** Segments one image: see {@link SegmentOptions}. */
  async segment(input: ImageInput, options: SegmentOptions = {}): Promise<SegmentationResult> {
    const site = callSite(this.segment);
    try {
      return await this.segmentNow(input, checkOptions(options));
    } catch (e) {
      throw fromNative(e, site);
    }
  }

  /** Frees the compiled network(s); later calls reject with DISPOSED. */
  dispose(): void {
    this.disposed = true;
    for (const r of this.runners.values()) r.then((x) => x.dispose(), () => undefined);
    this.runners.clear();
    this.post.dispose();
  }

  private runner(threads: number | undefined): Promise<LogitsRunner> {
    if (this.disposed) fail('DISPOSED', 'the model was disposed');
    const t = threads ?? this.threads;
    let r = this.runners.get(t);
    if (!r) {
      if (!this.makeRunner) fail('UNSUPPORTED', `options.threads: this model cannot be recompiled for ${t} threads`);
      r = this.makeRunner(t);
      this.runners.set(t, r);
    }
    return r;
  }

  private async segmentNow(input: ImageInput, o: CheckedOptions): Promise<SegmentationResult> {
    const runner = await this.runner(o.threads);
    const image = await decodeImage(input);
    const { width: w0, height: h0 } = image;
    const meta = this.meta;
    const runs = planRuns(h0, w0, meta, o);
    const needProbabilities = o.probabilities || o.crf !== undefined || runs.length > 1;
    let acc: ProbabilityAccumulator | undefined;
    let labels: SegmentationResult['labels'] | undefined;
    let scaled: FloatImage | undefined;
    let channels = 0;
    for (const run of runs) {
      if (o.signal?.aborted) fail('ABORTED', 'segment aborted');
      if (!scaled || scaled.height !== run.size[0] || scaled.width !== run.size[1]) scaled = resizeRgb(image, run.size[0], run.size[1]);
      const logits = await runner.run(makeCanvas(scaled, run, meta.inputSize, meta.normalization), o.signal);
      channels = logits.channels;
      const native = nativeCapable(run, meta.inputSize);
      if (!needProbabilities) {
        if (native) {
          labels = newLabels(h0 * w0, channels);
          labels.set(await this.post.labels(run, logits, h0, w0, meta.inputSize));
        } else labels = labelsFromLogits(run, logits, h0, w0, meta.inputSize);
      } else {
        acc ??= new ProbabilityAccumulator(h0, w0, channels);
        if (native) acc.addDense(await this.post.probabilities(run, logits, h0, w0, meta.inputSize));
        else acc.add(run, logits, meta.inputSize);
      }
    }
    let probabilities: Float32Array | undefined;
    if (acc) ({ labels, probabilities } = acc.finish());
    if (o.crf !== undefined && probabilities) {
      probabilities = await applyCrf(image.data, w0, h0, probabilities, channels, o.crf, o.signal);
      labels = argmaxLabels(probabilities, channels);
    }
    const classes = meta.classes.length ? meta.classes : Array.from({ length: channels }, (_, i) => `class ${i}`);
    return new SegmentationResult({
      image, labels: labels as SegmentationResult['labels'], probabilities: o.probabilities ? probabilities : undefined,
      classes, dataset: meta.dataset,
    });
  }
}
