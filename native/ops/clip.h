#pragma once
#include "ops/op.h"

namespace atrous {

// clip to [min, max] (relu = clip(0, +inf), relu6 = clip(0, 6)); fused into a preceding conv or
// binary op at compile when that op has no other consumer.
struct ClipOp : Op {
  Activation range;
  const char* type() const override { return "clip"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
