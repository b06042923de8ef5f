#include <cstring>

#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"

namespace atrous {

namespace {
// TF semantics: output batch b = (by * bw + bx) * N + n of space_to_batch reads padded input
// pixel (y * bh + by, x * bw + bx) of image n; batch_to_space is its inverse with crops.
void space_batch_row(const SpaceBatchOp& op, const CFView& x, const FView& y, int64_t b, int64_t row) {
  if (op.to_batch) {
    const int64_t n = b % x.shape.n, block = b / x.shape.n, by = block / op.bw, bx = block % op.bw;
    const int64_t iy = row * op.bh + by - op.t;
    for (int64_t ox = 0; ox < y.shape.w; ++ox) {
      const int64_t ix = ox * op.bw + bx - op.l;
      float* out = y.pixel(b, row, ox);
      if (iy < 0 || iy >= x.shape.h || ix < 0 || ix >= x.shape.w)
        std::memset(out, 0, y.shape.c * sizeof(float));
      else
        std::memcpy(out, x.pixel(n, iy, ix), y.shape.c * sizeof(float));
    }
  } else {
    const int64_t n = b;  // output image, row = output row
    const int64_t py = row + op.t, by = py % op.bh, iy = py / op.bh;
    for (int64_t ox = 0; ox < y.shape.w; ++ox) {
      const int64_t px = ox + op.l, bx = px % op.bw, ix = px / op.bw;
      const int64_t ib = (by * op.bw + bx) * y.shape.n + n;
      std::memcpy(y.pixel(n, row, ox), x.pixel(ib, iy, ix), y.shape.c * sizeof(float));
    }
  }
}
}  // namespace

void ref::space_batch(const SpaceBatchOp& op, const CFView& x, const FView& y) {
  for (int64_t b = 0; b < y.shape.n; ++b)
    for (int64_t r = 0; r < y.shape.h; ++r) space_batch_row(op, x, y, b, r);
}

namespace {
Status make_space_batch_kernel(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  SpaceBatchOp op = static_cast<const SpaceBatchOp&>(*req.op);
  *out = make_lambda_kernel([op](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    return for_each_row(ctx, y.shape, [&](int64_t b, int64_t r) { space_batch_row(op, in[0], y, b, r); });
  });
  return Status::ok();
}
}  // namespace

Status cpu_space_to_batch(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_space_batch_kernel(req, out); }
Status cpu_batch_to_space(const KernelRequest& req, std::unique_ptr<Kernel>* out) { return make_space_batch_kernel(req, out); }

}  // namespace atrous
