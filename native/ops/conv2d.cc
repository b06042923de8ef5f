#include "ops/conv2d.h"

namespace atrous {

Status make_conv2d(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<Conv2dOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"strides", "dilations", "padding", "pads", "groups", "activation"}));
  ATROUS_RETURN_IF_ERROR(parse_window(r, false, true, &op->window));
  ATROUS_RETURN_IF_ERROR(r.get_int("groups", 1, &op->groups, 1));
  ATROUS_RETURN_IF_ERROR(parse_activation(r, &op->activation));
  *out = std::move(op);
  return Status::ok();
}

Status Conv2dOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 2, 3));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  const Shape4& x = in[0].shape;
  const Shape4& w = in[1].shape;  // [Cout, KH, KW, Cin/groups]
  
  window.kh = w.h, window.kw = w.w;
  if (w.n <= 0 || w.h <= 0 || w.w <= 0 || w.c <= 0)
    return invalid(Code::kShapeMismatch, "weight shape ", w.str(), " must be [Cout, KH, KW, Cin/groups]");
  if (x.c % groups != 0)
    return invalid(Code::kShapeMismatch, "input channels ", x.c, " are not divisible by groups ", groups);
  if (w.c * groups != x.c)
    return invalid(Code::kShapeMismatch, "weight shape ", w.str(), " expects ", w.c * groups,
                   " input channels (", w.c, " per group x ", groups, " groups), input has ", x.c);
  if (w.n % groups != 0)
    return invalid(Code::kShapeMismatch, "output channels ", w.n, " are not divisible by groups ", groups);
  if (in.size() == 3 && in[2].shape.elements() != w.n)
    return invalid(Code::kShapeMismatch, "bias has ", in[2].shape.elements(), " values, expected ", w.n);
  in_channels = x.c;
  out_channels = w.n;
  int64_t oh = 0, ow = 0;
  ATROUS_RETURN_IF_ERROR(resolve_window(*this, x.h, x.w, &window, &oh, &ow));
  out->dtype = DType::kFloat32;
  out->shape = {x.n, oh, ow, w.n};
  return Status::ok();
}

}  // namespace atrous
