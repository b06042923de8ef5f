// space_to_batch / batch_to_space with TF's batch order: batch index = (by * bw + bx) * N + n.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void space_batch_kernel(atrous_cuda_space_batch p, Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    const int64_t ox = pix % y.w, row = (pix / y.w) % y.h, b = pix / (y.w * y.h);
    float v = 0.f;
    if (p.to_batch) {
      const int64_t n = b % x.n, block = b / x.n, by = block / p.bw, bx = block % p.bw;
      const int64_t iy = row * p.bh + by - p.t, ix = ox * p.bw + bx - p.l;
      if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) v = x.pixel(n, iy, ix)[c];
    } else {
      const int64_t py = row + p.t, px = ox + p.l;
      const int64_t iy = py / p.bh, ix = px / p.bw;
      const int64_t ib = ((py % p.bh) * p.bw + px % p.bw) * y.n + b;
      if (ib < x.n && iy < x.h && ix < x.w) v = x.pixel(ib, iy, ix)[c];
    }
    y.pixel(b, row, ox)[c] = v;
  }
}

}  // namespace

int cuda_space_batch(atrous_cuda_context* ctx, const atrous_cuda_space_batch* p, const atrous_cuda_tensor* x,
                     const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "space_batch input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "space_batch output"));
  if (p->bh < 1 || p->bw < 1 || p->t < 0 || p->l < 0 || x->c != y->c) return invalid(ctx, "space_batch: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  space_batch_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(*p, view<const float>(*x), view(*y));
  return launched(ctx, "space_batch");
}
