#include <cmath>

#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"

namespace atrous {

void ref::batch_norm(const CFView& x, const float* scale, const float* offset, const float* mean, const float* variance,
                     double epsilon, const FView& y) {
  for (int64_t n = 0; n < x.shape.n; ++n)
    for (int64_t h = 0; h < x.shape.h; ++h)
      for (int64_t w = 0; w < x.shape.w; ++w)
        for (int64_t c = 0; c < x.shape.c; ++c)
          y.pixel(n, h, w)[c] = static_cast<float>((x.pixel(n, h, w)[c] - mean[c]) / std::sqrt(variance[c] + epsilon) *
                                                       scale[c] + offset[c]);
}

// Not folded into a conv: y = x * a + b with a, b precomputed per channel.
Status cpu_batch_norm(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  std::vector<double> scale, shift;
  static_cast<const BatchNormOp&>(*req.op).affine(req.inputs, &scale, &shift);
  const std::vector<float> a(scale.begin(), scale.end()), b(shift.begin(), shift.end());
  *out = make_lambda_kernel([a, b](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    const CFView& x = in[0];
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) {
      for (int64_t w = 0; w < y.shape.w; ++w) {
        const float* src = x.pixel(n, h, w);
        float* dst = y.pixel(n, h, w);
        for (int64_t i = 0; i < y.shape.c; ++i) dst[i] = src[i] * a[i] + b[i];
      }
    });
  });
  return Status::ok();
}

}  // namespace atrous
