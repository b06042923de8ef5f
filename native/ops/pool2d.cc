#include "ops/pool2d.h"

namespace atrous {

namespace {
Status make_pool(const ParamReader& r, Pool2dOp::Kind kind, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<Pool2dOp>();
  op->kind = kind;
  if (kind == Pool2dOp::Kind::kAvg) {
    ATROUS_RETURN_IF_ERROR(r.only({"kernel", "strides", "padding", "pads", "countIncludePad"}));
    ATROUS_RETURN_IF_ERROR(r.get_bool("countIncludePad", false, &op->count_include_pad));
  } else {
    ATROUS_RETURN_IF_ERROR(r.only({"kernel", "strides", "dilations", "padding", "pads"}));
  }
  ATROUS_RETURN_IF_ERROR(parse_window(r, true, kind == Pool2dOp::Kind::kMax, &op->window));
  *out = std::move(op);
  return Status::ok();
}
}  // namespace

Status make_max_pool2d(const ParamReader& r, std::unique_ptr<Op>* out) { return make_pool(r, Pool2dOp::Kind::kMax, out); }
Status make_avg_pool2d(const ParamReader& r, std::unique_ptr<Op>* out) { return make_pool(r, Pool2dOp::Kind::kAvg, out); }

Status make_global_avg_pool(const ParamReader& r, std::unique_ptr<Op>* out) {
  ATROUS_RETURN_IF_ERROR(r.only({}));
  *out = std::make_unique<GlobalAvgPoolOp>();
  return Status::ok();
}

Status Pool2dOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  const Shape4& x = in[0].shape;
  int64_t oh = 0, ow = 0;
  
  ATROUS_RETURN_IF_ERROR(resolve_window(*this, x.h, x.w, &window, &oh, &ow));
  if (window.pad_t >= window.kh || window.pad_b >= window.kh || window.pad_l >= window.kw || window.pad_r >= window.kw)
    return invalid(Code::kInvalidArgument, "padding must be smaller than the pooling window");
  out->dtype = DType::kFloat32;
  out->shape = {x.n, oh, ow, x.c};
  return Status::ok();
}

Status GlobalAvgPoolOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  out->dtype = DType::kFloat32;
  out->shape = {in[0].shape.n, 1, 1, in[0].shape.c};
  return Status::ok();
}

}  // namespace atrous
