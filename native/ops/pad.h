#pragma once
#include "ops/op.h"

namespace atrous {

// Spatial pad: pads [top, bottom, left, right]; mode constant (value), reflect or edge.
struct PadOp : Op {
  enum class Mode { kConstant, kReflect, kEdge } mode = Mode::kConstant;
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  float value = 0;
  const char* type() const override { return "pad"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
