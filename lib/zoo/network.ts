// ZooNetwork: a built DeepLab graph plus its weights by name (load/save safetensors, random init).
import { AtrousError, fail, show } from '../errors';
import { Graph, Value } from '../graph/builder';
import { compile, CompileOptions, Model } from '../model';
import { NamedTensor, readSafetensors, writeSafetensors } from '../weights/safetensors';
import { GraphStats, stats } from './stats';

/** A tensor in memory: shape and float32 data. */
export interface TensorLike {
  shape: readonly number[];
  data: Float32Array;
}

/** Safetensors (path or bytes) or tensors already in memory (e.g. from an importer), by source name. */
export type WeightSource = string | Uint8Array | ArrayBuffer | ReadonlyMap<string, TensorLike> | Readonly<Record<string, TensorLike>>;

/** Translates another framework's weight names and layouts into the zoo's native ones. */
export interface KeyMap {
  readonly name: string;
  /** Native name for a source key; `null` = known but not needed (skipped), `undefined` = unexpected. */
  target(key: string): string | null | undefined;
  /** The source tensor in the native shape (OHWI convs), or undefined when the shapes do not correspond. */
  convert(tensor: TensorLike, nativeShape: readonly number[], nativeName: string): Float32Array | undefined;
  /** A value for a native weight the source lacks but implies (e.g. identity BN stats of folded weights). */
  fill?(nativeName: string, shape: readonly number[], provided: ReadonlySet<string>, epsilon: number): Float32Array | undefined;
}

/** Options of {@link zoo.ZooNetwork.loadWeights}. */
export interface LoadWeightsOptions {
  /** Key map from the source's names (default: the zoo's native names and layouts). */
  map?: KeyMap;
  /** Skip source keys the map does not know instead of failing (default false). */
  allowUnexpected?: boolean;
  /** Keep current data for weights the source lacks instead of failing (default false). */
  allowMissing?: boolean;
}

export interface ZooNetworkInit {
  name: string;
  graph: Graph;
  input: Value;
  output: Value;
  scores: Value;
  outputStride: number;
  scoresStride: number;
  numClasses: number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The identity map: native names, native layouts. */
export const nativeKeys: KeyMap = {
  name: 'native',
  target: (key) => key,
  convert: (t, shape) => (sameShape(t.shape, shape) ? t.data : undefined),
};

function list(what: string, items: string[]): string {
  return items.length ? `\n  ${what} (${items.length}): ${items.slice(0, 25).join(', ')}${items.length > 25 ? ', …' : ''}` : '';
}

/** A DeepLab network from the zoo: typed graph, named weights, compile to a runnable Model. */
export class ZooNetwork {
  readonly name: string;
  readonly graph: Graph;
  /** The image input, NHWC [1, H, W, 3]. */
  readonly input: Value;
  /** Class logits at the input resolution (graph output 'logits'). */
  readonly output: Value;
  /** Class scores before the final upsampling. */
  readonly scores: Value;
  /** Output stride of the encoder (backbone + ASPP). */
  readonly outputStride: number;
  /** Stride of `scores` (4 for v3+, else the output stride). */
  readonly scoresStride: number;
  readonly numClasses: number;
  /** BatchNorm epsilon by the names of the BN's weights (for maps that fill folded statistics). */
  private readonly epsilons = new Map<string, number>();
  private readonly shapes = new Map<string, readonly number[]>();
  private data = new Map<string, Float32Array>();

  /** @internal */
  constructor(init: ZooNetworkInit) {
    ({ name: this.name, graph: this.graph, input: this.input, output: this.output, scores: this.scores } = init);
    ({ outputStride: this.outputStride, scoresStride: this.scoresStride, numClasses: this.numClasses } = init);
    for (const w of this.graph.weights) this.shapes.set(w.name, w.shape);
    for (const n of this.graph.nodeList)
      if (n.op === 'batch_norm') n.inputs.slice(1).forEach((v) => this.epsilons.set(v.name, n.params.epsilon as number));
  }

  /** Learnable parameters (torchvision's count: BN running statistics excluded). */
  paramCount(): number {
    return stats(this.graph).params;
  }

  /** Parameters, buffers, conv multiply-adds of the built graph. */
  stats(): GraphStats {
    return stats(this.graph);
  }

  /** Native weight names in graph order. */
  weightNames(): string[] {
    return [...this.shapes.keys()];
  }

  /** Native shape of a weight (convs OHWI). */
  weightShape(name: string): readonly number[] {
    const s = this.shapes.get(name);
    if (!s) fail('NOT_FOUND', `no weight named ${show(name)} in ${this.name}`);
    return s;
  }

  /** True when every weight has data. */
  get ready(): boolean {
    return this.data.size === this.shapes.size;
  }

  /**
   * Loads weights by name. All problems (missing, unexpected, mis-shaped keys) are reported together
   * in one INVALID_ARGUMENT error and nothing is changed.
   */
  loadWeights(source: WeightSource, options: LoadWeightsOptions = {}): this {
    const map = options.map ?? nativeKeys;
    const tensors = toEntries(source);
    const next = new Map<string, Float32Array>();
    const unexpected: string[] = [], misshaped: string[] = [], duplicate: string[] = [];
    const seen = new Set<string>();
    for (const [key, t] of tensors) {
      const target = map.target(key);
      if (target === null) continue;
      const shape = target === undefined ? undefined : this.shapes.get(target);
      if (target === undefined || !shape) {
        if (!options.allowUnexpected) unexpected.push(key);
        continue;
      }
      if (seen.has(target)) {
        duplicate.push(`${key} → ${target}`);
        continue;
      }
      seen.add(target);
      if (!Array.isArray(t?.shape) || !(t.data instanceof Float32Array)) {
        misshaped.push(`${key} (not a {shape, data: Float32Array} tensor: ${show(t)})`);
        continue;
      }
      const count = shape.reduce((a, b) => a * b, 1);
      const data = map.convert(t, shape, target);
      if (!data || data.length !== count) misshaped.push(`${key} ${show([...t.shape])} (expected ${show([...shape])} for ${target})`);
      else next.set(target, data === t.data ? new Float32Array(data) : data);
    }
    const provided = new Set(next.keys());
    const missing: string[] = [];
    for (const [name, shape] of this.shapes) {
      if (seen.has(name)) continue;
      const filled = map.fill?.(name, shape, provided, this.epsilons.get(name) ?? 0);
      if (filled) next.set(name, filled);
      else if (!options.allowMissing || !this.data.has(name)) missing.push(name);
    }
    if (missing.length || unexpected.length || misshaped.length || duplicate.length)
      fail('INVALID_ARGUMENT', `loadWeights into ${this.name} with the '${map.name}' key map failed:` +
        list('missing', missing) + list('unexpected', unexpected) + list('mis-shaped', misshaped) + list('duplicate', duplicate));
    for (const [k, v] of next) this.data.set(k, v);
    return this;
  }

  /** The current weights as a safetensors file (native names, OHWI convs, F32). */
  saveWeights(): Uint8Array {
    const out = new Map<string, NamedTensor>();
    for (const [name, shape] of this.shapes) {
      const data = this.data.get(name);
      if (!data) fail('INVALID_ARGUMENT', `saveWeights: '${name}' has no data; load or initialize weights first`);
      out.set(name, { shape: [...shape], data });
    }
    return writeSafetensors(out, { format: 'atrous-zoo', network: this.name });
  }

  /** Seeded random weights (variance-preserving convs, BN near identity): for tests and benchmarks. */
  initRandom(seed = 1): this {
    let s = seed >>> 0 || 1;
    const rand = () => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s / 4294967296;
    };
    const fillU = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
    for (const [name, shape] of this.shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      if (shape.length === 4) {
        const bound = Math.sqrt(3 / (n / (shape[0] as number)));
        this.data.set(name, fillU(n, -bound, bound));
      } else if (name.endsWith('.running_var')) this.data.set(name, fillU(n, 0.5, 1.5));
      else if (name.endsWith('.running_mean') || name.endsWith('.bias')) this.data.set(name, fillU(n, -0.1, 0.1));
      else this.data.set(name, fillU(n, 0.5, 1));
    }
    return this;
  }

  /** Compiles the graph with the loaded weights (BN folded, activations fused natively). */
  compile(options: CompileOptions = {}): Promise<Model> {
    if (!this.ready) {
      const missing = this.weightNames().filter((n) => !this.data.has(n));
      return Promise.reject(new AtrousError('INVALID_ARGUMENT',
        `${this.name}: ${missing.length} weight(s) have no data (e.g. ${missing.slice(0, 3).join(', ')}); call loadWeights() or initRandom()`));
    }
    return compile(this.graph, this.data, options);
  }
}

function toEntries(source: WeightSource): [string, TensorLike][] {
  if (typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer) return [...readSafetensors(source)];
  if (source instanceof Map) return [...(source as ReadonlyMap<string, TensorLike>)];
  if (source && typeof source === 'object' && !ArrayBuffer.isView(source)) return Object.entries(source as Record<string, TensorLike>);
  fail('INVALID_ARGUMENT', `weights must be a safetensors path or bytes, or a Map/object of {shape, data}, got ${show(source)}`);
}
