// Spatial pad: constant, reflect (edge not repeated) or edge, as ref::pad.
#include "cuda/check.cuh"

using namespace atrous_cuda;

namespace {

__device__ __forceinline__ int64_t source_index(int mode, int64_t i, int64_t size) {
  if (i >= 0 && i < size) return i;
  if (mode == ATROUS_CUDA_PAD_CONSTANT) return -1;
  if (mode == ATROUS_CUDA_PAD_EDGE) return i < 0 ? 0 : size - 1;
  return i < 0 ? -i : 2 * (size - 1) - i;
}

__global__ void pad_kernel(atrous_cuda_pad p, Tensor<const float> x, Tensor<float> y) {
  ATROUS_GRID_STRIDE(i, y.elements()) {
    const int64_t c = i % y.c, pix = i / y.c;
    const int64_t ox = pix % y.w, oy = (pix / y.w) % y.h, n = pix / (y.w * y.h);
    const int64_t iy = source_index(p.mode, oy - p.top, x.h), ix = source_index(p.mode, ox - p.left, x.w);
    // Reflect needs the pad smaller than the size; the op validates it, the bounds check keeps it safe.
    const bool inside = iy >= 0 && ix >= 0 && iy < x.h && ix < x.w;
    y.pixel(n, oy, ox)[c] = inside ? x.pixel(n, iy, ix)[c] : p.value;
  }
}

}  // namespace

int cuda_pad(atrous_cuda_context* ctx, const atrous_cuda_pad* p, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, x, "pad input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, y, "pad output"));
  if (x->n != y->n || x->c != y->c || p->mode < ATROUS_CUDA_PAD_CONSTANT || p->mode > ATROUS_CUDA_PAD_EDGE)
    return invalid(ctx, "pad: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  pad_kernel<<<grid_for(y->n * y->h * y->w * y->c), kThreads, 0, ctx->stream>>>(*p, view<const float>(*x), view(*y));
  return launched(ctx, "pad");
}
