#include <algorithm>
#include <cmath>

#include "cpu/lambda_kernel.h"
#include "ops/fake_quant.h"

namespace atrous {

namespace {
void fake_quant_row(const FakeQuantOp& op, const CFView& x, const FView& y) {
  for (int64_t w = 0; w < y.shape.w; ++w) {
    const float* src = x.pixel(0, 0, w);
    float* dst = y.pixel(0, 0, w);
    for (int64_t c = 0; c < y.shape.c; ++c) {
      const float q = std::min(std::max(std::round(src[c] / op.scale) + op.zero_point, op.qmin), op.qmax);
      dst[c] = (q - op.zero_point) * op.scale;
    }
  }
}
}  // namespace

Status cpu_fake_quant(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const FakeQuantOp op = static_cast<const FakeQuantOp&>(*req.op);
  *out = make_lambda_kernel([op](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) { fake_quant_row(op, row_view(in[0], n, h), row_view(y, n, h)); });
  });
  return Status::ok();
}

}  // namespace atrous
