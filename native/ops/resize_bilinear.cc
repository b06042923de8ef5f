#include "ops/resize_bilinear.h"

namespace atrous {

Status make_resize_bilinear(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<ResizeBilinearOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"size", "coordinateMode", "scales"}));
  std::vector<int64_t> size;
  ATROUS_RETURN_IF_ERROR(r.get_ints("size", 2, {}, &size, 1));
  if (size.size() != 2) return r.invalid("param 'size' is required: [height, width]");
  if (size[0] > (1 << 16) || size[1] > (1 << 16)) return r.invalid("param 'size' is too large: [", size[0], ", ", size[1], "]");
  op->out_h = size[0], op->out_w = size[1];
  std::string mode;
  ATROUS_RETURN_IF_ERROR(r.get_enum("coordinateMode", {"align_corners", "half_pixel", "pytorch_half_pixel", "asymmetric"},
                                    "half_pixel", &mode));
  op->mode = mode == "align_corners"        ? ResizeBilinearOp::Mode::kAlignCorners
             : mode == "half_pixel"         ? ResizeBilinearOp::Mode::kHalfPixel
             : mode == "pytorch_half_pixel" ? ResizeBilinearOp::Mode::kPytorchHalfPixel
                                            : ResizeBilinearOp::Mode::kAsymmetric;
  if (const ParamValue* s = r.find("scales")) {
    if (s->kind != ParamValue::Kind::kNumbers || s->numbers.size() != 2 || !(s->numbers[0] > 0) ||
        !(s->numbers[1] > 0) || !(s->numbers[0] < 1e6) || !(s->numbers[1] < 1e6))
      return r.invalid("param 'scales' must be two positive numbers");
    op->scale_h = s->numbers[0], op->scale_w = s->numbers[1];
  }
  *out = std::move(op);
  return Status::ok();
}

Status ResizeBilinearOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  out->dtype = DType::kFloat32;
  out->shape = {in[0].shape.n, out_h, out_w, in[0].shape.c};
  return Status::ok();
}

}  // namespace atrous
