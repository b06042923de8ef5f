#pragma once
#include "ops/op.h"

namespace atrous {

// conv2d: inputs x [N,H,W,Cin], weight [Cout, KH, KW, Cin/groups], optional bias [Cout].
// groups == Cin is depthwise (Cout = Cin * multiplier; output channel o reads input o / multiplier).
struct Conv2dOp : Op {
  Window2d window;
  int64_t groups = 1;
  Activation activation;
  // Filled by infer():
  int64_t in_channels = 0, out_channels = 0;

  const char* type() const override { return "conv2d"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
  bool input_must_be_constant(size_t i) const override { return i >= 1; }
  bool is_depthwise() const { return groups > 1 && groups == in_channels; }
};

}  // namespace atrous
