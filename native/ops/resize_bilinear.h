#pragma once
#include "ops/op.h"

namespace atrous {

// Bilinear resize to `size` [H, W]. coordinateMode says how an output pixel maps to input:
//   align_corners       x_in = x_out * (in - 1) / (out - 1)   (TF align_corners=True)
//   half_pixel          x_in = (x_out + 0.5) * in / out - 0.5 (TF half_pixel_centers, PyTorch
//                       align_corners=False, ONNX half_pixel), clamped below at 0
//   pytorch_half_pixel  as half_pixel but 0 when out == 1 (ONNX)
//   asymmetric          x_in = x_out * in / out               (TF legacy, ONNX Upsample)
// Optional `scales` [sh, sw] replace out/in in the formulas (ONNX Resize/Upsample given scales).
struct ResizeBilinearOp : Op {
  enum class Mode { kAlignCorners, kHalfPixel, kPytorchHalfPixel, kAsymmetric } mode = Mode::kHalfPixel;
  int64_t out_h = 0, out_w = 0;
  double scale_h = 0, scale_w = 0;  // 0: derive from sizes
  const char* type() const override { return "resize_bilinear"; }
  Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) override;
};

}  // namespace atrous
