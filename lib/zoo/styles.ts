import { BuilderStyle, TF_STYLE, TORCH_STYLE } from './blocks';

/** Caffe (DeepLab v1/v2): symmetric padding, align-corners interpolation. */
export const CAFFE_STYLE: BuilderStyle = { padding: 'symmetric', resize: 'align_corners', epsilon: 1e-5 };
export { TF_STYLE, TORCH_STYLE };
