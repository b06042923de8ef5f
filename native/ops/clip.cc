#include "ops/clip.h"

namespace atrous {

Status make_clip(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<ClipOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"min", "max"}));
  double lo = 0, hi = 0;
  ATROUS_RETURN_IF_ERROR(r.get_float("min", -std::numeric_limits<double>::infinity(), &lo));
  ATROUS_RETURN_IF_ERROR(r.get_float("max", std::numeric_limits<double>::infinity(), &hi));
  if (lo > hi) return r.invalid("param 'min' (", lo, ") is greater than 'max' (", hi, ")");
  op->range.min = static_cast<float>(lo);
  op->range.max = static_cast<float>(hi);
  *out = std::move(op);
  return Status::ok();
}

Status ClipOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  *out = in[0];
  out->weight = nullptr;
  return Status::ok();
}

}  // namespace atrous
