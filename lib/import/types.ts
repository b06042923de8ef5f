// The contract between the importers (lib/import/*) and segmentation (lib/segment/*).
import type { Graph } from '../graph/builder';

/** How an RGB pixel value p (0..255) becomes the model's input: (p - mean) / std per channel. */
export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
}

/** What segmentation needs to know about an imported network. */
export interface ModelMeta {
  /** Short name (file name or registry name). */
  name: string;
  format: 'onnx' | 'tflite' | 'tfjs';
  /** Spatial input size [height, width] the network was built for (its crop size). */
  inputSize: [number, number];
  normalization: Normalization;
  /**
   * TF DeepLab style 'pad': resize keeping the aspect ratio so the long side fits, pad the rest
   * with the mean pixel; 'stretch': resize to inputSize ignoring aspect.
   */
  resize: 'pad' | 'stretch';
  /** Class names, index = label id. */
  classes: string[];
  dataset: 'voc' | 'cityscapes' | 'ade20k32' | 'unknown';
  /** The graph's output: per-class scores (logits) at some resolution, NHWC. */
  outputKind: 'logits';
  layout: 'nhwc';
  /** Anything the source format said about itself (producer, description…). */
  notes?: Record<string, string>;
}

/** An imported network as a graph of our ops, with the input and output it should be run on. */
export interface ImportedModel {
  graph: Graph;
  /** Name of the single NHWC float32 input (normalized pixels, inputSize). */
  input: string;
  /** Name of the logits output, NHWC [1, h, w, classes]. */
  output: string;
  meta: ModelMeta;
}
