#include "ops/softmax.h"

namespace atrous {

Status make_softmax(const ParamReader& r, std::unique_ptr<Op>* out) {
  ATROUS_RETURN_IF_ERROR(r.only({"axis"}));
  const ParamValue* v = r.find("axis");
  if (v && !(v->kind == ParamValue::Kind::kNumber && (v->number == 3 || v->number == -1)))
    return r.invalid("only the channel axis (3 or -1) is supported");
  *out = std::make_unique<SoftmaxOp>();
  return Status::ok();
}

Status make_argmax(const ParamReader& r, std::unique_ptr<Op>* out) {
  ATROUS_RETURN_IF_ERROR(r.only({"axis"}));
  const ParamValue* v = r.find("axis");
  if (v && !(v->kind == ParamValue::Kind::kNumber && (v->number == 3 || v->number == -1)))
    return r.invalid("only the channel axis (3 or -1) is supported");
  *out = std::make_unique<ArgmaxOp>();
  return Status::ok();
}

Status SoftmaxOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  *out = in[0];
  out->weight = nullptr;
  return Status::ok();
}

Status ArgmaxOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  out->dtype = DType::kInt32;
  out->shape = {in[0].shape.n, in[0].shape.h, in[0].shape.w, 1};
  out->weight = nullptr;
  return Status::ok();
}

}  // namespace atrous
