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
lines.push('', 'Weights load by name from safetensors (`net.loadWeights(file, {map})`): native names are torchvision-like',
  '(`backbone.layer1.0.conv1.weight`, convs OHWI); `zoo.torchvisionKeys` reads torchvision `deeplabv3_resnet50/101`',
  'state_dicts (OIHW), `zoo.tfMobileNetV2Keys()` reads TF DeepLab MobileNetV2 variable names (checkpoints or frozen',
  'graphs with folded BatchNorm).', '');
const out = path.join(__dirname, '..', 'docs', 'zoo.md');
fs.writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
