// softmax over channels, numerically stable; one thread per pixel (DeepLab heads have ~21-150 classes).
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__global__ void softmax_kernel(Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(pix, x.n * x.h * x.w) {
    const float* in = x.data + pix * x.ps;
    float* out = y.data + pix * y.ps;
    float m = in[0];
    for (int64_t c = 1; c < x.c; ++c) m = fmaxf(m, in[c]);
    float sum = 0.f;
    for (int64_t c = 0; c < x.c; ++c) sum += expf(in[c] - m);
    const float inv = 1.f / sum;
    for (int64_t c = 0; c < x.c; ++c) out[c] = expf(in[c] - m) * inv;
  }
}

}  // namespace

int cuda_softmax(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "softmax input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "softmax output"));
  if (x->n != y->n || x->h != y->h || x->w != y->w || x->c != y->c) return invalid(ctx, "softmax: bad shapes");
  ATROUS_CUDA_RETURN(use(ctx));
  softmax_kernel<<<grid_for(x->n * x->h * x->w), kThreads, 0, ctx->stream>>>(view<const float>(*x), view(*y));
  return launched(ctx, "softmax");
}
