#include "ops/binary.h"

namespace atrous {

namespace {
Status make_binary(const ParamReader& r, BinaryOp::Kind kind, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<BinaryOp>();
  op->kind = kind;
  ATROUS_RETURN_IF_ERROR(r.only({"activation"}));
  ATROUS_RETURN_IF_ERROR(parse_activation(r, &op->activation));
  *out = std::move(op);
  return Status::ok();
}
}  // namespace

Status make_add(const ParamReader& r, std::unique_ptr<Op>* out) { return make_binary(r, BinaryOp::Kind::kAdd, out); }
Status make_sub(const ParamReader& r, std::unique_ptr<Op>* out) { return make_binary(r, BinaryOp::Kind::kSub, out); }
Status make_mul(const ParamReader& r, std::unique_ptr<Op>* out) { return make_binary(r, BinaryOp::Kind::kMul, out); }

Status BinaryOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 2, 2));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "first input"));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[1], "second input"));
  if (in[0].is_constant() && in[1].is_constant())
    return invalid(Code::kUnsupported, "both inputs are constants; fold them before building the graph");
  const Shape4 &a = in[0].shape, &b = in[1].shape;
  const int64_t da[4] = {a.n, a.h, a.w, a.c}, db[4] = {b.n, b.h, b.w, b.c};
  int64_t d[4];
  for (int i = 0; i < 4; ++i) {
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
      return invalid(Code::kShapeMismatch, "shapes ", a.str(), " and ", b.str(), " do not broadcast");
    d[i] = da[i] == 1 ? db[i] : da[i];
  }
  out->dtype = DType::kFloat32;
  out->shape = {d[0], d[1], d[2], d[3]};
  return Status::ok();
}

}  // namespace atrous
