#pragma once
#include "ops/op.h"

namespace atrous {

// Simulates a quantized activation in float: y = (clamp(round(x / scale) + zero_point, qmin, qmax) - zero_point) * scale.
// Lets float kernels reproduce a uint8/int8 model's rounding (TFLite quantized models imported to float).
struct FakeQuantOp : Op {
  float scale = 1.f, zero_point = 0.f, qmin = 0.f, qmax = 255.f;
  const char* type() const override { return "fake_quant"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
