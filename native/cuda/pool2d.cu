// max_pool2d / avg_pool2d (window, padding excluded from the average unless count_include_pad)
// and global_avg_pool; the same rules as ref::pool2d.
#include <cfloat>

#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void pool_kernel(atrous_cuda_pool2d p, Tensor<const float> x, Tensor<float> y) {
  const atrous_cuda_window& w = p.window;
  const bool is_max = p.kind == ATROUS_CUDA_POOL_MAX;
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    const int64_t ox = pix % y.w, oy = (pix / y.w) % y.h, n = pix / (y.w * y.h);
    float acc = is_max ? -INFINITY : 0.f;
    int64_t count = 0;
    for (int64_t ky = 0; ky < w.kh; ++ky)
      for (int64_t kx = 0; kx < w.kw; ++kx) {
        const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh, ix = ox * w.sw - w.pad_l + kx * w.dw;
        if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) {
          if (!is_max && p.count_include_pad && iy < x.h + w.pad_b && ix < x.w + w.pad_r) ++count;
          continue;
        }
        const float v = x.pixel(n, iy, ix)[c];
        acc = is_max ? fmaxf(acc, v) : acc + v;
        ++count;
      }
    y.pixel(n, oy, ox)[c] = is_max ? acc : (count ? acc / count : 0.f);
  }
}

// One thread per (n, c): neighbouring threads read neighbouring channels of the same pixel.
__global__ void global_avg_kernel(Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, x.n * x.c) {
    const int64_t c = i % x.c, n = i / x.c;
    double acc = 0;
    for (int64_t yy = 0; yy < x.h; ++yy)
      for (int64_t xx = 0; xx < x.w; ++xx) acc += x.pixel(n, yy, xx)[c];
    y.pixel(n, 0, 0)[c] = static_cast<float>(acc / static_cast<double>(x.h * x.w));
  }
}

}  // namespace

int cuda_pool2d(atrous_cuda_context* ctx, const atrous_cuda_pool2d* p, const atrous_cuda_tensor* x,
                const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "pool2d input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "pool2d output"));
  const atrous_cuda_window& w = p->window;
  if (x->n != y->n || x->c != y->c || w.kh < 1 || w.kw < 1 || w.sh < 1 || w.sw < 1 || w.dh < 1 || w.dw < 1)
    return invalid(ctx, "pool2d: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  pool_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(*p, view<const float>(*x), view(*y));
  return launched(ctx, "pool2d");
}

int cuda_global_avg_pool(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "global_avg_pool input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "global_avg_pool output"));
  if (x->n != y->n || x->c != y->c || y->h != 1 || y->w != 1) return invalid(ctx, "global_avg_pool: bad shapes");
  ATROUS_CUDA_RETURN(use(ctx));
  global_avg_kernel<<<grid_for(x->n * x->c), kThreads, 0, ctx->stream>>>(view<const float>(*x), view(*y));
  return launched(ctx, "global_avg_pool");
}
