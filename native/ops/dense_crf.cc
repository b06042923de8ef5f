#include "ops/dense_crf.h"

#include <cmath>

namespace atrous {

Status make_dense_crf(const ParamReader& r, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<DenseCrfOp>();
  ATROUS_RETURN_IF_ERROR(r.only({"iterations", "scores", "gaussianSxy", "gaussianWeight", "bilateralSxy", "bilateralSrgb",
                                 "bilateralWeight", "normalization"}));
  ATROUS_RETURN_IF_ERROR(r.get_int("iterations", 10, &op->iterations, 0));
  if (op->iterations > 10000) return r.invalid("param 'iterations' must be at most 10000, got ", op->iterations);
  std::string scores;
  ATROUS_RETURN_IF_ERROR(r.get_enum("scores", {"logits", "probabilities"}, "logits", &scores));
  op->logits = scores == "logits";
  ATROUS_RETURN_IF_ERROR(r.get_enum("normalization", {"symmetric", "before", "after", "none"}, "symmetric", &op->normalization));
  struct Positive {
    const char* key;
    double* value;
    double fallback;
  };
  for (const Positive& p : {Positive{"gaussianSxy", &op->gaussian_sxy, 3}, Positive{"bilateralSxy", &op->bilateral_sxy, 80},
                            Positive{"bilateralSrgb", &op->bilateral_srgb, 13}}) {
    ATROUS_RETURN_IF_ERROR(r.get_float(p.key, p.fallback, p.value));
    if (!(*p.value > 0) || *p.value > 1e6) return r.invalid("param '", p.key, "' must be a positive number, got ", *p.value);
  }
  ATROUS_RETURN_IF_ERROR(r.get_float("gaussianWeight", 3, &op->gaussian_weight));
  ATROUS_RETURN_IF_ERROR(r.get_float("bilateralWeight", 10, &op->bilateral_weight));
  if (!std::isfinite(op->gaussian_weight) || !std::isfinite(op->bilateral_weight))
    return r.invalid("kernel weights must be finite");
  *out = std::move(op);
  return Status::ok();
}

Status DenseCrfOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 2, 2));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "scores"));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[1], "image"));
  const Shape4 &s = in[0].shape, &im = in[1].shape;
  if (in[0].is_constant() || in[1].is_constant()) return invalid(Code::kUnsupported, "scores and image must not be constants");
  if (im.c != 3) return invalid(Code::kShapeMismatch, "image must have 3 (RGB) channels, got shape ", im.str());
  if (im.n != s.n || im.h != s.h || im.w != s.w)
    return invalid(Code::kShapeMismatch, "image shape ", im.str(), " does not match scores ", s.str(), " (same N, H, W)");
  if (s.c < 2 || s.c > 1024) return invalid(Code::kShapeMismatch, "scores need 2 to 1024 labels, got ", s.c);
  if (s.h > 65535 || s.w > 65535) return invalid(Code::kShapeMismatch, "image too large for the CRF: ", im.str());
  *out = in[0];
  out->weight = nullptr;
  return Status::ok();
}

}  // namespace atrous
