// Receptive-field settings read back from the built graphs: strides, atrous rates, channel counts,
// against the papers and against facts read from the real TF Lite models (models/MANIFEST.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Graph, isAtrousError, zoo } from '../lib/index';

type Conv = { name: string; stride: number; rate: number; kernel: number; out: number; depthwise: boolean };

function convs(g: Graph): Conv[] {
  return g.nodeList.filter((n) => n.op === 'conv2d').map((n) => {
    const w = n.inputs[1]!.shape;
    return {
      name: n.name, stride: (n.params.strides as number[])[0]!, rate: (n.params.dilations as number[])[0]!,
      kernel: w[1]!, out: w[0]!, depthwise: (n.params.groups as number) > 1 && (n.params.groups as number) === n.inputs[0]!.channels,
    };
  });
}
const conv = (g: Graph, name: string): Conv => {
  const c = convs(g).find((x) => x.name === name);
  if (!c) throw new Error(`no conv ${name}`);
  return c;
};
const rates = (g: Graph, re: RegExp) => convs(g).filter((c) => re.test(c.name)).map((c) => c.rate);
const small = { inputSize: [65, 65] as [number, number] };

test('DeepLabV3 ResNet: block4 unit rates = multiGrid × base rate; layer3 dilated at stride 8', () => {
  const os16 = zoo.deeplabV3({ backbone: 'resnet101', outputStride: 16, multiGrid: [1, 2, 4], ...small });
  assert.equal(rates(os16.graph, /^backbone\.layer4\.\d\.conv2$/), [2, 4, 8]);
  assert.is(conv(os16.graph, 'backbone.layer3.0.conv2').stride, 2);
  assert.is(conv(os16.graph, 'backbone.layer4.0.conv2').stride, 1);
  assert.is(conv(os16.graph, 'backbone.layer4.0.downsample.0').stride, 1);
  assert.equal(rates(os16.graph, /^classifier\.0\.convs\.[123]\.0$/), [6, 12, 18]);
  const os8 = zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, multiGrid: [1, 2, 1], ...small });
  assert.equal(rates(os8.graph, /^backbone\.layer4\.\d\.conv2$/), [4, 8, 4]);
  assert.equal(rates(os8.graph, /^backbone\.layer3\.\d\.conv2$/), [1, 2, 2, 2, 2, 2]); // the unit that gives up its stride keeps rate 1
  assert.is(conv(os8.graph, 'backbone.layer3.0.conv2').stride, 1);
  assert.equal(rates(os8.graph, /^classifier\.0\.convs\.[123]\.0$/), [12, 24, 36]);
  // torchvision's dilation pattern (the unit giving up its stride keeps the previous rate) on request.
  const tv = zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, block4Rates: [2, 4, 4], ...small });
  assert.equal(rates(tv.graph, /^backbone\.layer4\.\d\.conv2$/), [2, 4, 4]);
  assert.equal(os8.scores.shape, [1, 9, 9, 21]);
  assert.equal(os16.scores.shape, [1, 5, 5, 21]);
  assert.is(os8.outputStride, 8);
  // ASPP v3: four 256-ch branches + image pooling, concatenated (1280), projected to 256.
  const cat = os8.graph.nodeList.find((n) => n.name === 'classifier.0.concat')!;
  assert.is(cat.output.channels, 1280);
  assert.ok(os8.graph.nodeList.some((n) => n.op === 'global_avg_pool'));
});

test('DeepLab v2: ResNet-101 layer3 rate 2, layer4 rate 4, ASPP v2 at 6/12/18/24 summed', () => {
  const net = zoo.deeplabV2({ backbone: 'resnet101', ...small });
  assert.ok(rates(net.graph, /^backbone\.layer3\.([1-9]|\d\d)\.conv2$/).every((r) => r === 2));
  assert.equal(rates(net.graph, /^backbone\.layer4\.\d\.conv2$/), [4, 4, 4]);
  const aspp = convs(net.graph).filter((c) => c.name.startsWith('classifier.convs.'));
  assert.equal(aspp.map((c) => [c.rate, c.kernel, c.out]), [[6, 3, 21], [12, 3, 21], [18, 3, 21], [24, 3, 21]]);
  assert.is(net.graph.nodeList.filter((n) => n.op === 'add' && n.name.startsWith('classifier.sum')).length, 3);
  const vgg = zoo.deeplabV2({ backbone: 'vgg16', ...small });
  assert.equal(rates(vgg.graph, /^classifier\.branches\.\d\.fc6$/), [6, 12, 18, 24]);
  assert.equal(vgg.scores.shape, [1, 9, 9, 21]);
});

test('DeepLab v1 LargeFOV: pools 3×3/2/1 then stride 1 at pool4/5, conv5 at dilation 2, fc6 3×3 dilation 12', () => {
  const net = zoo.deeplabV1({ variant: 'largefov', numClasses: 5, ...small });
  const pools = net.graph.nodeList.filter((n) => n.op === 'max_pool2d');
  assert.equal(pools.map((p) => (p.params.strides as number[])[0]), [2, 2, 2, 1, 1]);
  assert.ok(pools.every((p) => (p.params.kernel as number[])[0] === 3 && (p.params.pads as number[]).every((d) => d === 1)));
  assert.equal(rates(net.graph, /^backbone\.conv5_\d$/), [2, 2, 2]);
  assert.equal(rates(net.graph, /^backbone\.conv[1-4]_\d$/), new Array(10).fill(1));
  const fc6 = conv(net.graph, 'classifier.fc6');
  assert.equal([fc6.kernel, fc6.rate, fc6.out], [3, 12, 1024]);
  assert.equal([conv(net.graph, 'classifier.fc7').kernel, conv(net.graph, 'classifier.fc7').out], [1, 1024]);
  assert.equal(net.scores.shape, [1, 9, 9, 5]);
  const msc = zoo.deeplabV1({ variant: 'largefov-msc', ...small });
  assert.equal(convs(msc.graph).filter((c) => /^msc\.\d\.conv1$/.test(c.name)).map((c) => [c.kernel, c.out, c.stride]), [[3, 128, 8], [3, 128, 4], [3, 128, 2], [3, 128, 1], [3, 128, 1]]);
  assert.ok(convs(msc.graph).filter((c) => /^msc\.\d\.conv2$/.test(c.name)).every((c) => c.kernel === 1 && c.out === 128));
  assert.is(msc.graph.nodeList.find((n) => n.name === 'msc.concat')!.output.channels, 1024 + 640);
});

test('MobileNetV2 matches the shipped TF Lite DeepLab models: conv counts, atrous depthwise rates, widths', () => {
  // deeplabv3_mnv2_dm05_voc_257.tflite: OS 8, CONV_2D 38, DEPTHWISE 17 = 5 plain s1, 2 s2, 7 rate 2, 3 rate 4;
  // first conv 16 ch, expanded_conv project 8 ch, last block 160 ch.
  const dm05 = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, depthMultiplier: 0.5, inputSize: [257, 257] });
  const c = convs(dm05.graph), dw = c.filter((x) => x.depthwise);
  assert.is(c.length - dw.length, 38);
  assert.equal([dw.filter((x) => x.stride === 1 && x.rate === 1).length, dw.filter((x) => x.stride === 2).length,
    dw.filter((x) => x.rate === 2).length, dw.filter((x) => x.rate === 4).length], [5, 2, 7, 3]);
  assert.is(conv(dm05.graph, 'backbone.features.0.0').out, 16);
  assert.is(conv(dm05.graph, 'backbone.features.1.conv.1').out, 8);
  assert.is(conv(dm05.graph, 'backbone.features.17.conv.2').out, 160);
  // At dm 0.5 TF DeepLab rounds widths to integers, not to multiples of 8 (the real model: 12-ch projects, 72-ch expansions).
  assert.equal([2, 3, 4].map((i) => conv(dm05.graph, `backbone.features.${i}.conv.2`).out), [12, 12, 16]);
  assert.equal([2, 3].map((i) => conv(dm05.graph, `backbone.features.${i}.conv.0.0`).out), [48, 72]);
  assert.equal(dm05.scores.shape, [1, 33, 33, 21]);
  // deeplabv3_mnv2_voc_513_uint8.tflite: OS 16, DEPTHWISE 11 plain s1, 3 s2, 3 rate 2; last block 320.
  const os16 = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16 });
  const dw16 = convs(os16.graph).filter((x) => x.depthwise);
  assert.equal([dw16.filter((x) => x.stride === 1 && x.rate === 1).length, dw16.filter((x) => x.stride === 2).length, dw16.filter((x) => x.rate === 2).length], [11, 3, 3]);
  assert.is(conv(os16.graph, 'backbone.features.17.conv.2').out, 320);
  assert.equal(os16.scores.shape, [1, 33, 33, 21]);
  // deeplabv3plus_mnv2_ade20k32_512: CONV_2D 41, DEPTHWISE 19; decoder concat 304 ch at 128×128; 32 classes.
  const plus = zoo.deeplabV3Plus({ backbone: 'mobilenetv2', outputStride: 16, numClasses: 32, inputSize: [512, 512] });
  const cp = convs(plus.graph);
  assert.equal([cp.filter((x) => !x.depthwise).length, cp.filter((x) => x.depthwise).length], [41, 19]);
  assert.equal(plus.graph.nodeList.find((n) => n.name === 'decoder.concat')!.output.shape, [1, 128, 128, 304]);
  assert.equal(plus.scores.shape, [1, 128, 128, 32]);
});

test('Aligned Xception-65: strided separable convs (no max pool), 16 middle blocks, exit-flow rates by output stride', () => {
  const os16 = zoo.deeplabV3Plus({ backbone: 'xception65', outputStride: 16, ...small });
  const g = os16.graph;
  assert.not.ok(g.nodeList.some((n) => n.op === 'max_pool2d'));
  assert.equal([1, 2, 3].map((i) => conv(g, `backbone.entry_flow.block${i}.sepconv3.depthwise`).stride), [2, 2, 2]);
  assert.is(new Set(convs(g).filter((x) => x.name.startsWith('backbone.middle_flow.')).map((x) => x.name.split('.')[2])).size, 16);
  assert.equal([conv(g, 'backbone.exit_flow.block1.sepconv3.depthwise').stride, conv(g, 'backbone.exit_flow.block1.sepconv3.depthwise').rate], [1, 1]);
  assert.equal(rates(g, /^backbone\.exit_flow\.block2\.sepconv\d\.depthwise$/), [2, 2, 2]);
  assert.equal(rates(g, /^classifier\.0\.convs\.[123]\.depthwise$/), [6, 12, 18]);
  const os8 = zoo.deeplabV3Plus({ backbone: 'xception65', outputStride: 8, multiGrid: [1, 2, 4], ...small });
  assert.equal(conv(os8.graph, 'backbone.entry_flow.block3.sepconv3.depthwise').stride, 1);
  assert.ok(rates(os8.graph, /^backbone\.middle_flow\./).every((r) => r === 1 || r === 2)); // pointwise 1, depthwise 2
  assert.equal(rates(os8.graph, /^backbone\.middle_flow\.block\d+\.sepconv\d\.depthwise$/), new Array(48).fill(2));
  assert.equal(rates(os8.graph, /^backbone\.exit_flow\.block2\.sepconv\d\.depthwise$/), [4, 8, 16]);
  assert.equal(rates(os8.graph, /^classifier\.0\.convs\.[123]\.depthwise$/), [12, 24, 36]);
  // Decoder: low-level features are entry block2's second separable conv (stride 4, 256 ch) → 48 ch.
  assert.equal(conv(g, 'decoder.project.0').out, 48);
  assert.equal(g.nodeList.find((n) => n.name === 'decoder.concat')!.output.shape, [1, 17, 17, 304]);
  assert.equal(os16.scores.shape, [1, 17, 17, 21]);
  assert.equal(os16.output.shape, [1, 65, 65, 21]);
  assert.is(os16.outputStride, 16);
  assert.is(os16.scoresStride, 4);
  // Non-separable variant: dense 3×3 ASPP branches and decoder convs.
  const dense = zoo.deeplabV3Plus({ backbone: 'resnet101', outputStride: 16, ...small });
  assert.equal([conv(dense.graph, 'decoder.conv1.0').kernel, conv(dense.graph, 'decoder.conv1.0').out], [3, 256]);
  assert.equal(dense.graph.nodeList.find((n) => n.name === 'decoder.concat')!.output.channels, 304);
});

test('stats(): conv multiply-adds and parameters counted from the graph', () => {
  const g = new Graph();
  const b = new zoo.ZooBuilder(g, zoo.TF_STYLE);
  const x = g.input('x', [1, 9, 10, 4]);
  const y = zoo.convBnRelu(b, x, { name: 'c', out: 8, kernel: 3, rate: 2 });
  const z = zoo.conv(b, y, { name: 'd', out: 8, kernel: 3, stride: 2, groups: 'depthwise', bias: true });
  g.output('z', z);
  const s = zoo.stats(g);
  assert.is(s.madds, 9 * 10 * 8 * (3 * 3 * 4) + 5 * 5 * 8 * (3 * 3 * 1));
  assert.is(s.params, 8 * 3 * 3 * 4 + 2 * 8 + 8 * 3 * 3 + 8);
  assert.is(s.buffers, 2 * 8);
  assert.is(s.convs, 2);
});

test('options are validated with INVALID_ARGUMENT', () => {
  const bad: (() => unknown)[] = [
    () => zoo.deeplabV3({ backbone: 'vgg16' as never }),
    () => zoo.deeplabV3({ outputStride: 32 as never }),
    () => zoo.deeplabV3({ backbone: 'resnet50', depthMultiplier: 0.5 }),
    () => zoo.deeplabV3({ backbone: 'mobilenetv2', auxHead: true }),
    () => zoo.deeplabV3({ multiGrid: [1, 2] as never }),
    () => zoo.deeplabV3({ asppRates: [0, 6] }),
    () => zoo.deeplabV3({ block4Rates: [2, 4] as never }),
    () => zoo.deeplabV3({ backbone: 'mobilenetv2', block4Rates: [2, 4, 4] }),
    () => zoo.deeplabV3({ numClasses: 0 }),
    () => zoo.deeplabV3({ inputSize: [513] as never }),
    () => zoo.deeplabV3Plus({ separable: 'yes' as never }),
    () => zoo.deeplabV3Plus({ backbone: 'mobilenetv2', depthMultiplier: -1 }),
    () => zoo.deeplabV1({ variant: 'msc' as never }),
    () => zoo.deeplabV2({ backbone: 'resnet50' as never }),
    () => zoo.deeplabV2(null as never),
  ];
  for (const fn of bad) {
    try {
      fn();
      assert.unreachable(`accepted: ${fn.toString()}`);
    } catch (e) {
      assert.ok(isAtrousError(e, 'INVALID_ARGUMENT'), `${fn.toString()}: ${String(e)}`);
    }
  }
});

test.run();
