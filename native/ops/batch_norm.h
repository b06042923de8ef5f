#pragma once
#include "ops/op.h"

namespace atrous {

// batch_norm (inference): inputs x, scale (gamma), offset (beta), mean, variance; each [C].
// Folded into a preceding conv2d at compile; otherwise runs as y = x * a + b per channel.
struct BatchNormOp : Op {
  double epsilon = 1e-5;
  const char* type() const override { return "batch_norm"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
  bool input_must_be_constant(size_t i) const override { return i >= 1; }

  // The per-channel affine form y = x * scale + shift, from the constant inputs (scale, offset, mean,
  // variance): what kernels run and what folding into a conv applies.
  void affine(const std::vector<TensorInfo>& inputs, std::vector<double>* scale, std::vector<double>* shift) const;
};

}  // namespace atrous
