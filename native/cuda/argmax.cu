// argmax over channels → int32 labels; ties go to the lowest index, as ref::argmax.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void argmax_kernel(Tensor<const float> x, Tensor<int32_t> y) {
  ATROUS_GRID_STRIDE(pix, x.n * x.h * x.w) {
    const float* in = x.data + pix * x.ps;
    int32_t best = 0;
    for (int64_t c = 1; c < x.c; ++c)
      if (in[c] > in[best]) best = static_cast<int32_t>(c);
    y.data[pix * y.ps] = best;
  }
}

}  // namespace

int cuda_argmax(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "argmax input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "argmax output"));
  if (x->n != y->n || x->h != y->h || x->w != y->w || y->c != 1) return invalid(ctx, "argmax: bad shapes");
  if (x->c > 0x7fffffff) return invalid(ctx, "argmax: too many channels");
  ATROUS_CUDA_RETURN(use(ctx));
  argmax_kernel<<<grid_for(x->n * x->h * x->w), kThreads, 0, ctx->stream>>>(view<const float>(*x), view<int32_t>(*y));
  return launched(ctx, "argmax");
}
