#pragma once
#include "ops/op.h"

namespace atrous {

// max_pool2d / avg_pool2d over a window; global_avg_pool (image pooling) → [N,1,1,C].
// avg_pool2d excludes padded cells from the divisor unless countIncludePad (TF and ONNX default).
struct Pool2dOp : Op {
  enum class Kind { kMax, kAvg } kind = Kind::kMax;
  Window2d window;
  bool count_include_pad = false;
  const char* type() const override { return kind == Kind::kMax ? "max_pool2d" : "avg_pool2d"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

struct GlobalAvgPoolOp : Op {
  const char* type() const override { return "global_avg_pool"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
