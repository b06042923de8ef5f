#include <algorithm>

#include "cpu/lambda_kernel.h"
#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "cpu/simd/kernels.h"

namespace atrous {

namespace {
inline float apply(BinaryOp::Kind kind, float a, float b) {
  return kind == BinaryOp::Kind::kAdd ? a + b : kind == BinaryOp::Kind::kSub ? a - b : a * b;
}
inline int64_t bidx(int64_t i, int64_t size) { return size == 1 ? 0 : i; }
}  // namespace

void ref::binary(BinaryOp::Kind kind, const Activation& act, const CFView& a, const CFView& b, const FView& y) {
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t h = 0; h < y.shape.h; ++h)
      for (int64_t w = 0; w < y.shape.w; ++w) {
        const float* pa = a.pixel(bidx(n, a.shape.n), bidx(h, a.shape.h), bidx(w, a.shape.w));
        const float* pb = b.pixel(bidx(n, b.shape.n), bidx(h, b.shape.h), bidx(w, b.shape.w));
        float* py = y.pixel(n, h, w);
        for (int64_t c = 0; c < y.shape.c; ++c) {
          float v = apply(kind, pa[bidx(c, a.shape.c)], pb[bidx(c, b.shape.c)]);
          py[c] = std::min(std::max(v, act.min), act.max);
        }
      }
}

Status make_binary_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const BinaryOp&>(*req.op);
  const BinaryOp::Kind kind = op.kind;
  const Activation act = op.activation;
  // At most one side is a constant; remember which, the other comes in at run().
  const int constant_side = req.inputs[0].is_constant() ? 0 : req.inputs[1].is_constant() ? 1 : -1;
  std::vector<float> constant;
  Shape4 constant_shape;
  if (constant_side >= 0) {
    constant = req.inputs[constant_side].weight->data;
    constant_shape = req.inputs[constant_side].shape;
  }
  const simd::Kernels* k = &simd::kernels_for(level);
  *out = make_lambda_kernel([=](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    CFView c{constant.data(), constant_shape, constant_shape.c};
    const CFView& a = constant_side == 0 ? c : in[0];
    const CFView& b = constant_side == 1 ? c : constant_side == 0 ? in[0] : in[1];
    if (kind == BinaryOp::Kind::kAdd && a.shape.c == y.shape.c && b.shape.c == y.shape.c) {
      // Add without a channel broadcast (residual connections; a per-image [N,1,1,C] term): SIMD
      // over each row when both sides are whole contiguous rows, else over each pixel.
      const bool rows_contiguous = a.shape == y.shape && b.shape == y.shape && a.contiguous() && b.contiguous() && y.contiguous();
      return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) {
        if (rows_contiguous) {
          k->add_clamp(a.pixel(n, h, 0), b.pixel(n, h, 0), y.pixel(n, h, 0), y.shape.w * y.shape.c, act.min, act.max);
          return;
        }
        for (int64_t x = 0; x < y.shape.w; ++x)
          k->add_clamp(a.pixel(bidx(n, a.shape.n), bidx(h, a.shape.h), bidx(x, a.shape.w)),
                       b.pixel(bidx(n, b.shape.n), bidx(h, b.shape.h), bidx(x, b.shape.w)), y.pixel(n, h, x), y.shape.c,
                       act.min, act.max);
      });
    }
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) {
      CFView ar{a.pixel(bidx(n, a.shape.n), bidx(h, a.shape.h), 0), {1, 1, a.shape.w, a.shape.c}, a.pixel_stride};
      CFView br{b.pixel(bidx(n, b.shape.n), bidx(h, b.shape.h), 0), {1, 1, b.shape.w, b.shape.c}, b.pixel_stride};
      ref::binary(kind, act, ar, br, row_view(y, n, h));
    });
  });
  return Status::ok();
}

Status cpu_add(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_binary_kernel(req, simd_level(), out); }
Status cpu_sub(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_binary_kernel(req, simd_level(), out); }
Status cpu_mul(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_binary_kernel(req, simd_level(), out); }

}  // namespace atrous
