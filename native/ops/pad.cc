#include "ops/pad.h"

namespace atrous {

Status make_pad(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<PadOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"pads", "mode", "value"}));
  std::vector<int64_t> p;
  ATROUS_RETURN_IF_ERROR(r.get_ints("pads", 4, {}, &p, 0));
  if (p.size() != 4) return r.invalid("param 'pads' is required: [top, bottom, left, right]");
  for (int64_t v : p)
    if (v > (1 << 16)) return r.invalid("param 'pads' value ", v, " is too large");
  op->top = p[0], op->bottom = p[1], op->left = p[2], op->right = p[3];
  std::string mode;
  ATROUS_RETURN_IF_ERROR(r.get_enum("mode", {"constant", "reflect", "edge"}, "constant", &mode));
  op->mode = mode == "constant" ? PadOp::Mode::kConstant : mode == "reflect" ? PadOp::Mode::kReflect : PadOp::Mode::kEdge;
  double value = 0;
  ATROUS_RETURN_IF_ERROR(r.get_float("value", 0, &value));
  op->value = static_cast<float>(value);
  *out = std::move(op);
  return Status::ok();
}

Status PadOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  const Shape4& x = in[0].shape;
  if (mode == Mode::kReflect && (top >= x.h || bottom >= x.h || left >= x.w || right >= x.w))
    return invalid(Code::kInvalidArgument, "reflect padding must be smaller than the input (", x.h, "x", x.w, ")");
  out->dtype = DType::kFloat32;
  out->shape = {x.n, x.h + top + bottom, x.w + left + right, x.c};
  return Status::ok();
}

}  // namespace atrous
