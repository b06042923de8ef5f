// The 257 ONNX DeepLab run by onnxruntime-node inside atrous's segmentation pipeline: an oracle for the
// network part, so the pipeline can be checked (and the importer compared) independently.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

import type { ModelMeta } from '../../lib/import/types';
import { LogitsRunner, SegmentationModel } from '../../lib/segment/model';
import { sharedPath } from './data';

export function vocClasses(): string[] {
  return fs.readFileSync(sharedPath('models', 'labels_pascal_voc_21.txt'), 'utf8').trim().split('\n');
}

export const ORT_257_META = (resize: ModelMeta['resize']): ModelMeta => ({
  name: 'ort-257', format: 'onnx', inputSize: [257, 257], normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  resize, classes: vocClasses(), dataset: 'voc', outputKind: 'logits', layout: 'nhwc',
});

export async function ortModel257(resize: ModelMeta['resize']): Promise<SegmentationModel> {
  const session = await ort.InferenceSession.create(sharedPath('models', 'deeplabv3_mnv2_dm05_voc_257.onnx'));
  const runner: LogitsRunner = {
    async run(input) {
      const out = await session.run({ sub_7: new ort.Tensor('float32', input, [1, 257, 257, 3]) });
      const t = out.ResizeBilinear_3 as ort.Tensor;
      const [, h, w, c] = t.dims as number[];
      return { data: t.data as Float32Array, height: h as number, width: w as number, channels: c as number };
    },
    dispose: () => void session.release(),
  };
  return new SegmentationModel(ORT_257_META(resize), runner);
}
