#pragma once
#include "ops/op.h"

namespace atrous {

// dense_crf: the fully-connected CRF (native/crf) as a graph op, as DeepLab v1/v2 append it.
// Inputs: scores [N,H,W,C] (logits or probabilities) and the image [N,H,W,3] as RGB values 0..255.
// Output: the refined marginals Q [N,H,W,C]. A kernel with weight 0 is left out.
struct DenseCrfOp : Op {
  int64_t iterations = 10;
  bool logits = true;
  double gaussian_sxy = 3, gaussian_weight = 3;
  double bilateral_sxy = 80, bilateral_srgb = 13, bilateral_weight = 10;
  std::string normalization = "symmetric";

  const char* type() const override { return "dense_crf"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
