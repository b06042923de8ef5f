// Weights by name: torchvision parameter counts and state_dict keys, the TF MobileNetV2 map against
// the real TF.js model's weight manifest, save/load round trips and load errors.
import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { isAtrousError, readSafetensors, writeSafetensors, zoo } from '../lib/index';
import type { NamedTensor } from '../lib/index';
import { sharedPath } from './helpers/data';
import { seededRandom } from './helpers/onnx-writer';

/**
 * torchvision's deeplabv3_resnet{50,101}(aux_loss=True) state_dict, written out here from
 * torchvision's module structure (IntermediateLayerGetter backbone, DeepLabHead, FCNHead), OIHW.
 */
function torchvisionStateDict(depth: 50 | 101, numClasses = 21): Map<string, number[]> {
  const keys = new Map<string, number[]>();
  const bn = (p: string, c: number) => {
    for (const s of ['weight', 'bias', 'running_mean', 'running_var']) keys.set(`${p}.${s}`, [c]);
    keys.set(`${p}.num_batches_tracked`, []);
  };
  keys.set('backbone.conv1.weight', [64, 3, 7, 7]);
  bn('backbone.bn1', 64);
  let inC = 64;
  const blocks = depth === 50 ? [3, 4, 6, 3] : [3, 4, 23, 3];
  blocks.forEach((n, li) => {
    const planes = 64 * 2 ** li;
    for (let j = 0; j < n; j++) {
      const p = `backbone.layer${li + 1}.${j}`;
      keys.set(`${p}.conv1.weight`, [planes, inC, 1, 1]); bn(`${p}.bn1`, planes);
      keys.set(`${p}.conv2.weight`, [planes, planes, 3, 3]); bn(`${p}.bn2`, planes);
      keys.set(`${p}.conv3.weight`, [planes * 4, planes, 1, 1]); bn(`${p}.bn3`, planes * 4);
      if (j === 0) { keys.set(`${p}.downsample.0.weight`, [planes * 4, inC, 1, 1]); bn(`${p}.downsample.1`, planes * 4); }
      inC = planes * 4;
    }
  });
  keys.set('classifier.0.convs.0.0.weight', [256, 2048, 1, 1]); bn('classifier.0.convs.0.1', 256);
  for (const i of [1, 2, 3]) { keys.set(`classifier.0.convs.${i}.0.weight`, [256, 2048, 3, 3]); bn(`classifier.0.convs.${i}.1`, 256); }
  keys.set('classifier.0.convs.4.1.weight', [256, 2048, 1, 1]); bn('classifier.0.convs.4.2', 256);
  keys.set('classifier.0.project.0.weight', [256, 1280, 1, 1]); bn('classifier.0.project.1', 256);
  keys.set('classifier.1.weight', [256, 256, 3, 3]); bn('classifier.2', 256);
  keys.set('classifier.4.weight', [numClasses, 256, 1, 1]); keys.set('classifier.4.bias', [numClasses]);
  keys.set('aux_classifier.0.weight', [256, 1024, 3, 3]); bn('aux_classifier.1', 256);
  keys.set('aux_classifier.4.weight', [numClasses, 256, 1, 1]); keys.set('aux_classifier.4.bias', [numClasses]);
  return keys;
}

function tensors(shapes: Map<string, number[]>, seed: number): Map<string, NamedTensor> {
  let i = 0;
  return new Map([...shapes].map(([k, s]) => [k, { shape: s, data: seededRandom(s.reduce((a, b) => a * b, 1), seed + i++) }]));
}

function loadError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    assert.ok(isAtrousError(e, 'INVALID_ARGUMENT'), String(e));
    return e as Error;
  }
  assert.unreachable('expected loadWeights to fail');
  throw new Error('unreachable');
}

test('torchvision-compatible DeepLabV3 has torchvision\'s published parameter counts', () => {
  const opts = { outputStride: 8, asppRates: [12, 24, 36], auxHead: true } as const;
  assert.is(zoo.deeplabV3({ backbone: 'resnet50', ...opts }).paramCount(), 42_004_074);
  assert.is(zoo.deeplabV3({ backbone: 'resnet101', ...opts }).paramCount(), 60_996_202);
  // Independent count: sum of numel over the state_dict minus BN buffers (running stats, num_batches_tracked).
  for (const depth of [50, 101] as const) {
    let n = 0;
    for (const [k, s] of torchvisionStateDict(depth)) if (!/running_|num_batches/.test(k)) n += s.reduce((a, b) => a * b, 1);
    assert.is(zoo.deeplabV3({ backbone: `resnet${depth}`, ...opts }).paramCount(), n);
  }
});

test('a safetensors file with torchvision keys and shapes loads with nothing missing or unexpected', () => {
  const shapes = torchvisionStateDict(50);
  const file = writeSafetensors(tensors(shapes, 11));
  const net = zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, asppRates: [12, 24, 36], auxHead: true, inputSize: [65, 65] });
  net.loadWeights(file, { map: zoo.torchvisionKeys });
  assert.ok(net.ready);
  // OIHW → OHWI: element [o, i, h, w] of the torch tensor lands at [o, h, w, i].
  const src = readSafetensors(file).get('backbone.layer1.0.conv2.weight')!;
  const saved = readSafetensors(net.saveWeights()).get('backbone.layer1.0.conv2.weight')!;
  assert.equal(saved.shape, [64, 3, 3, 64]);
  for (const [o, i, h, w] of [[0, 0, 0, 0], [5, 17, 2, 1], [63, 63, 2, 2], [31, 2, 1, 0]] as const)
    assert.is(saved.data[((o * 3 + h) * 3 + w) * 64 + i], src.data[((o * 64 + i) * 3 + h) * 3 + w]);
});

test('missing, unexpected and mis-shaped keys are reported together in one error', () => {
  const shapes = torchvisionStateDict(50);
  shapes.delete('backbone.layer2.1.conv1.weight');
  shapes.delete('classifier.4.bias');
  shapes.set('backbone.fc.weight', [1000, 2048]);
  shapes.set('backbone.layer3.0.conv1.weight', [256, 512, 3, 3]);
  const net = zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, auxHead: true, inputSize: [65, 65] });
  const e = loadError(() => net.loadWeights(writeSafetensors(tensors(shapes, 3)), { map: zoo.torchvisionKeys }));
  assert.match(e.message, /missing \(2\): .*backbone\.layer2\.1\.conv1\.weight/);
  assert.match(e.message, /classifier\.4\.bias/);
  assert.match(e.message, /unexpected \(1\): backbone\.fc\.weight/);
  assert.match(e.message, /mis-shaped \(1\): backbone\.layer3\.0\.conv1\.weight \[256, 512, 3, 3\] \(expected \[256, 1, 1, 512\]/);
  assert.not.ok(net.ready, 'a failed load changes nothing');
  const bad = zoo.deeplabV3({ backbone: 'mobilenetv2', inputSize: [33, 33] });
  const e2 = loadError(() => bad.loadWeights({ 'backbone.features.0.0.weight': { shape: [32, 3, 3, 3], data: [1, 2] as never } }, { allowMissing: true }));
  assert.match(e2.message, /not a \{shape, data: Float32Array\} tensor/);
  // allowUnexpected / allowMissing relax the check; mis-shaped keys still fail.
  shapes.delete('backbone.layer3.0.conv1.weight');
  const relaxed = zoo.deeplabV3({ backbone: 'resnet50', outputStride: 8, auxHead: true, inputSize: [65, 65] }).initRandom(1);
  relaxed.loadWeights(writeSafetensors(tensors(shapes, 3)), { map: zoo.torchvisionKeys, allowUnexpected: true, allowMissing: true });
  assert.ok(relaxed.ready);
});

test('saveWeights → loadWeights round trip (native names) reproduces the same logits', async () => {
  const a = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16, inputSize: [33, 33] }).initRandom(5);
  const b = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16, inputSize: [33, 33] }).loadWeights(a.saveWeights());
  const x = seededRandom(33 * 33 * 3, 9);
  const [ra, rb] = await Promise.all([(await a.compile()).run(x), (await b.compile()).run(x)]);
  assert.equal([...ra.logits!.data], [...rb.logits!.data]);
  const c = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 16, inputSize: [33, 33] });
  await c.compile().then(() => assert.unreachable(), (e) => assert.ok(isAtrousError(e, 'INVALID_ARGUMENT') && /initRandom/.test(e.message)));
});

test('TF MobileNetV2 key map covers every weight of the real TF.js DeepLabV3 model (names and shapes from its manifest)', () => {
  const manifest = JSON.parse(fs.readFileSync(sharedPath('models', 'deeplabv3_mnv2_voc_trainval_513_tfjs', 'model.json'), 'utf8'));
  const source = new Map<string, NamedTensor>();
  for (const w of manifest.weightsManifest[0].weights as { name: string; shape: number[] }[])
    source.set(w.name, { shape: w.shape, data: seededRandom(w.shape.reduce((a, b) => a * b, 1), source.size + 1) });
  const net = zoo.deeplabV3({ backbone: 'mobilenetv2', outputStride: 8, inputSize: [65, 65] });
  net.loadWeights(source, { map: zoo.tfMobileNetV2Keys() }); // strict: no missing, unexpected or mis-shaped key
  const saved = readSafetensors(net.saveWeights());
  // HWIO → OHWI for a dense conv, HWCM → [C, H, W, 1] for a depthwise one.
  const conv = source.get('MobilenetV2/Conv/Conv2D/merged_input')!; // [3, 3, 3, 32]
  const ours = saved.get('backbone.features.0.0.weight')!;
  assert.equal(ours.shape, [32, 3, 3, 3]);
  for (const [o, h, w, i] of [[0, 0, 0, 0], [31, 2, 1, 2], [7, 1, 2, 0]] as const)
    assert.is(ours.data[((o * 3 + h) * 3 + w) * 3 + i], conv.data[((h * 3 + w) * 3 + i) * 32 + o]);
  const dw = source.get('MobilenetV2/expanded_conv_3/depthwise/depthwise_weights')!; // [3, 3, 144, 1]
  const ourDw = saved.get('backbone.features.4.conv.1.0.weight')!;
  assert.equal(ourDw.shape, [144, 3, 3, 1]);
  for (const [c, h, w] of [[0, 0, 0], [143, 2, 2], [77, 1, 0]] as const)
    assert.is(ourDw.data[(c * 3 + h) * 3 + w], dw.data[(h * 3 + w) * 144 + c]);
  // Folded BN: Offset becomes beta, Scaled gamma, and the statistics are the identity.
  assert.equal([...saved.get('backbone.features.4.conv.1.1.weight')!.data], [...source.get('MobilenetV2/expanded_conv_3/depthwise/BatchNorm/FusedBatchNorm/Scaled')!.data]);
  assert.equal([...saved.get('backbone.features.4.conv.0.1.weight')!.data], new Array(144).fill(1));
  assert.equal([...saved.get('backbone.features.4.conv.0.1.running_mean')!.data], new Array(144).fill(0));
  assert.equal([...saved.get('classifier.1.bias')!.data], [...source.get('logits/semantic/biases')!.data]);
});

test('TF MobileNetV2 key map: checkpoint names (gamma/beta/moving_*) and unknown names in known scopes', () => {
  const net = zoo.deeplabV3Plus({ backbone: 'mobilenetv2', outputStride: 16, inputSize: [65, 65] });
  const map = zoo.tfMobileNetV2Keys({ decoder: true });
  assert.is(map.target('MobilenetV2/expanded_conv_16/project/BatchNorm/moving_variance'), 'backbone.features.17.conv.3.running_var');
  assert.is(map.target('decoder/decoder_conv1_pointwise/BatchNorm/gamma'), 'decoder.conv2.pointwise_bn.weight');
  assert.is(map.target('decoder/feature_projection0/weights'), 'decoder.project.0.weight');
  assert.is(map.target('logits/semantic/weights'), 'decoder.classifier.weight');
  assert.is(map.target('image_pooling/BatchNorm/beta'), 'classifier.0.convs.1.2.bias');
  assert.is(map.target('global_step'), null);
  // TF Lite tensor names (as they appear in deeplabv3_mnv2_dm05_voc_257.tflite and the ADE20K v3+ model).
  assert.is(map.target('MobilenetV2/expanded_conv/depthwise/depthwise_bias'), 'backbone.features.1.conv.0.1.bias');
  assert.is(map.target('MobilenetV2/expanded_conv/project/Conv2D_bias'), 'backbone.features.1.conv.2.bias');
  assert.is(map.target('decoder/decoder_conv0_depthwise/depthwise_Fold_bias'), 'decoder.conv1.depthwise_bn.bias');
  assert.is(map.target('image_pooling/weights_quant/FakeQuantWithMinMaxVars'), 'classifier.0.convs.1.1.weight');
  assert.is(map.target('logits/semantic/Conv2D_bias'), 'decoder.classifier.bias');
  assert.is(map.target('MobilenetV2/Conv/BatchNorm/unknown'), undefined);
  for (const name of [...net.weightNames()].filter((n) => n.startsWith('decoder.')))
    assert.ok(/^decoder\.(project\.[01]|conv[12]\.(depthwise|pointwise)(_bn)?|classifier)\./.test(name), name);
});

test.run();
