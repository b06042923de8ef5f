// The versioned plain-data form of a graph: what crosses into C++ once, and what can be saved.
import { fail } from '../errors';
import { GraphCore, ParamValue } from './core';

/** Version of the graph descriptor format this build reads and writes. */
export const DESCRIPTOR_VERSION = 1;

/** One value of a descriptor: an input, a weight (data passed separately) or a node output. */
export type ValueDescriptor =
  | { kind: 'input'; name: string; shape: number[]; dtype: 'float32' }
  | { kind: 'weight'; name: string; shape: number[]; weight: number }
  | { kind: 'node'; name: string; node: number };

/** One node of a descriptor. */
export interface NodeDescriptor {
  op: string;
  name: string;
  inputs: number[];
  params: Record<string, ParamValue>;
}

/** The versioned plain-data form of a graph, as it crosses into the native core. */
export interface GraphDescriptor {
  format: 'atrous-graph';
  version: number;
  values: ValueDescriptor[];
  nodes: NodeDescriptor[];
  outputs: { name: string; value: number }[];
  /** Weight names in the order their data is passed (index = ValueDescriptor.weight). */
  weights: { name: string; shape: number[] }[];
}

/** Serializes a graph to its descriptor (weights listed by name; their data stays in the graph). */
export function toDescriptor(g: GraphCore): GraphDescriptor {
  if (g.outputs.length === 0) fail('INVALID_ARGUMENT', 'graph has no outputs; call graph.output(name, value)');
  const weightIndex = new Map(g.weights.map((w, i) => [w.value.id, i]));
  const nodeIndex = new Map(g.nodes.map((n, i) => [n.output.id, i]));
  const values: ValueDescriptor[] = g.values.map((v) => {
    if (v.kind === 'input') return { kind: 'input', name: v.name, shape: [...v.shape], dtype: 'float32' };
    if (v.kind === 'weight') return { kind: 'weight', name: v.name, shape: [...v.shape], weight: weightIndex.get(v.id) as number };
    return { kind: 'node', name: v.name, node: nodeIndex.get(v.id) as number };
  });
  const nodes: NodeDescriptor[] = g.nodes.map((n) => {
    const params: Record<string, ParamValue> = {};
    for (const [k, p] of Object.entries(n.params)) if (p !== undefined) params[k] = Array.isArray(p) ? [...p] : p;
    return { op: n.op, name: n.name, inputs: n.inputs.map((v) => v.id), params };
  });
  return {
    format: 'atrous-graph',
    version: DESCRIPTOR_VERSION,
    values,
    nodes,
    outputs: g.outputs.map((o) => ({ name: o.name, value: o.value.id })),
    weights: g.weights.map((w) => ({ name: w.name, shape: [...w.shape] })),
  };
}
