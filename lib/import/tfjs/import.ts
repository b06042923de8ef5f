// TF.js graph model (model.json + shards) → atrous Graph. The DeepLab graph does its own resize,
// pad and normalization before the network and ArgMax after it: atrous imports the network from the
// normalized input to the logits and describes the preprocessing as metadata.
import fs from 'node:fs';
import path from 'node:path';

import { AtrousError, fail } from '../../errors';
import { Graph, Value } from '../../graph/builder';
import type { Padding } from '../../graph/builder';
import { datasetFor, Namer, permute4, resizePolicy, uniformNorm } from '../common';
import type { ImportedModel } from '../types';
import { readWeights, TfjsTensor } from './weights';

export interface TfjsImportOptions {
  name?: string;
  classes?: string[];
  /** Network input [height, width]; by default derived from the image-pooling window. */
  inputSize?: [number, number];
  /** Fold SpaceToBatchND / BatchToSpaceND pairs into dilated convs (default true; false keeps them as ops). */
  foldAtrous?: boolean;
}

interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { i?: (string | number)[]; s?: string[] };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

const CONVS = new Set(['Conv2D', 'DepthwiseConv2dNative']);
const MAX_JSON_BYTES = 64 << 20;

function tensorName(input: string): string {
  const n = input.startsWith('^') ? input.slice(1) : input;
  return n.endsWith(':0') ? n.slice(0, -2) : n;
}

export function importTfjs(modelJson: string, options: TfjsImportOptions = {}): ImportedModel {
  if (!fs.existsSync(modelJson)) fail('NOT_FOUND', `TF.js model.json not found: ${modelJson}`);
  if (fs.statSync(modelJson).size > MAX_JSON_BYTES) fail('PARSE_ERROR', `${modelJson} is too large for a model.json`);
  let json: { modelTopology?: { node?: TfNode[] }; weightsManifest?: unknown; format?: string };
  try {
    json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  } catch (e) {
    fail('PARSE_ERROR', `${modelJson}: not valid JSON (${(e as Error).message})`);
  }
  const nodes = json?.modelTopology?.node;
  if (!Array.isArray(nodes)) fail('PARSE_ERROR', `${modelJson}: not a TF.js graph model (no modelTopology.node list)`);
  const weights = readWeights(path.dirname(modelJson), json.weightsManifest);
  return new TfjsImporter(nodes, weights, options).run();
}

class TfjsImporter {
  private readonly g = new Graph();
  private readonly byName = new Map<string, TfNode>();
  private readonly values = new Map<string, Value>();
  private readonly consumers = new Map<string, TfNode[]>();
  private readonly namer = new Namer();
  private readonly passThrough = new Set<string>();
  private readonly atrous = new Map<string, { dilation: [number, number]; pads: [number, number, number, number] }>();
  private readonly convAncestor = new Map<string, boolean>();

  constructor(nodes: TfNode[], private readonly weights: Map<string, TfjsTensor>, private readonly options: TfjsImportOptions) {
    for (const n of nodes) {
      if (typeof n?.name !== 'string' || typeof n.op !== 'string') fail('PARSE_ERROR', 'TF.js graph node without a name or op');
      if (n.input !== undefined && !(Array.isArray(n.input) && n.input.every((i) => typeof i === 'string')))
        fail('PARSE_ERROR', `TF.js graph node '${n.name}': input must be a list of names`);
      if (n.attr !== undefined && (typeof n.attr !== 'object' || n.attr === null)) fail('PARSE_ERROR', `TF.js graph node '${n.name}': attr must be an object`);
      this.byName.set(n.name, n);
    }
    for (const n of nodes)
      for (const i of n.input ?? []) if (!i.startsWith('^')) this.consumers.set(tensorName(i), [...(this.consumers.get(tensorName(i)) ?? []), n]);
  }

  private node(name: string): TfNode {
    const n = this.byName.get(tensorName(name));
    if (!n) fail('PARSE_ERROR', `TF.js graph: node '${name}' is referenced but not defined`);
    return n;
  }
  private dataInputs(n: TfNode): string[] {
    return (n.input ?? []).filter((i) => !i.startsWith('^')).map(tensorName);
  }

  /** True when a convolution is upstream of `name` (iteratively, graphs can be deep). */
  private hasConvAncestor(name: string): boolean {
    const stack = [name], seen = new Set<string>();
    while (stack.length) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      const known = this.convAncestor.get(cur);
      if (known) return true;
      const n = this.node(cur);
      if (CONVS.has(n.op)) return true;
      stack.push(...this.dataInputs(n));
    }
    return false;
  }

  run(): ImportedModel {
    // The logits: the input of the final ArgMax, minus the last resize (to the image size, which
    // segment() does itself): DeepLab's logits at feature resolution.
    const argmax = [...this.byName.values()].find((n) => n.op === 'ArgMax');
    let logits = argmax ? this.node(this.dataInputs(argmax)[0] ?? '') : undefined;
    if (!logits) fail('UNSUPPORTED', 'TF.js graph has no ArgMax to locate the logits');
    if (logits.op === 'ResizeBilinear') logits = this.node(this.dataInputs(logits)[0] ?? '');

    // The network input: the tensor feeding the first convolution.
    let inputName: string | undefined;
    for (const n of this.byName.values()) {
      if (!CONVS.has(n.op)) continue;
      const x = this.dataInputs(n)[0] ?? '';
      if (!this.hasConvAncestor(x)) {
        if (inputName && inputName !== x) fail('UNSUPPORTED', `TF.js graph has two network inputs ('${inputName}', '${x}')`);
        inputName = x;
      }
    }
    if (!inputName) fail('UNSUPPORTED', 'TF.js graph has no convolution');
    const norm = this.normalization(inputName);
    const inputSize = this.options.inputSize ?? this.guessInputSize();
    this.values.set(inputName, this.g.input('image', [1, inputSize[0], inputSize[1], 3]));
    if (this.options.foldAtrous !== false) this.foldAtrous();
    const out = this.build(logits.name);
    this.g.output('logits', out);
    return {
      graph: this.g,
      input: 'image',
      output: 'logits',
      meta: {
        name: this.options.name ?? 'tfjs-model',
        format: 'tfjs',
        inputSize,
        normalization: norm,
        resize: resizePolicy(inputSize),
        ...datasetFor(out.channels, this.options.classes),
        outputKind: 'logits',
        layout: 'nhwc',
        notes: { networkInput: inputName, logits: logits.name },
      },
    };
  }

  /** The graph's own normalization: `input = a * pixels - b` (scalar Mul then Sub) means mean b / a, std 1 / a. */
  private normalization(inputName: string) {
    const sub = this.node(inputName);
    if (sub.op === 'Sub') {
      const [m, b] = this.dataInputs(sub);
      const mul = m ? this.node(m) : undefined;
      const bc = b ? this.weights.get(b) : undefined;
      if (mul?.op === 'Mul' && bc?.data.length === 1) {
        const a = this.dataInputs(mul).map((i) => this.weights.get(i)).find((t) => t?.data.length === 1);
        const av = a?.data[0] ?? 0, bv = bc.data[0] ?? 0;
        if (av > 0) return uniformNorm(bv / av, 1 / av);
      }
    }
    return uniformNorm(127.5, 127.5);
  }

  /** DeepLab's image pooling averages the whole feature map: input = (window - 1) × output stride + 1. */
  private guessInputSize(): [number, number] {
    const pool = [...this.byName.values()].find((n) => n.op === 'AvgPool' || n.op === 'Mean');
    const k = pool?.attr?.ksize?.list?.i?.map(Number);
    if (!pool || !k || k.length !== 4) fail('INVALID_ARGUMENT', 'cannot tell the TF.js model\'s input size: pass options.inputSize');
    let stride = 1;
    const stack = [pool.name], seen = new Set<string>();
    while (stack.length) {
      const n = this.node(stack.pop() as string);
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      const s = n.attr?.strides?.list?.i?.map(Number);
      if (CONVS.has(n.op) && s && (s[1] ?? 1) > 1) stride *= s[1] as number;
      stack.push(...this.dataInputs(n));
    }
    return [((k[1] as number) - 1) * stride + 1, ((k[2] as number) - 1) * stride + 1];
  }

  private isConst(name: string): boolean {
    return this.byName.get(name)?.op === 'Const' && this.weights.has(name);
  }
  private constant(n: TfNode, k: number): TfjsTensor {
    const name = this.dataInputs(n)[k] ?? '';
    const t = this.isConst(name) ? this.weights.get(name) : undefined;
    if (!t) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': input ${k} ('${name}') must be a constant`);
    return t;
  }
  private ints(n: TfNode, attr: string, dflt: number[]): number[] {
    return n.attr?.[attr]?.list?.i?.map(Number) ?? dflt;
  }
  private str(n: TfNode, attr: string, dflt: string): string {
    const s = n.attr?.[attr]?.s;
    return s ? Buffer.from(s, 'base64').toString('utf8') : dflt;
  }
  private padding(n: TfNode): Padding {
    const p = this.str(n, 'padding', 'VALID');
    if (p !== 'SAME' && p !== 'VALID') fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': padding ${p}`);
    return p === 'SAME' ? 'same' : 'valid';
  }
  private weight(name: string, shape: number[], data: Float64Array | Float32Array): Value {
    return this.g.weight(this.namer.name(name), shape, Float32Array.from(data));
  }

  /** SpaceToBatchND → VALID conv → BatchToSpaceND becomes one dilated conv with explicit padding. */
  private foldAtrous(): void {
    for (const stb of this.byName.values()) {
      if (stb.op !== 'SpaceToBatchND') continue;
      const convs = this.consumers.get(stb.name) ?? [];
      const conv = convs[0];
      if (convs.length !== 1 || !conv || !CONVS.has(conv.op) || this.padding(conv) !== 'valid') continue;
      if (this.ints(conv, 'strides', [1, 1, 1, 1]).some((s) => s !== 1) || this.ints(conv, 'dilations', [1, 1, 1, 1]).some((d) => d !== 1)) continue;
      const btss = this.consumers.get(conv.name) ?? [];
      const bts = btss[0];
      if (btss.length !== 1 || !bts || bts.op !== 'BatchToSpaceND') continue;
      const [, sb, sp] = this.dataInputs(stb), [, bb, bc] = this.dataInputs(bts);
      if (!sb || !sp || !bb || !bc || ![sb, sp, bb, bc].every((c) => this.isConst(c))) continue;
      const block = Array.from(this.weights.get(sb)?.data ?? []), block2 = Array.from(this.weights.get(bb)?.data ?? []);
      const pads = Array.from(this.weights.get(sp)?.data ?? []), crops = Array.from(this.weights.get(bc)?.data ?? []);
      if (block.length !== 2 || block.join() !== block2.join() || pads.length !== 4 || crops.length !== 4) continue;
      const eff = pads.map((p, i) => p - (crops[i] as number));
      if (eff.some((p) => p < 0)) continue;
      this.passThrough.add(stb.name).add(bts.name);
      this.atrous.set(conv.name, { dilation: block as [number, number], pads: eff as [number, number, number, number] });
    }
  }

  /** Builds the value of `name`, its inputs first (iterative post-order: graphs can be deep). */
  private build(name: string): Value {
    const stack: [string, boolean][] = [[name, false]];
    while (stack.length) {
      const [cur, ready] = stack.pop() as [string, boolean];
      if (this.values.has(cur)) continue;
      const n = this.node(cur);
      const deps = this.dataInputs(n).filter((i) => !this.isConst(i) && !this.values.has(i));
      if (!ready && deps.length) {
        stack.push([cur, true], ...deps.map((d): [string, boolean] => [d, false]));
        continue;
      }
      if (n.op === 'Const') fail('PARSE_ERROR', `TF.js constant '${n.name}' has no weight data`);
      try {
        this.values.set(cur, this.convert(n));
      } catch (e) {
        if (e instanceof AtrousError && !e.message.includes('TF.js')) fail(e.code, `TF.js ${n.op} node '${n.name}': ${e.message}`);
        throw e;
      }
    }
    return this.values.get(name) as Value;
  }

  private act(n: TfNode, k: number): Value {
    const v = this.values.get(this.dataInputs(n)[k] ?? '');
    if (!v) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': input ${k} is not an activation`);
    return v;
  }

  private convert(n: TfNode): Value {
    const g = this.g;
    switch (n.op) {
      case 'Identity':
        return this.act(n, 0);
      case 'SpaceToBatchND':
      case 'BatchToSpaceND': {
        if (this.passThrough.has(n.name)) return this.act(n, 0);
        const block = Array.from(this.constant(n, 1).data), p = Array.from(this.constant(n, 2).data);
        if (block.length !== 2 || p.length !== 4) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': only 2-D blocks`);
        const pads = p as [number, number, number, number], bs = block as [number, number];
        return n.op === 'SpaceToBatchND' ? g.spaceToBatch(this.act(n, 0), { blockShape: bs, pads }) : g.batchToSpace(this.act(n, 0), { blockShape: bs, crops: pads });
      }
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        if (this.str(n, 'data_format', 'NHWC') !== 'NHWC') fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': data_format must be NHWC`);
        const x = this.act(n, 0);
        const w = this.constant(n, 1);
        if (w.shape.length !== 4) fail('PARSE_ERROR', `TF.js ${n.op} node '${n.name}': filter shape [${w.shape.join(', ')}]`);
        const depthwise = n.op === 'DepthwiseConv2dNative';
        // TF filters are HWIO; depthwise [KH, KW, Cin, M] → [Cin, M, KH, KW] = our [Cin·M, KH, KW, 1].
        const p = permute4(Float32Array.from(w.data), w.shape, depthwise ? [2, 3, 0, 1] : [3, 0, 1, 2]);
        const shape = depthwise ? [p.shape[0]! * p.shape[1]!, p.shape[2]!, p.shape[3]!, 1] : p.shape;
        const s = this.ints(n, 'strides', [1, 1, 1, 1]), d = this.ints(n, 'dilations', [1, 1, 1, 1]);
        const fold = this.atrous.get(n.name);
        return g.conv2d(x, {
          weight: this.weight(this.dataInputs(n)[1] ?? n.name, shape, p.data),
          strides: [s[1] ?? 1, s[2] ?? 1],
          dilations: fold?.dilation ?? [d[1] ?? 1, d[2] ?? 1],
          padding: fold?.pads ?? this.padding(n),
          groups: depthwise ? x.channels : 1,
          name: n.name,
        });
      }
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'AddN':
      case 'Mul':
      case 'Sub': {
        const kind = n.op === 'Mul' ? 'mul' : n.op === 'Sub' ? 'sub' : 'add';
        const ins = this.dataInputs(n);
        if (ins.length !== 2) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}' with ${ins.length} inputs`);
        const side = (k: number): Value => {
          const name = ins[k] as string;
          if (!this.isConst(name)) return this.act(n, k);
          const c = this.weights.get(name) as TfjsTensor;
          if (c.shape.length > 1) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': constant of shape [${c.shape.join(', ')}] (per-channel or scalar only)`);
          return this.weight(name, [c.data.length || 1], c.data);
        };
        return g[kind](side(0), side(1));
      }
      case 'Relu':
        return g.relu(this.act(n, 0));
      case 'Relu6':
        return g.relu6(this.act(n, 0));
      case 'AvgPool':
      case 'MaxPool': {
        const x = this.act(n, 0);
        const k = this.ints(n, 'ksize', []), s = this.ints(n, 'strides', [1, 1, 1, 1]);
        if (k.length !== 4 || k[0] !== 1 || k[3] !== 1) fail('UNSUPPORTED', `TF.js ${n.op} node '${n.name}': ksize [${k.join(', ')}]`);
        const kernel: [number, number] = [k[1] as number, k[2] as number], strides: [number, number] = [s[1] ?? 1, s[2] ?? 1];
        const padding = this.padding(n);
        if (n.op === 'AvgPool' && padding === 'valid' && kernel[0] === x.shape[1] && kernel[1] === x.shape[2]) return g.globalAvgPool(x);
        return n.op === 'AvgPool' ? g.avgPool2d(x, { kernel, strides, padding }) : g.maxPool2d(x, { kernel, strides, padding });
      }
      case 'Mean': {
        const axes = Array.from(this.constant(n, 1).data).join();
        if (axes !== '1,2' || !n.attr?.keep_dims?.b) fail('UNSUPPORTED', `TF.js Mean node '${n.name}': only the spatial mean with keep_dims`);
        return g.globalAvgPool(this.act(n, 0));
      }
      case 'ConcatV2': {
        const ins = this.dataInputs(n);
        const axis = this.constant(n, ins.length - 1).data[0];
        if (axis !== 3 && axis !== -1) fail('UNSUPPORTED', `TF.js ConcatV2 node '${n.name}': axis ${axis} (only channels)`);
        return g.concat(ins.slice(0, -1).map((_, k) => this.act(n, k)));
      }
      case 'ResizeBilinear': {
        const x = this.act(n, 0);
        const size = Array.from(this.constant(n, 1).data);
        if (size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1)) fail('PARSE_ERROR', `TF.js ResizeBilinear node '${n.name}': size [${size.join(', ')}]`);
        if (size[0] === x.shape[1] && size[1] === x.shape[2]) return x;
        const mode = n.attr?.align_corners?.b ? 'align_corners' : n.attr?.half_pixel_centers?.b ? 'half_pixel' : 'asymmetric';
        return g.resizeBilinear(x, { size: size as [number, number], coordinateMode: mode });
      }
      case 'Pad': {
        const p = Array.from(this.constant(n, 1).data);
        if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) fail('UNSUPPORTED', `TF.js Pad node '${n.name}': only spatial padding`);
        return g.pad(this.act(n, 0), { pads: [p[2], p[3], p[4], p[5]] as [number, number, number, number] });
      }
      default:
        fail('UNSUPPORTED', `TF.js op ${n.op} is not supported (node '${n.name}')`);
    }
  }
}
