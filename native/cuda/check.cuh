// Shared by the plugin's .cu files: the context, CUDA errors → return codes with text, device views.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "cuda/plugin_api.h"

struct atrous_cuda_context {
  int device = 0;
  int compute_major = 0;
  bool tf32 = true;  // tensor-core TF32 for large convolutions (sm_80+); ATROUS_CUDA_TF32=0 turns it off
  int tf32_usable = -1;  // whether the loaded image has the TF32 kernel body; -1: not asked yet
  cudaStream_t stream = nullptr;
  std::string error;
};

namespace atrous_cuda {

inline int fail(atrous_cuda_context* ctx, cudaError_t e, const char* what) {
  ctx->error = std::string(what) + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
  cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  return static_cast<int>(e) ? static_cast<int>(e) : -1;
}

inline int invalid(atrous_cuda_context* ctx, const std::string& what) {
  ctx->error = what;
  return -1;
}

// Every entry point selects the context's device first: the runtime's current device is per thread
// and runs come from different worker threads.
inline int use(atrous_cuda_context* ctx) {
  cudaError_t e = cudaSetDevice(ctx->device);
  return e == cudaSuccess ? 0 : fail(ctx, e, "cudaSetDevice");
}

// After a launch: configuration errors show up here; faults inside the kernel at the next sync.
inline int launched(atrous_cuda_context* ctx, const char* kernel) {
  cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? 0 : fail(ctx, e, kernel);
}

#define ATROUS_CUDA_TRY(ctx, expr)                                        \
  do {                                                                    \
    cudaError_t atrous_e_ = (expr);                                       \
    if (atrous_e_ != cudaSuccess) return ::atrous_cuda::fail(ctx, atrous_e_, #expr); \
  } while (0)

#define ATROUS_CUDA_RETURN(expr) \
  do {                           \
    int atrous_rc_ = (expr);     \
    if (atrous_rc_) return atrous_rc_; \
  } while (0)

// A device-side view of an NHWC tensor (see atrous_cuda_tensor).
template <typename T>
struct Tensor {
  T* data;
  int64_t n, h, w, c, ps;
  __device__ __forceinline__ T* pixel(int64_t in, int64_t y, int64_t x) const { return data + ((in * h + y) * w + x) * ps; }
  __host__ __device__ int64_t elements() const { return n * h * w * c; }
};

template <typename T = float>
inline Tensor<T> view(const atrous_cuda_tensor& t) {
  return Tensor<T>{static_cast<T*>(t.data), t.n, t.h, t.w, t.c, t.pixel_stride};
}

// Checks a tensor descriptor before any kernel trusts it.
inline int check_tensor(atrous_cuda_context* ctx, const atrous_cuda_tensor* t, const char* what) {
  if (!t || !t->data) return invalid(ctx, std::string(what) + ": null tensor");
  if (t->n <= 0 || t->h <= 0 || t->w <= 0 || t->c <= 0 || t->pixel_stride < t->c)
    return invalid(ctx, std::string(what) + ": bad tensor shape or stride");
  return 0;
}

constexpr int kThreads = 256;

// Grid size for a grid-stride loop over `n` items (capped: the loop covers the rest).
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  int64_t blocks = (n + threads - 1) / threads;
  if (blocks > 65535LL * 8) blocks = 65535LL * 8;
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}

#define ATROUS_GRID_STRIDE(i, count) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (count); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

__device__ __forceinline__ float clampf(float v, float lo, float hi) { return fminf(fmaxf(v, lo), hi); }

}  // namespace atrous_cuda

// The op entry points, one .cu each; plugin.cu puts them in the table.
extern "C++" {
int cuda_conv2d_pack(atrous_cuda_context*, const atrous_cuda_conv2d*, int64_t, int64_t, const float*, const float*,
                     atrous_cuda_conv_weights**);
void cuda_conv2d_release(atrous_cuda_context*, atrous_cuda_conv_weights*);
int cuda_conv2d(atrous_cuda_context*, const atrous_cuda_conv_weights*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_pool2d(atrous_cuda_context*, const atrous_cuda_pool2d*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_global_avg_pool(atrous_cuda_context*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_resize_bilinear(atrous_cuda_context*, const atrous_cuda_tap*, const atrous_cuda_tap*, const atrous_cuda_tensor*,
                         const atrous_cuda_tensor*);
int cuda_binary(atrous_cuda_context*, int, float, float, const atrous_cuda_tensor*, const atrous_cuda_tensor*,
                const atrous_cuda_tensor*);
int cuda_copy(atrous_cuda_context*, const atrous_cuda_tensor*, const atrous_cuda_tensor*, int64_t);
int cuda_affine(atrous_cuda_context*, const float*, const float*, float, float, const atrous_cuda_tensor*,
                const atrous_cuda_tensor*);
int cuda_pad(atrous_cuda_context*, const atrous_cuda_pad*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_softmax(atrous_cuda_context*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_argmax(atrous_cuda_context*, const atrous_cuda_tensor*, const atrous_cuda_tensor*);
int cuda_space_batch(atrous_cuda_context*, const atrous_cuda_space_batch*, const atrous_cuda_tensor*,
                     const atrous_cuda_tensor*);
}
