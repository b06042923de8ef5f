// Writes docs/zoo.md: every zoo network with its parameters and conv multiply-adds at 513×513,
// counted by zoo.stats() from the built graph.  Run: npx tsx scripts/zoo-table.ts
import fs from 'node:fs';
import path from 'node:path';

import { zoo } from '../lib/index';
import type { ZooNetwork } from '../lib/zoo/index';

const rows: [string, string, () => ZooNetwork][] = [
  ['`deeplabV1({variant: \'largefov\'})`', 'VGG-16', () => zoo.deeplabV1({ variant: 'largefov' })],
  ['`deeplabV1({variant: \'largefov-msc\'})`', 'VGG-16', () => zoo.deeplabV1({ variant: 'largefov-msc' })],
  ['`deeplabV2({backbone: \'resnet101\'})`', 'ResNet-101', () => zoo.deeplabV2({ backbone: 'resnet101' })],
  ['`deeplabV2({backbone: \'vgg16\'})`', 'VGG-16', () => zoo.deeplabV2({ backbone: 'vgg16' })],
  ['`deeplabV3({backbone: \'resnet50\', outputStride: 8, asppRates: [12, 24, 36], auxHead: true})` (torchvision)', 'ResNet-50', () => zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, asppRates: [12, 24, 36], auxHead: true })],
  ['`deeplabV3({backbone: \'resnet101\', outputStride: 8, asppRates: [12, 24, 36], auxHead: true})` (torchvision)', 'ResNet-101', () => zoo.deeplabV3({ backbone: 'resnet101', outputStride: 8, asppRates: [12, 24, 36], auxHead: true })],
  ['`deeplabV3({backbone: \'resnet50\', outputStride: 16})`', 'ResNet-50', () => zoo.deeplabV3({ backbone: 'resnet50', outputStride: 16 })],
  ['`deeplabV3({backbone: \'resnet101\', outputStride: 16})`', 'ResNet-101', () => zoo.deeplabV3({ backbone: 'resnet101', outputStride: 16 })],
  ['`deeplabV3({backbone: \'resnet101\', outputStride: 8})`', 'ResNet-101', () => zoo.deeplabV3({ backbone: 'resnet101', outputStride: 8 })],
  ['`deeplabV3({backbone: \'mobilenetv2\', outputStride: 8})`', 'MobileNetV2', () => zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8 })],
  ['`deeplabV3({backbone: \'mobilenetv2\', outputStride: 16})`', 'MobileNetV2', () => zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16 })],
  ['`deeplabV3({backbone: \'mobilenetv2\', outputStride: 8, depthMultiplier: 0.5})`', 'MobileNetV2 ×0.5', () => zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, depthMultiplier: 0.5 })],
  ['`deeplabV3Plus({backbone: \'xception65\', outputStride: 16})`', 'Aligned Xception-65', () => zoo.deeplabV3Plus({ backbone: 'xception65', outputStride: 16 })],
  ['`deeplabV3Plus({backbone: \'xception65\', outputStride: 8})`', 'Aligned Xception-65', () => zoo.deeplabV3Plus({ backbone: 'xception65', outputStride: 8 })],
  ['`deeplabV3Plus({backbone: \'resnet101\', outputStride: 16})`', 'ResNet-101', () => zoo.deeplabV3Plus({ backbone: 'resnet101', outputStride: 16 })],
  ['`deeplabV3Plus({backbone: \'mobilenetv2\', outputStride: 16})`', 'MobileNetV2', () => zoo.deeplabV3Plus({ backbone: 'mobilenetv2', outputStride: 16 })],
];

const fmt = (n: number) => n.toLocaleString('en-US');
const lines = [
  '# The DeepLab zoo',
  '',
  'Every network of the DeepLab papers, built from TypeScript with `zoo.*` (see `lib/zoo/`). Defaults:',
  '21 classes, 513×513 input. **Params** = learnable parameters (BatchNorm running statistics excluded, as',
  'torchvision counts them); **MAdds** = multiply-adds of all convolutions for one 513×513 image. Both are',
  'computed by `zoo.stats(net.graph)` from the built graph (regenerate: `npx tsx scripts/zoo-table.ts`).',
  '**Output stride** = encoder output stride; v3+ decodes to stride 4 before the final upsampling.',
  '',
  '| network | backbone | params | MAdds at 513² | output stride |',
  '|---|---|---:|---:|---:|',
];
for (const [call, backbone, build] of rows) {
  const net = build();
  const s = net.stats();
  const os = net.scoresStride !== net.outputStride ? `${net.outputStride} (decoder 4)` : `${net.outputStride}`;
  lines.push(`| ${call} | ${backbone} | ${fmt(s.params)} | ${(s.madds / 1e9).toFixed(1)} G | ${os} |`);
}
lines.push('', '## Weights by name', '',
  'Native weight names are torchvision-like (`backbone.layer1.0.conv1.weight`, BN `….running_var`), convs OHWI.',
  '`net.loadWeights(source, {map})` takes a safetensors path or bytes, or a `Map`/object of `{shape, data}`',
  '(e.g. tensors from an importer); every missing, unexpected or mis-shaped key is listed in one error and',
  'nothing is changed. `net.saveWeights()` returns a safetensors file with the native names.',
  '',
  '- `zoo.torchvisionKeys`: torchvision `deeplabv3_resnet50/101` state_dicts (OIHW; `num_batches_tracked` skipped).',
  '  For torchvision\'s exact dilations pass `block4Rates: [2, 4, 4]` (its layer4 pattern at output stride 8).',
  '- `zoo.tfMobileNetV2Keys({layout, asppBranches, decoder})`: TF DeepLab MobileNetV2 names, from checkpoints',
  '  (`gamma/beta/moving_*`), frozen graphs with folded BN (TF.js `Conv2D/merged_input` + `FusedBatchNorm/Offset`),',
  '  TF Lite (`weights` + `Conv2D_bias`) and tf2onnx exports; `layout` is `\'tf\'` (HWIO), `\'tflite\'` (OHWI) or `\'onnx\'` (OIHW).',
  '',
  '## Checked against',
  '',
  '- torchvision\'s published parameter counts: `deeplabv3_resnet50` 42,004,074 and `deeplabv3_resnet101` 60,996,202',
  '  (test/zoo-weights.test.ts; a synthetic state_dict with torchvision\'s keys and shapes loads with nothing missing).',
  '- The real TF DeepLab MobileNetV2 models (test/zoo-imported.test.ts, test/zoo-real.test.ts): the zoo network loaded',
  '  with the TF.js model\'s weights gives its 65×65 logits within 2e-5; with the dm0.5 257 TF Lite weights, the same',
  '  logits; with the ADE20K v3+ (uint8) weights, 99.8% of the labels on a real ADE20K image; and against onnxruntime',
  '  running the tf2onnx export of the dm0.5 model, within 3e-5.',
  '- onnxruntime for one ASPP v3 block and one v3+ decoder (test/zoo-onnx.test.ts), and the TF Lite files\' conv counts,',
  '  atrous rates and widths for the graph structure (test/zoo-graph.test.ts).',
  '',
  '```ts',
  "import { zoo } from 'atrous';",
  '',
  "const net = zoo.deeplabV3({ backbone: 'resnet101', outputStride: 8, asppRates: [12, 24, 36], auxHead: true, block4Rates: [2, 4, 4] });",
  "net.loadWeights('deeplabv3_resnet101.safetensors', { map: zoo.torchvisionKeys });",
  'const model = await net.compile();',
  'const { logits } = await model.run(imageNhwc); // Float32Array [1, 513, 513, 3], normalized as the weights expect',
  '```', '');
const out = path.join(__dirname, '..', 'docs', 'zoo.md');
fs.writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
