// A kernel from a lambda, for ops whose kernel needs no state beyond what the lambda captures.
#pragma once
#include <memory>
#include <utility>

#include "graph/kernel.h"

namespace atrous {

template <typename Fn>
class LambdaKernel : public Kernel {
 public:
  explicit LambdaKernel(Fn fn) : fn_(std::move(fn)) {}
  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& out) override { return fn_(ctx, in, out); }

 private:
  Fn fn_;
};

template <typename Fn>
std::unique_ptr<Kernel> make_lambda_kernel(Fn fn) {
  return std::make_unique<LambdaKernel<Fn>>(std::move(fn));
}

// Splits a job over output rows (n, y) on the pool.
template <typename RowFn>
Status for_each_row(const ExecContext& ctx, const Shape4& s, RowFn&& row) {
  return ctx.pool->parallel_for(s.n * s.h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) row(r / s.h, r % s.h);
  });
}

// A constant weight as a view (right-aligned NHWC, contiguous).
inline CFView constant_view(const TensorInfo& t) { return CFView{t.weight->data.data(), t.shape, t.shape.c}; }

// A view of the rows [y, y+1) of image n.
template <typename T>
View<T> row_view(const View<T>& v, int64_t n, int64_t y) {
  return View<T>{v.pixel(n, y, 0), {1, 1, v.shape.w, v.shape.c}, v.pixel_stride};
}

}  // namespace atrous
