#include <algorithm>
#include <cmath>

#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "cpu/scratch_slots.h"
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

namespace {

// Separable, in the reference's order: each input row is interpolated horizontally once (into a
// small per-thread cache of two rows) and reused by every output row between it and the next
// (about 8 when upsampling logits 8x); an output row is then one flat blend of two cached rows.
class ResizeBilinearKernel : public Kernel {
 public:
  ResizeBilinearKernel(const ResizeBilinearOp& op, const simd::Kernels& k, const TensorInfo& x, const TensorInfo& y,
                       int threads)
      : k_(k), ty_(taps(op.mode, x.shape.h, y.shape.h, op.scale_h)), slots_(threads, 2 * y.shape.w * y.shape.c) {
    for (const Tap& t : taps(op.mode, x.shape.w, y.shape.w, op.scale_w)) {
      x0_.push_back(t.i0);
      x1_.push_back(t.i1);
      fx_.push_back(t.frac);
    }
  }

  size_t scratch_bytes() const override { return slots_.bytes(); }

  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) override {
    const CFView& x = in[0];
    const int64_t row_floats = y.shape.w * y.shape.c;
    return ctx.pool->parallel_for(y.shape.n * y.shape.h, 1, [&](int64_t begin, int64_t end) {
      ScratchSlots::Lease lease(slots_, ctx);
      int64_t held[2] = {-1, -1};  // the input row (n * H + iy) in each cache slot
      // Input row iy, horizontally interpolated; computed into the slot not holding `keep`.
      auto cached = [&](int64_t n, int64_t iy, int64_t keep) -> const float* {
        const int64_t key = n * x.shape.h + iy;
        for (int s = 0; s < 2; ++s)
          if (held[s] == key) return lease.data() + s * row_floats;
        const int s = held[0] == keep ? 1 : 0;
        held[s] = key;
        simd::ResizeRow r;
        r.in = x.pixel(n, iy, 0);
        r.in_stride = x.pixel_stride;
        r.x0 = x0_.data();
        r.x1 = x1_.data();
        r.fx = fx_.data();
        r.channels = y.shape.c;
        r.out = lease.data() + s * row_floats;
        r.out_w = y.shape.w;
        r.out_stride = y.shape.c;
        k_.resize_row(r);
        return r.out;
      };
      for (int64_t row = begin; row < end; ++row) {
        const int64_t n = row / y.shape.h;
        const Tap& t = ty_[row % y.shape.h];
        const float* top = cached(n, t.i0, n * x.shape.h + t.i1);
        const float* bottom = cached(n, t.i1, n * x.shape.h + t.i0);
        float* out = y.pixel(n, row % y.shape.h, 0);
        if (y.pixel_stride == y.shape.c) {
          k_.lerp(top, bottom, t.frac, out, row_floats);
        } else {
          for (int64_t ox = 0; ox < y.shape.w; ++ox)
            k_.lerp(top + ox * y.shape.c, bottom + ox * y.shape.c, t.frac, out + ox * y.pixel_stride, y.shape.c);
        }
      }
    });
  }

 private:
  const simd::Kernels& k_;
  std::vector<Tap> ty_;
  std::vector<int64_t> x0_, x1_;
  std::vector<float> fx_;
  ScratchSlots slots_;
};

}  // namespace

Status make_resize_bilinear_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const ResizeBilinearOp&>(*req.op);
  *out = std::make_unique<ResizeBilinearKernel>(op, simd::kernels_for(level), req.inputs[0], req.output,
                                                std::max(1, req.threads));
  return Status::ok();
}

Status cpu_resize_bilinear(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  return make_resize_bilinear_kernel(req, simd_level(), out);
}

}  // namespace atrous
