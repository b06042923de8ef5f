#include "ops/fake_quant.h"

#include <cmath>

namespace atrous {

Status make_fake_quant(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<FakeQuantOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"scale", "zeroPoint", "qmin", "qmax"}));
  double scale = 0, zp = 0, qmin = 0, qmax = 0;
  ATROUS_RETURN_IF_ERROR(r.get_float("scale", 0, &scale));
  ATROUS_RETURN_IF_ERROR(r.get_float("zeroPoint", 0, &zp));
  ATROUS_RETURN_IF_ERROR(r.get_float("qmin", 0, &qmin));
  ATROUS_RETURN_IF_ERROR(r.get_float("qmax", 255, &qmax));
  if (!(scale > 0) || !std::isfinite(scale)) return r.invalid("param 'scale' must be a positive finite number, got ", scale);
  if (!(qmin <= qmax) || !std::isfinite(qmin) || !std::isfinite(qmax) || !std::isfinite(zp))
    return r.invalid("params 'qmin' (", qmin, "), 'qmax' (", qmax, ") and 'zeroPoint' must be finite with qmin <= qmax");
  op->scale = static_cast<float>(scale);
  op->zero_point = static_cast<float>(zp);
  op->qmin = static_cast<float>(qmin);
  op->qmax = static_cast<float>(qmax);
  *out = std::move(op);
  return Status::ok();
}

Status FakeQuantOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  *out = in[0];
  out->weight = nullptr;
  return Status::ok();
}

}  // namespace atrous
