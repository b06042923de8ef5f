#pragma once
#include "ops/op.h"

namespace atrous {

// concat along channels (axis 3 / -1). The planner makes producers write into slices of the
// output, so the kernel usually has nothing to copy.
struct ConcatOp : Op {
  const char* type() const override { return "concat"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
