// Bilinear resize. The caller computes the taps (source indices and weights per output row and
// column) with the same code as the CPU kernel, so every coordinate mode matches it exactly.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void resize_kernel(const atrous_cuda_tap* __restrict__ ty, const atrous_cuda_tap* __restrict__ tx,
                              Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    const int64_t ox = pix % y.w, oy = (pix / y.w) % y.h, n = pix / (y.w * y.h);
    const atrous_cuda_tap a = ty[oy], b = tx[ox];
    const float p00 = x.pixel(n, a.i0, b.i0)[c], p01 = x.pixel(n, a.i0, b.i1)[c];
    const float p10 = x.pixel(n, a.i1, b.i0)[c], p11 = x.pixel(n, a.i1, b.i1)[c];
    const float top = p00 + (p01 - p00) * b.frac;
    const float bottom = p10 + (p11 - p10) * b.frac;
    y.pixel(n, oy, ox)[c] = top + (bottom - top) * a.frac;
  }
}

}  // namespace

int cuda_resize_bilinear(atrous_cuda_context* ctx, const atrous_cuda_tap* ty, const atrous_cuda_tap* tx,
                         const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "resize_bilinear input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "resize_bilinear output"));
  if (!ty || !tx || x->n != y->n || x->c != y->c) return invalid(ctx, "resize_bilinear: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  resize_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(ty, tx, view<const float>(*x), view(*y));
  return launched(ctx, "resize_bilinear");
}
