// add / sub / mul with broadcasting (a size-1 dimension repeats) and a fused clamp.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__device__ __forceinline__ int64_t bidx(int64_t i, int64_t size) { return size == 1 ? 0 : i; }

__global__ void binary_kernel(int kind, float lo, float hi, Tensor<const float> a, Tensor<const float> b,
                              Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    const int64_t w = pix % y.w, h = (pix / y.w) % y.h, n = pix / (y.w * y.h);
    const float va = a.pixel(bidx(n, a.n), bidx(h, a.h), bidx(w, a.w))[bidx(c, a.c)];
    const float vb = b.pixel(bidx(n, b.n), bidx(h, b.h), bidx(w, b.w))[bidx(c, b.c)];
    const float v = kind == ATROUS_CUDA_ADD ? va + vb : kind == ATROUS_CUDA_SUB ? va - vb : va * vb;
    y.pixel(n, h, w)[c] = clampf(v, lo, hi);
  }
}

bool broadcasts(int64_t in, int64_t out) { return in == out || in == 1; }

}  // namespace

int cuda_binary(atrous_cuda_context* ctx, int kind, float lo, float hi, const atrous_cuda_tensor* a,
                const atrous_cuda_tensor* b, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, a, "binary input a"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, b, "binary input b"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "binary output"));
  for (const atrous_cuda_tensor* t : {a, b})
    if (!broadcasts(t->n, y->n) || !broadcasts(t->h, y->h) || !broadcasts(t->w, y->w) || !broadcasts(t->c, y->c))
      return invalid(ctx, "binary: input does not broadcast to the output");
  if (kind < ATROUS_CUDA_ADD || kind > ATROUS_CUDA_MUL) return invalid(ctx, "binary: unknown kind");
  ATROUS_CUDA_RETURN(use(ctx));
  binary_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(
      kind, lo, hi, view<const float>(*a), view<const float>(*b), view(*y));
  return launched(ctx, "binary");
}
