// Test oracle: translates an atrous Graph (the ops the zoo uses) into an ONNX model, op by op in
// ONNX's own terms (NCHW, OIHW), so onnxruntime can run the same network independently.
import { Graph } from '../../lib/graph/builder';
import { OnnxModelSpec, OnnxNodeSpec, ohwiToOihw, writeOnnx } from './onnx-writer';

export function graphToOnnx(g: Graph, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const nodes: OnnxNodeSpec[] = [];
  const initializers: OnnxModelSpec['initializers'] = [];
  const names = (id: number) => `v${id}`;
  for (const w of g.weights) {
    const data = weights.get(w.name);
    if (!data) throw new Error(`no data for ${w.name}`);
    const isConvWeight = w.shape.length === 4;
    initializers.push({ name: names(w.value.id), shape: isConvWeight ? [w.shape[0], w.shape[3], w.shape[1], w.shape[2]] as number[] : [data.length], data: isConvWeight ? ohwiToOihw(data, w.shape) : data });
  }
  let k = 0;
  const activation = (a: unknown, x: string, out: string) => {
    if (a === 'relu') nodes.push({ op: 'Relu', inputs: [x], outputs: [out] });
    else if (a === 'relu6') nodes.push({ op: 'Clip', inputs: [x, const1(0), const1(6)], outputs: [out] });
    else nodes.push({ op: 'Identity', inputs: [x], outputs: [out] });
  };
  const const1 = (v: number) => {
    const name = `c${k++}`;
    initializers.push({ name, shape: [], data: new Float32Array([v]) });
    return name;
  };
  for (const n of g.nodeList) {
    const ins = n.inputs.map((v) => names(v.id));
    const out = names(n.output.id), p = n.params;
    switch (n.op) {
      case 'conv2d': {
        const attrs: Record<string, number[] | number | string> = { strides: p.strides as number[], dilations: p.dilations as number[], group: p.groups as number };
        const w = n.inputs[1]!.shape;
        if (p.padding === 'same') {
          // TF SAME written out (onnxruntime's auto_pad rejects dilation): extra padding goes bottom/right.
          const [, ih, iw] = n.inputs[0]!.shape as number[];
          const [, oh, ow] = n.output.shape as number[];
          const [sh, sw] = p.strides as number[], [dh, dw] = p.dilations as number[];
          const th = Math.max((oh! - 1) * sh! + (w[1]! - 1) * dh! + 1 - ih!, 0), tw = Math.max((ow! - 1) * sw! + (w[2]! - 1) * dw! + 1 - iw!, 0);
          attrs.pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
        } else if (p.padding === 'explicit') { const [t, b, l, r] = p.pads as number[]; attrs.pads = [t!, l!, b!, r!]; }
        attrs.kernel_shape = [w[1]!, w[2]!];
        nodes.push({ op: 'Conv', inputs: ins, outputs: [`${out}_pre`], attrs });
        activation(p.activation, `${out}_pre`, out);
        break;
      }
      case 'batch_norm':
        nodes.push({ op: 'BatchNormalization', inputs: ins, outputs: [out], attrs: { epsilon: { float: p.epsilon as number } } });
        break;
      case 'clip':
        activation(p.max === 6 ? 'relu6' : 'relu', ins[0]!, out);
        break;
      case 'add':
        nodes.push({ op: 'Add', inputs: ins, outputs: [`${out}_pre`] });
        activation(p.activation, `${out}_pre`, out);
        break;
      case 'concat':
        nodes.push({ op: 'Concat', inputs: ins, outputs: [out], attrs: { axis: 1 } });
        break;
      case 'global_avg_pool':
        nodes.push({ op: 'GlobalAveragePool', inputs: ins, outputs: [out] });
        break;
      case 'resize_bilinear': {
        const [nb, h, w, c] = n.output.shape as number[];
        const sizes = `c${k++}`;
        initializers.push({ name: sizes, shape: [4], data: BigInt64Array.from([nb!, c!, h!, w!].map(BigInt)) });
        nodes.push({ op: 'Resize', inputs: [ins[0]!, '', '', sizes], outputs: [out], attrs: { mode: 'linear', coordinate_transformation_mode: p.coordinateMode as string } });
        break;
      }
      default:
        throw new Error(`graphToOnnx: op ${n.op} not handled`);
    }
  }
  const nchw = (s: readonly number[]) => [s[0]!, s[3]!, s[1]!, s[2]!];
  return writeOnnx({
    inputs: g.inputs.map((v) => ({ name: v.name, shape: nchw(v.shape) })),
    outputs: g.outputs.map((o) => ({ name: names(o.value.id), shape: nchw(o.value.shape) })),
    initializers,
    nodes: [...g.inputs.map((v): OnnxNodeSpec => ({ op: 'Identity', inputs: [v.name], outputs: [names(v.id)] })), ...nodes],
  });
}
