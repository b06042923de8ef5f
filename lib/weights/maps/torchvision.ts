// torchvision state_dict names → atrous zoo. The zoo's native ResNet/DeepLabV3 names already are
// torchvision's (backbone.layer1.0.conv1.weight, classifier.0.convs.4.1.weight, aux_classifier.4.bias…),
// so the map only skips BN's num_batches_tracked buffers and turns OIHW convs into OHWI.
import { KeyMap } from '../../zoo/network';
import { fromOihw, passThrough } from './layout';

/** Key map for torchvision's deeplabv3_resnet50/101 state_dict names (OIHW convs). */
export const torchvisionKeys: KeyMap = {
  name: 'torchvision',
  target: (key) => (key.endsWith('.num_batches_tracked') ? null : key),
  convert: (t, shape) => (shape.length === 4 ? fromOihw(t.data, t.shape, shape) : passThrough(t.data, t.shape, shape)),
};
