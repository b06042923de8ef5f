#include <algorithm>
#include <limits>

#include "cpu/lambda_kernel.h"
#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "cpu/simd/kernels.h"

namespace atrous {

namespace {
// One output value of a max / average pool, in the op's own coordinates.
float pool_value(const Pool2dOp& op, const CFView& x, int64_t n, int64_t oy, int64_t ox, int64_t c) {
  const Window2d& w = op.window;
  const bool is_max = op.kind == Pool2dOp::Kind::kMax;
  double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
  int64_t count = 0;
  for (int64_t ky = 0; ky < w.kh; ++ky)
    for (int64_t kx = 0; kx < w.kw; ++kx) {
      const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh, ix = ox * w.sw - w.pad_l + kx * w.dw;
      if (iy < 0 || iy >= x.shape.h || ix < 0 || ix >= x.shape.w) {
        // Padded cells count toward the average only with countIncludePad (their value is 0).
        const bool within_pads = iy < x.shape.h + w.pad_b && ix < x.shape.w + w.pad_r;
        if (!is_max && op.count_include_pad && within_pads) ++count;
        continue;
      }
      const float v = x.pixel(n, iy, ix)[c];
      acc = is_max ? std::max(acc, static_cast<double>(v)) : acc + v;
      ++count;
    }
  return static_cast<float>(is_max ? acc : (count ? acc / count : 0.0));
}

void pool_row(const Pool2dOp& op, const CFView& x, int64_t n, int64_t oy, const FView& y) {
  for (int64_t ox = 0; ox < y.shape.w; ++ox)
    for (int64_t c = 0; c < y.shape.c; ++c) y.pixel(n, oy, ox)[c] = pool_value(op, x, n, oy, ox, c);
}
}  // namespace

void ref::pool2d(const Pool2dOp& op, const CFView& x, const FView& y) {
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy) pool_row(op, x, n, oy, y);
}

void ref::global_avg_pool(const CFView& x, const FView& y) {
  for (int64_t n = 0; n < x.shape.n; ++n)
    for (int64_t c = 0; c < x.shape.c; ++c) {
      double acc = 0;
      for (int64_t h = 0; h < x.shape.h; ++h)
        for (int64_t w = 0; w < x.shape.w; ++w) acc += x.pixel(n, h, w)[c];
      y.pixel(n, 0, 0)[c] = static_cast<float>(acc / (x.shape.h * x.shape.w));
    }
}

namespace {
// The kernel's row: the same windows and counts as pool_value, but each tap updates all channels
// of the output pixel in a loop the compiler vectorizes, and averages sum in float.
void pool_row_by_channels(const Pool2dOp& op, const CFView& x, int64_t n, int64_t oy, const FView& y) {
  const Window2d& w = op.window;
  const bool is_max = op.kind == Pool2dOp::Kind::kMax;
  const int64_t channels = y.shape.c;
  for (int64_t ox = 0; ox < y.shape.w; ++ox) {
    float* out = y.pixel(n, oy, ox);
    const float init = is_max ? -std::numeric_limits<float>::infinity() : 0.f;
    for (int64_t c = 0; c < channels; ++c) out[c] = init;
    int64_t count = 0;
    for (int64_t ky = 0; ky < w.kh; ++ky)
      for (int64_t kx = 0; kx < w.kw; ++kx) {
        const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh, ix = ox * w.sw - w.pad_l + kx * w.dw;
        if (iy < 0 || iy >= x.shape.h || ix < 0 || ix >= x.shape.w) {
          const bool within_pads = iy < x.shape.h + w.pad_b && ix < x.shape.w + w.pad_r;
          if (!is_max && op.count_include_pad && within_pads) ++count;
          continue;
        }
        const float* in = x.pixel(n, iy, ix);
        if (is_max) {
          for (int64_t c = 0; c < channels; ++c) out[c] = out[c] < in[c] ? in[c] : out[c];
        } else {
          for (int64_t c = 0; c < channels; ++c) out[c] += in[c];
        }
        ++count;
      }
    if (!is_max) {
      const float inv = count ? 1.f / static_cast<float>(count) : 0.f;
      for (int64_t c = 0; c < channels; ++c) out[c] *= inv;
    }
  }
}

Status make_pool_kernel(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  Pool2dOp op = static_cast<const Pool2dOp&>(*req.op);
  *out = make_lambda_kernel([op](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    const CFView& x = in[0];
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t oy) { pool_row_by_channels(op, x, n, oy, y); });
  });
  return Status::ok();
}
}  // namespace

Status cpu_max_pool2d(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_pool_kernel(req, out); }
Status cpu_avg_pool2d(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_pool_kernel(req, out); }

Status make_global_avg_pool_kernel(const KernelRequest&, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const simd::Kernels* k = &simd::kernels_for(level);
  *out = make_lambda_kernel([k](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    // Tasks own blocks of channels of one image and sum its pixels into a float accumulator.
    const CFView& x = in[0];
    constexpr int64_t kBlock = 64;
    const int64_t blocks = (x.shape.c + kBlock - 1) / kBlock;
    return ctx.pool->parallel_for(x.shape.n * blocks, 1, [&](int64_t begin, int64_t end) {
      float acc[kBlock];
      for (int64_t t = begin; t < end; ++t) {
        const int64_t n = t / blocks, c0 = t % blocks * kBlock, width = std::min(kBlock, x.shape.c - c0);
        std::fill(acc, acc + width, 0.f);
        for (int64_t h = 0; h < x.shape.h; ++h)
          for (int64_t w = 0; w < x.shape.w; ++w) k->accumulate(acc, x.pixel(n, h, w) + c0, width);
        const float inv = 1.f / static_cast<float>(x.shape.h * x.shape.w);
        float* dst = y.pixel(n, 0, 0) + c0;
        for (int64_t c = 0; c < width; ++c) dst[c] = acc[c] * inv;
      }
    });
  });
  return Status::ok();
}

Status cpu_global_avg_pool(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  return make_global_avg_pool_kernel(req, simd_level(), out);
}

}  // namespace atrous
