#include "ops/concat.h"

namespace atrous {

Status make_concat(const ParamReader& r, std::unique_ptr<Op>* out) {
  ATROUS_RETURN_IF_ERROR(r.only({"axis"}));
  int64_t axis = 3;
  const ParamValue* v = r.find("axis");
  if (v && !(v->kind == ParamValue::Kind::kNumber && (v->number == 3 || v->number == -1)))
    return r.invalid("only channel concat is supported (axis 3 or -1)");
  (void)axis;
  *out = std::make_unique<ConcatOp>();
  return Status::ok();
}

Status ConcatOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 4096));
  Shape4 s = in[0].shape;
  s.c = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[i], "input"));
    const Shape4& t = in[i].shape;
    if (t.n != s.n || t.h != s.h || t.w != s.w)
      return invalid(Code::kShapeMismatch, "input ", i, " has shape ", t.str(), ", input 0 has ",
                     in[0].shape.str(), " (only channels may differ)");
    s.c += t.c;
  }
  out->dtype = DType::kFloat32;
  out->shape = s;
  return Status::ok();
}

}  // namespace atrous
