#include <cstring>

#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"

namespace atrous {

namespace {
// Maps an output coordinate to the input one, or -1 for a constant cell.
int64_t source_index(PadOp::Mode mode, int64_t i, int64_t size) {
  if (i >= 0 && i < size) return i;
  if (mode == PadOp::Mode::kConstant) return -1;
  if (mode == PadOp::Mode::kEdge) return i < 0 ? 0 : size - 1;
  return i < 0 ? -i : 2 * (size - 1) - i;  // reflect, edge not repeated
}

void pad_row(const PadOp& op, const CFView& x, int64_t n, int64_t oy, const FView& y) {
  const int64_t iy = source_index(op.mode, oy - op.top, x.shape.h);
  for (int64_t ox = 0; ox < y.shape.w; ++ox) {
    const int64_t ix = source_index(op.mode, ox - op.left, x.shape.w);
    float* out = y.pixel(n, oy, ox);
    if (iy < 0 || ix < 0) {
      for (int64_t c = 0; c < y.shape.c; ++c) out[c] = op.value;
    } else {
      std::memcpy(out, x.pixel(n, iy, ix), y.shape.c * sizeof(float));
    }
  }
}
}  // namespace

void ref::pad(const PadOp& op, const CFView& x, const FView& y) {
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy) pad_row(op, x, n, oy, y);
}

Status cpu_pad(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  PadOp op = static_cast<const PadOp&>(*req.op);
  *out = make_lambda_kernel([op](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t oy) { pad_row(op, in[0], n, oy, y); });
  });
  return Status::ok();
}

}  // namespace atrous
