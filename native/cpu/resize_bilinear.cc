#include <algorithm>
#include <cmath>

#include "cpu/lambda_kernel.h"
#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "cpu/simd/kernels.h"

namespace atrous {

// Coordinates in double: exact to the formulas (TF and PyTorch round them to float, a 1e-6 px difference).
double ref::resize_source_coordinate(ResizeBilinearOp::Mode mode, int64_t out_index, int64_t in_size, int64_t out_size,
                                     double scale) {
  using Mode = ResizeBilinearOp::Mode;
  // ratio = in / out, or 1 / scale when the model gave an explicit scale (ONNX).
  const double ratio = scale > 0 ? 1.0 / scale : static_cast<double>(in_size) / out_size;
  switch (mode) {
    case Mode::kAlignCorners:
      return out_size > 1 ? out_index * (static_cast<double>(in_size - 1) / (out_size - 1)) : 0.0;
    case Mode::kHalfPixel:
      return (out_index + 0.5) * ratio - 0.5;
    case Mode::kPytorchHalfPixel:
      return out_size > 1 ? (out_index + 0.5) * ratio - 0.5 : 0.0;
    case Mode::kAsymmetric:
      return out_index * ratio;
  }
  return 0.0;
}

namespace {
struct Tap {
  int64_t i0, i1;
  float frac;
};
// Clamp to the input, then interpolate between floor and floor + 1 (TF, PyTorch and ONNX agree).
std::vector<Tap> taps(ResizeBilinearOp::Mode mode, int64_t in_size, int64_t out_size, double scale) {
  std::vector<Tap> t(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    double s = ref::resize_source_coordinate(mode, o, in_size, out_size, scale);
    s = std::min(std::max(s, 0.0), static_cast<double>(in_size - 1));
    int64_t i0 = static_cast<int64_t>(std::floor(s));
    t[o] = {i0, std::min(i0 + 1, in_size - 1), static_cast<float>(s - i0)};
  }
  return t;
}

void resize_row(const std::vector<Tap>& ty, const std::vector<Tap>& tx, const CFView& x, int64_t n, int64_t oy,
                const FView& y) {
  const Tap& a = ty[oy];
  for (int64_t ox = 0; ox < y.shape.w; ++ox) {
    const Tap& b = tx[ox];
    const float *p00 = x.pixel(n, a.i0, b.i0), *p01 = x.pixel(n, a.i0, b.i1);
    const float *p10 = x.pixel(n, a.i1, b.i0), *p11 = x.pixel(n, a.i1, b.i1);
    float* out = y.pixel(n, oy, ox);
    for (int64_t c = 0; c < y.shape.c; ++c) {
      const float top = p00[c] + (p01[c] - p00[c]) * b.frac;
      const float bottom = p10[c] + (p11[c] - p10[c]) * b.frac;
      out[c] = top + (bottom - top) * a.frac;
    }
  }
}
}  // namespace

void ref::resize_bilinear(const ResizeBilinearOp& op, const CFView& x, const FView& y) {
  auto ty = taps(op.mode, x.shape.h, y.shape.h, op.scale_h), tx = taps(op.mode, x.shape.w, y.shape.w, op.scale_w);
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy) resize_row(ty, tx, x, n, oy, y);
}

Status make_resize_bilinear_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const ResizeBilinearOp&>(*req.op);
  auto ty = taps(op.mode, req.inputs[0].shape.h, req.output.shape.h, op.scale_h);
  auto tx = taps(op.mode, req.inputs[0].shape.w, req.output.shape.w, op.scale_w);
  // Horizontal taps as flat arrays for the SIMD row kernel (channels in lanes).
  std::vector<int64_t> x0(tx.size()), x1(tx.size());
  std::vector<float> fx(tx.size());
  for (size_t i = 0; i < tx.size(); ++i) x0[i] = tx[i].i0, x1[i] = tx[i].i1, fx[i] = tx[i].frac;
  const simd::Kernels* k = &simd::kernels_for(level);
  *out = make_lambda_kernel([ty, x0, x1, fx, k](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    const CFView& x = in[0];
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t oy) {
      simd::ResizeRow r;
      r.top = x.pixel(n, ty[oy].i0, 0);
      r.bottom = x.pixel(n, ty[oy].i1, 0);
      r.in_stride = x.pixel_stride;
      r.x0 = x0.data();
      r.x1 = x1.data();
      r.fx = fx.data();
      r.fy = ty[oy].frac;
      r.channels = y.shape.c;
      r.out = y.pixel(n, oy, 0);
      r.out_w = y.shape.w;
      r.out_stride = y.pixel_stride;
      k->resize_row(r);
    });
  });
  return Status::ok();
}

Status cpu_resize_bilinear(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  return make_resize_bilinear_kernel(req, simd_level(), out);
}

}  // namespace atrous
