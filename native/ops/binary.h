#pragma once
#include "ops/op.h"

namespace atrous {

// add / sub / mul with NumPy-style broadcasting over NHWC (e.g. per-channel [C] constants,
// or [N,1,1,C] image-pooling features against [N,H,W,C]); optional fused activation.
struct BinaryOp : Op {
  enum class Kind { kAdd, kSub, kMul } kind = Kind::kAdd;
  Activation activation;
  const char* type() const override {
    return kind == Kind::kAdd ? "add" : kind == Kind::kSub ? "sub" : "mul";
  }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
