// compile() and Model: the graph crosses into C++ once; run() is async and never blocks the loop.
import { AtrousError, callSite, fail, fromNative, show } from './errors';
import { GraphCore } from './graph/core';
import { toDescriptor } from './graph/serialize';
import { native, NativeModel, NativeWeight } from './native';

/** Weights by name, for weights declared without data. */
export type WeightMap = Record<string, Float32Array> | ReadonlyMap<string, Float32Array>;

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Worker threads for this model (default: all cores). */
  threads?: number;
  /**
   * Execution device. `'cuda'` runs on the GPU through the CUDA plugin and rejects (UNSUPPORTED, with the reason) when CUDA cannot be used. In a CUDA model, a
   * node without a CUDA kernel runs on the CPU with its data copied across.
   * `model.stats().backend` says which device a model got. `'auto'` (the default) currently means
   * the CPU: the CUDA kernels have not been verified on a GPU yet, so CUDA is opt-in.
   */
  device?: 'auto' | 'cpu' | 'cuda';
}

/** Options of {@link Model.run}. */
export interface RunOptions {
  /** Aborts between layers; the promise rejects with code `ABORTED` and the model stays usable. */
  signal?: AbortSignal;
  /** Collect per-op timings (returned as `profile` in the {@link RunResult}). */
  profile?: boolean;
}

/** A tensor produced by a run: NHWC data and its shape. */
export interface Tensor {
  data: Float32Array | Int32Array;
  shape: [number, number, number, number];
  dtype: 'float32' | 'int32';
}

/** Name, type and NHWC shape of a model input or output. */
export interface IoInfo {
  name: string;
  dtype: 'float32' | 'int32';
  shape: [number, number, number, number];
}

/** Outputs by name, plus per-op timings when `profile` was asked for. */
export type RunResult = Record<string, Tensor> & { profile?: { node: string; op: string; ms: number }[] };

/** Inputs of {@link Model.run}: one array, arrays in input order, or an object by input name. */
export type RunInputs = Float32Array | readonly Float32Array[] | Record<string, Float32Array>;

/** A compiled network. Runs are queued: one at a time per model. */
export class Model {
  /** The model's inputs. */
  readonly inputs: readonly IoInfo[];
  /** The model's outputs. */
  readonly outputs: readonly IoInfo[];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  /** @internal */
  constructor(private readonly handle: NativeModel) {
    const io = handle.io();
    this.inputs = io.inputs;
    this.outputs = io.outputs;
  }

  /** Runs the model. Inputs: one Float32Array, an array in input order, or an object by input name. */
  run(inputs: RunInputs, options: RunOptions = {}): Promise<RunResult> {
    const site = callSite(this.run);
    if (this.disposed) return Promise.reject(fromNative(new AtrousError('DISPOSED', 'the model was disposed'), site));
    let ordered: Float32Array[];
    try {
      ordered = this.orderInputs(inputs);
      if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
        fail('INVALID_ARGUMENT', `options.signal must be an AbortSignal, got ${show(options.signal)}`);
    } catch (e) {
      return Promise.reject(fromNative(e, site));
    }
    const job = this.queue.then(() => this.runNow(ordered, options)).catch((e: unknown) => {
      throw fromNative(e, site);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Frees native memory now (a run in flight finishes first). Later runs reject with `DISPOSED`. */
  dispose(): void {
    this.disposed = true;
    this.handle.dispose();
  }

  /** Threads, bytes of activation arena and weights, number of kernel steps. */
  stats(): ReturnType<NativeModel['stats']> {
    return this.handle.stats();
  }

  private async runNow(inputs: Float32Array[], options: RunOptions): Promise<RunResult> {
    if (this.disposed) throw new AtrousError('DISPOSED', 'the model was disposed');
    const signal = options.signal;
    if (signal?.aborted) throw new AtrousError('ABORTED', 'run aborted before it started');
    const outputs = this.outputs.map((o) => {
      const size = o.shape.reduce((a, b) => a * b, 1);
      return o.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    });
    const token = signal ? new (native().AbortToken)() : undefined;
    const onAbort = () => token?.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const timings = await this.handle.run(inputs, outputs, token, options.profile === true);
      const result: RunResult = {};
      this.outputs.forEach((o, i) => {
        result[o.name] = { data: outputs[i] as Float32Array | Int32Array, shape: [...o.shape], dtype: o.dtype };
      });
      if (timings) result.profile = timings;
      return result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private orderInputs(inputs: RunInputs): Float32Array[] {
    let list: Float32Array[];
    if (inputs instanceof Float32Array) list = [inputs];
    else if (Array.isArray(inputs)) list = [...(inputs as Float32Array[])];
    else if (inputs && typeof inputs === 'object' && !ArrayBuffer.isView(inputs)) {
      const byName = inputs as Record<string, Float32Array>;
      for (const k of Object.keys(byName))
        if (!this.inputs.some((i) => i.name === k)) fail('INVALID_ARGUMENT', `unknown input '${k}'; inputs are ${this.inputs.map((i) => i.name).join(', ')}`);
      list = this.inputs.map((i) => {
        const v = byName[i.name];
        if (v === undefined) fail('INVALID_ARGUMENT', `missing input '${i.name}'`);
        return v;
      });
    } else {
      fail('INVALID_ARGUMENT', `inputs must be a Float32Array, an array of them or an object by name, got ${show(inputs)}`);
    }
    if (list.length !== this.inputs.length) fail('INVALID_ARGUMENT', `expected ${this.inputs.length} inputs, got ${list.length}`);
    list.forEach((v, i) => {
      const io = this.inputs[i] as IoInfo;
      if (!(v instanceof Float32Array)) fail('INVALID_ARGUMENT', `input '${io.name}' must be a Float32Array, got ${show(v)}`);
      const size = io.shape.reduce((a, b) => a * b, 1);
      if (v.length !== size) fail('SHAPE_MISMATCH', `input '${io.name}' has ${v.length} values; shape ${show(io.shape)} needs ${size}`);
    });
    return list;
  }
}

function lookup(weights: WeightMap | undefined, name: string): Float32Array | undefined {
  if (!weights) return undefined;
  return weights instanceof Map ? weights.get(name) : (weights as Record<string, Float32Array>)[name];
}

/**
 * Compiles a graph: validation, shape inference, BN folding, activation fusion, memory planning
 * and weight packing happen once, natively, off the main thread.
 */
export async function compile(graph: GraphCore, weights?: WeightMap, options: CompileOptions = {}): Promise<Model> {
  const site = callSite(compile);
  try {
    if (!(graph instanceof GraphCore)) fail('INVALID_ARGUMENT', `compile: graph must be a Graph, got ${show(graph)}`);
    const threads = options.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0 || threads > 256)
      fail('INVALID_ARGUMENT', `options.threads must be an integer from 0 to 256, got ${show(options.threads)}`);
    const device = options.device ?? 'auto';
    if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') fail('INVALID_ARGUMENT', `options.device must be 'auto', 'cpu' or 'cuda', got ${show(device)}`);
    const descriptor = toDescriptor(graph);
    if (weights) {
      const known = new Set(graph.weights.map((w) => w.name));
      const keys = weights instanceof Map ? [...weights.keys()] : Object.keys(weights);
      const unknown = keys.filter((k) => !known.has(k));
      if (unknown.length) fail('INVALID_ARGUMENT', `weights for unknown names: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}`);
    }
    const missing: string[] = [];
    const list: NativeWeight[] = graph.weights.map((w) => {
      const data = lookup(weights, w.name) ?? w.data;
      if (!data) {
        missing.push(w.name);
        return { shape: w.shape, data: new Float32Array(0) };
      }
      if (!(data instanceof Float32Array)) fail('INVALID_ARGUMENT', `weight '${w.name}' must be a Float32Array, got ${show(data)}`);
      return { shape: w.shape, data };
    });
    if (missing.length) fail('INVALID_ARGUMENT', `missing data for ${missing.length} weight(s): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
    const handle = await native().compile(descriptor, list, { threads, device });
    return new Model(handle);
  } catch (e) {
    throw fromNative(e, site);
  }
}
