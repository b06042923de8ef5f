#include "ops/batch_norm.h"

#include <cmath>

namespace atrous {

Status make_batch_norm(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<BatchNormOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"epsilon"}));
  ATROUS_RETURN_IF_ERROR(r.get_float("epsilon", 1e-5, &op->epsilon));
  if (op->epsilon < 0) return r.invalid("param 'epsilon' must be >= 0, got ", op->epsilon);
  *out = std::move(op);
  return Status::ok();
}

void BatchNormOp::affine(const std::vector<TensorInfo>& in, std::vector<double>* scale, std::vector<double>* shift) const {
  const std::vector<float>& gamma = in[1].weight->data;
  const std::vector<float>& beta = in[2].weight->data;
  const std::vector<float>& mean = in[3].weight->data;
  const std::vector<float>& var = in[4].weight->data;
  scale->resize(gamma.size());
  shift->resize(gamma.size());
  for (size_t c = 0; c < gamma.size(); ++c) {
    (*scale)[c] = gamma[c] / std::sqrt(static_cast<double>(var[c]) + epsilon);
    (*shift)[c] = beta[c] - mean[c] * (*scale)[c];
  }
}

Status BatchNormOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 5, 5));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  static const char* kNames[] = {"input", "scale", "offset", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i)
    if (in[i].shape.elements() != in[0].shape.c)
      return invalid(Code::kShapeMismatch, kNames[i], " has ", in[i].shape.elements(), " values, input has ",
                     in[0].shape.c, " channels");
  for (float v : in[4].weight->data)
    if (!(v + epsilon >= 0)) return invalid(Code::kInvalidArgument, "variance + epsilon must be >= 0, got ", v);
  *out = in[0];
  out->weight = nullptr;
  return Status::ok();
}

}  // namespace atrous
