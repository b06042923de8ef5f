#pragma once
#include "ops/op.h"

namespace atrous {

// softmax over channels (numerically stable).
struct SoftmaxOp : Op {
  const char* type() const override { return "softmax"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

// argmax over channels → int32 [N,H,W,1]; ties go to the lowest index (as TF and ONNX do).
struct ArgmaxOp : Op {
  const char* type() const override { return "argmax"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
