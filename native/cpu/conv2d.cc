#include <algorithm>

#include "cpu/reference.h"
#include "graph/kernel.h"

namespace atrous {

void ref::conv2d(const Conv2dOp& op, const CFView& x, const float* weight, const float* bias, const FView& y) {
  const Window2d& w = op.window;
  const int64_t cin_g = x.shape.c / op.groups, cout_g = y.shape.c / op.groups;
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy)
      for (int64_t ox = 0; ox < y.shape.w; ++ox) {
        float* out = y.pixel(n, oy, ox);
        for (int64_t o = 0; o < y.shape.c; ++o) {
          const int64_t g = o / cout_g;
          double acc = bias ? bias[o] : 0.0;
          for (int64_t ky = 0; ky < w.kh; ++ky) {
            const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh;
            if (iy < 0 || iy >= x.shape.h) continue;
            for (int64_t kx = 0; kx < w.kw; ++kx) {
              const int64_t ix = ox * w.sw - w.pad_l + kx * w.dw;
              if (ix < 0 || ix >= x.shape.w) continue;
              const float* in = x.pixel(n, iy, ix) + g * cin_g;
              const float* k = weight + ((o * w.kh + ky) * w.kw + kx) * cin_g;
              for (int64_t c = 0; c < cin_g; ++c) acc += static_cast<double>(in[c]) * k[c];
            }
          }
          out[o] = std::min(std::max(static_cast<float>(acc), op.activation.min), op.activation.max);
        }
      }
}

namespace {

class ReferenceConv2dKernel : public Kernel {
 public:
  ReferenceConv2dKernel(const Conv2dOp& op, const TensorInfo& w, const TensorInfo* b)
      : op_(op), weight_(w.weight->data), bias_(b ? b->weight->data : std::vector<float>{}) {}
  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& out) override {
    // Rows are independent: split output rows across the pool.
    const CFView& x = in[0];
    return ctx.pool->parallel_for(out.shape.n * out.shape.h, 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t n = r / out.shape.h, oy = r % out.shape.h;
        Conv2dOp row_op = op_;
        row_op.window.pad_t = op_.window.pad_t - oy * op_.window.sh;
        FView y_row{out.pixel(n, oy, 0), {1, 1, out.shape.w, out.shape.c}, out.pixel_stride};
        CFView x_n{x.pixel(n, 0, 0), {1, x.shape.h, x.shape.w, x.shape.c}, x.pixel_stride};
        ref::conv2d(row_op, x_n, weight_.data(), bias_.empty() ? nullptr : bias_.data(), y_row);
      }
    });
  }

 private:
  Conv2dOp op_;
  std::vector<float> weight_, bias_;
};

}  // namespace

Status cpu_conv2d(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const Conv2dOp&>(*req.op);
  *out = std::make_unique<ReferenceConv2dKernel>(op, req.inputs[1], req.inputs.size() == 3 ? &req.inputs[2] : nullptr);
  return Status::ok();
}

}  // namespace atrous
