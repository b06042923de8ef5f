// concat: copies an input into its channel slice of the output (inputs the planner already placed
// in the slice are skipped by the caller). Also used to copy outputs out of the arena.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void copy_kernel(Tensor<const float> x, Tensor<float> y, int64_t offset) {
  ATROUS_GRID_STRIDE(i, x.elements()) {
    const int64_t c = i % x.c, pix = i / x.c;
    const int64_t w = pix % x.w, h = (pix / x.w) % x.h, n = pix / (x.w * x.h);
    y.pixel(n, h, w)[offset + c] = x.pixel(n, h, w)[c];
  }
}

}  // namespace

int cuda_copy(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y, int64_t offset) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "copy input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "copy output"));
  if (x->n != y->n || x->h != y->h || x->w != y->w || offset < 0 || offset + x->c > y->c)
    return invalid(ctx, "copy: the input does not fit the output slice");
  ATROUS_CUDA_RETURN(use(ctx));
  copy_kernel<<<grid_for(x->n * x->h * x->w * x->c), kThreads, 0, ctx->stream>>>(view<const float>(*x), view(*y), offset);
  return launched(ctx, "copy");
}
