// Where the time goes in a model (default: the 257 DeepLabV3 MobileNetV2 ONNX): per-layer times (mean of
// 20 profiled runs) with each conv's kind, size and multiply-adds, grouped by kind.
//   T=1 npx tsx bench/profile.ts [model file or folder under ../shared/models]
import path from 'node:path';

import { compile } from '../lib/index';
import { importModel } from '../lib/import';
import { sharedModels } from './util';

export async function benchProfile(threads = Number(process.env.T ?? 2)): Promise<void> {
  const file = process.argv[2] ?? 'deeplabv3_mnv2_dm05_voc_257.onnx';
  const imported = await importModel(path.resolve(sharedModels(), file));
  const layers = new Map<string, { kind: string; what: string; macs: number }>();
  for (const n of imported.graph.nodeList) {
    if (n.op !== 'conv2d') continue;
    const [cout, kh, kw, cinG] = n.inputs[1]!.shape as [number, number, number, number];
    const groups = n.params.groups as number;
    const [, h, w] = n.output.shape as [number, number, number, number];
    const kind = groups > 1 ? `depthwise ${kh}x${kw}` : `conv ${kh}x${kw}`;
    layers.set(n.name, { kind, what: `${h}x${w} ${cinG * groups}->${cout}`, macs: h * w * cout * kh * kw * cinG });
  }
  const model = await compile(imported.graph, undefined, { threads });
  const [h, w] = imported.meta.inputSize;
  const input = new Float32Array(h * w * 3).map((_, i) => Math.sin(i));
  for (let i = 0; i < 5; i++) await model.run(input);
  const runs = 20;
  const perNode = new Map<string, { op: string; ms: number }>();
  for (let i = 0; i < runs; i++)
    for (const t of (await model.run(input, { profile: true })).profile ?? []) {
      const e = perNode.get(t.node) ?? { op: t.op, ms: 0 };
      e.ms += t.ms / runs;
      perNode.set(t.node, e);
    }
  // Fused MobileNetV2 blocks run as one node named '<expand> .. <project>': their multiply-adds are
  // the expand's, the project's and the 3x3 depthwise's between them.
  for (const node of perNode.keys()) {
    const [expandName, projectName] = node.split(' .. ');
    const expand = layers.get(expandName ?? ''), project = layers.get(projectName ?? '');
    if (!expand || !project) continue;
    const size = project.what.split(' ')[0]!;
    const [h, w] = size.split('x').map(Number) as [number, number];
    const [cin, expanded] = expand.what.split(' ')[1]!.split('->');
    layers.set(node, { kind: 'inverted_residual', what: `${size} ${cin}->${expanded}->${project.what.split('->')[1]}`,
      macs: expand.macs + project.macs + h * w * Number(expanded) * 9 });
  }
  const byKind = new Map<string, { ms: number; macs: number }>();
  for (const [node, { op, ms }] of perNode) {
    const layer = layers.get(node);
    const kind = layer?.kind ?? op;
    const k = byKind.get(kind) ?? { ms: 0, macs: 0 };
    k.ms += ms;
    k.macs += layer?.macs ?? 0;
    byKind.set(kind, k);
  }
  const total = [...byKind.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`per-kind time, ${file}, ${threads} thread(s), total ${total.toFixed(2)} ms:`);
  for (const [kind, { ms, macs }] of [...byKind.entries()].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`  ${kind.padEnd(18)} ${ms.toFixed(2).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %` +
      (macs ? `  ${(macs / 1e6).toFixed(0).padStart(4)} MMAC  ${((2 * macs) / (ms / 1e3) / 1e9).toFixed(0).padStart(4)} GFLOP/s` : ''));
  console.log('slowest layers:');
  for (const [node, { op, ms }] of [...perNode.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
    const l = layers.get(node);
    console.log(`  ${ms.toFixed(3).padStart(6)} ms  ${(l ? `${l.kind} ${l.what}` : op).padEnd(28)} ${node}`);
  }
  model.dispose();
}

if (require.main === module) benchProfile().catch((e) => { console.error(e); process.exit(1); });
