#include <algorithm>
#include <cmath>

#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"

namespace atrous {

void ref::softmax(const CFView& x, const FView& y) {
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t h = 0; h < y.shape.h; ++h)
      for (int64_t w = 0; w < y.shape.w; ++w) {
        const float* in = x.pixel(n, h, w);
        float* out = y.pixel(n, h, w);
        float m = in[0];
        for (int64_t c = 1; c < y.shape.c; ++c) m = std::max(m, in[c]);
        double sum = 0;
        for (int64_t c = 0; c < y.shape.c; ++c) sum += std::exp(static_cast<double>(in[c] - m));
        for (int64_t c = 0; c < y.shape.c; ++c) out[c] = static_cast<float>(std::exp(static_cast<double>(in[c] - m)) / sum);
      }
}

void ref::argmax(const CFView& x, const View<int32_t>& y) {
  for (int64_t n = 0; n < x.shape.n; ++n)
    for (int64_t h = 0; h < x.shape.h; ++h)
      for (int64_t w = 0; w < x.shape.w; ++w) {
        const float* in = x.pixel(n, h, w);
        int32_t best = 0;
        for (int64_t c = 1; c < x.shape.c; ++c)
          if (in[c] > in[best]) best = static_cast<int32_t>(c);
        *y.pixel(n, h, w) = best;
      }
}

namespace {
// Float softmax of one pixel, one exp per value (the reference computes them twice in double).
void softmax_pixel(const float* in, float* out, int64_t c) {
  float m = in[0];
  for (int64_t i = 1; i < c; ++i) m = std::max(m, in[i]);
  float sum = 0;
  for (int64_t i = 0; i < c; ++i) sum += out[i] = std::exp(in[i] - m);
  const float inv = 1.f / sum;
  for (int64_t i = 0; i < c; ++i) out[i] *= inv;
}
}  // namespace

Status cpu_softmax(const KernelRequest&, std::unique_ptr<Kernel>* out) {
  *out = make_lambda_kernel([](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    const CFView& x = in[0];
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) {
      for (int64_t w = 0; w < y.shape.w; ++w) softmax_pixel(x.pixel(n, h, w), y.pixel(n, h, w), y.shape.c);
    });
  });
  return Status::ok();
}

Status cpu_argmax(const KernelRequest&, std::unique_ptr<Kernel>* out) {
  *out = make_lambda_kernel([](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    // The output buffer holds int32 labels in the same 4-byte storage.
    View<int32_t> labels{reinterpret_cast<int32_t*>(y.data), y.shape, y.pixel_stride};
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) { ref::argmax(row_view(in[0], n, h), row_view(labels, n, h)); });
  });
  return Status::ok();
}

}  // namespace atrous
