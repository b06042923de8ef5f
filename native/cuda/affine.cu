// y = clamp(x * scale[c] + shift[c]): an unfolded batch_norm (scale / shift precomputed) and, with
// no scale / shift, clip / relu / relu6.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void affine_kernel(const float* __restrict__ scale, const float* __restrict__ shift, float lo, float hi,
                              Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    float v = x.data[pix * x.ps + c];
    if (scale) v = v * scale[c] + shift[c];
    y.data[pix * y.ps + c] = clampf(v, lo, hi);
  }
}

}  // namespace

int cuda_affine(atrous_cuda_context* ctx, const float* scale, const float* shift, float lo, float hi,
                const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "affine input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "affine output"));
  if (x->n != y->n || x->h != y->h || x->w != y->w || x->c != y->c || (!scale != !shift))
    return invalid(ctx, "affine: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  affine_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(scale, shift, lo, hi,
                                                                                  view<const float>(*x), view(*y));
  return launched(ctx, "affine");
}
