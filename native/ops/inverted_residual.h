#pragma once
#include "ops/conv2d.h"

namespace atrous {

// inverted_residual: MobileNetV2's block as one node, made by the compiler (graph/passes.cc) for
// the CPU, never by a descriptor: 1x1 expand conv -> 3x3 depthwise conv -> 1x1 project conv,
// then optionally + x (the block input) with the add's activation. One kernel can then run it in
// rows, so the wide expanded activations stay in cache.
// Inputs: x, expand weight and bias, depthwise weight and bias, project weight and bias.
struct InvertedResidualOp : Op {
  Conv2dOp expand, depthwise, project;
  bool residual = false;
  Activation residual_activation;

  const char* type() const override { return "inverted_residual"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
  bool input_must_be_constant(size_t i) const override { return i >= 1; }
  // Whether these convs (shapes inferred) make a block the fused kernel runs: 1x1 stride-1
  // unpadded expand and project, 3x3 depthwise (multiplier 1) with stride 1, or stride 2 undilated.
  static bool fusable(const Conv2dOp& expand, const Conv2dOp& depthwise, const Conv2dOp& project);
  // A 1x1, stride-1, unpadded window.
  static bool pointwise(const Conv2dOp& c);
};

}  // namespace atrous
