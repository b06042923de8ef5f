#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/lambda_kernel.h"
#include "crf/dense_crf.h"
#include "ops/dense_crf.h"

namespace atrous {

namespace {
crf::Normalization normalization_of(const std::string& name) {
  if (name == "before") return crf::Normalization::kBefore;
  if (name == "after") return crf::Normalization::kAfter;
  if (name == "none") return crf::Normalization::kNone;
  return crf::Normalization::kSymmetric;
}
}  // namespace

// Runs the native CRF per image of the batch; inputs may be strided views, so they are packed first.
Status cpu_dense_crf(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const DenseCrfOp&>(*req.op);
  crf::CrfOptions options;
  options.iterations = static_cast<int>(op.iterations);
  options.logits = op.logits;
  options.threads = req.threads;
  const crf::Normalization norm = normalization_of(op.normalization);
  if (op.gaussian_weight != 0) {
    crf::PairwiseKernel k;
    k.sxy = static_cast<float>(op.gaussian_sxy), k.weight = static_cast<float>(op.gaussian_weight), k.normalization = norm;
    options.kernels.push_back(k);
  }
  if (op.bilateral_weight != 0) {
    crf::PairwiseKernel k;
    k.bilateral = true;
    k.sxy = static_cast<float>(op.bilateral_sxy), k.srgb = static_cast<float>(op.bilateral_srgb);
    k.weight = static_cast<float>(op.bilateral_weight), k.normalization = norm;
    options.kernels.push_back(k);
  }
  *out = make_lambda_kernel([options](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) -> Status {
    const CFView &scores = in[0], &image = in[1];
    const Shape4& s = scores.shape;
    const int64_t pixels = s.h * s.w;
    std::vector<float> packed(pixels * s.c), probabilities(pixels * s.c);
    std::vector<uint8_t> rgb(pixels * 3);
    std::vector<int32_t> labels(pixels);
    for (int64_t n = 0; n < s.n; ++n) {
      for (int64_t yy = 0; yy < s.h; ++yy)
        for (int64_t x = 0; x < s.w; ++x) {
          const int64_t p = yy * s.w + x;
          std::memcpy(&packed[p * s.c], scores.pixel(n, yy, x), s.c * sizeof(float));
          const float* px = image.pixel(n, yy, x);
          for (int k = 0; k < 3; ++k) {
            const float v = std::isfinite(px[k]) ? px[k] : 0.f;
            rgb[p * 3 + k] = static_cast<uint8_t>(std::lround(std::min(255.f, std::max(0.f, v))));
          }
        }
      crf::CrfImage im;
      im.rgb = rgb.data(), im.width = static_cast<int>(s.w), im.height = static_cast<int>(s.h);
      im.scores = packed.data(), im.labels = static_cast<int>(s.c);
      ATROUS_RETURN_IF_ERROR(crf::dense_crf(im, options, ctx.abort, labels.data(), probabilities.data()));
      for (int64_t yy = 0; yy < s.h; ++yy)
        for (int64_t x = 0; x < s.w; ++x)
          std::memcpy(y.pixel(n, yy, x), &probabilities[(yy * s.w + x) * s.c], s.c * sizeof(float));
    }
    return Status::ok();
  });
  return Status::ok();
}

}  // namespace atrous
