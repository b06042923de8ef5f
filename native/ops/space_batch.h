#pragma once
#include "ops/op.h"

namespace atrous {

// space_to_batch (blockShape [bh, bw], pads [t, b, l, r]) and batch_to_space (blockShape,
// crops [t, b, l, r]) as TF defines them: batch index = (by * bw + bx) * N + n.
struct SpaceBatchOp : Op {
  bool to_batch = true;
  int64_t bh = 1, bw = 1;
  int64_t t = 0, b = 0, l = 0, r = 0;  // pads (to_batch) or crops (to_space)
  const char* type() const override { return to_batch ? "space_to_batch" : "batch_to_space"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
