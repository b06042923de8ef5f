#include <algorithm>

#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"

namespace atrous {

void ref::clip(const Activation& range, const CFView& x, const FView& y) {
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t h = 0; h < y.shape.h; ++h)
      for (int64_t w = 0; w < y.shape.w; ++w)
        for (int64_t c = 0; c < y.shape.c; ++c)
          y.pixel(n, h, w)[c] = std::min(std::max(x.pixel(n, h, w)[c], range.min), range.max);
}

Status cpu_clip(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const Activation range = static_cast<const ClipOp&>(*req.op).range;
  *out = make_lambda_kernel([range](const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) {
    return for_each_row(ctx, y.shape, [&](int64_t n, int64_t h) {
      ref::clip(range, row_view(in[0], n, h), row_view(y, n, h));
    });
  });
  return Status::ok();
}

}  // namespace atrous
