// The plugin's entry point: device probe, contexts (device + stream), memory, and the op table.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "cuda/check.cuh"

#if defined(_WIN32)
#define ATROUS_CUDA_EXPORT extern "C" __declspec(dllexport)
#else
#define ATROUS_CUDA_EXPORT extern "C" __attribute__((visibility("default")))
#endif

using namespace atrous_cuda;

namespace {

void copy_text(char* dst, size_t size, const char* src) {
  if (!dst || size == 0) return;
  std::snprintf(dst, size, "%s", src ? src : "");
}

void probe(atrous_cuda_probe* out) {
  std::memset(out, 0, sizeof(*out));
  cudaDriverGetVersion(&out->driver_version);
  cudaRuntimeGetVersion(&out->runtime_version);
#ifdef ATROUS_HAVE_CUDNN
  out->has_cudnn = 1;
#endif
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    std::snprintf(out->error, sizeof(out->error), "no usable CUDA device: %s (%s)", cudaGetErrorName(e), cudaGetErrorString(e));
    cudaGetLastError();
    return;
  }
  if (count == 0) {
    copy_text(out->error, sizeof(out->error), "no CUDA device found");
    return;
  }
  cudaDeviceProp prop;
  e = cudaGetDeviceProperties(&prop, 0);
  if (e != cudaSuccess) {
    std::snprintf(out->error, sizeof(out->error), "cudaGetDeviceProperties: %s", cudaGetErrorString(e));
    cudaGetLastError();
    return;
  }
  if (prop.major < 7 || (prop.major == 7 && prop.minor < 5)) {
    std::snprintf(out->error, sizeof(out->error), "%s has compute capability %d.%d; the plugin needs 7.5 or newer",
                  prop.name, prop.major, prop.minor);
    return;
  }
  out->device_count = count;
  out->device = 0;
  copy_text(out->device_name, sizeof(out->device_name), prop.name);
  out->compute_major = prop.major;
  out->compute_minor = prop.minor;
  out->total_memory = prop.totalGlobalMem;
}

int context_create(int device, atrous_cuda_context** out, char* error, size_t error_size) {
  *out = nullptr;
  auto* ctx = new (std::nothrow) atrous_cuda_context();
  if (!ctx) {
    copy_text(error, error_size, "out of host memory");
    return -1;
  }
  ctx->device = device;
  const char* tf32 = std::getenv("ATROUS_CUDA_TF32");
  ctx->tf32 = !(tf32 && std::strcmp(tf32, "0") == 0);
  cudaDeviceProp prop;
  cudaError_t e = cudaSetDevice(device);
  if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, device);
  if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
  if (e != cudaSuccess) {
    std::snprintf(error, error_size, "creating a CUDA stream on device %d: %s", device, cudaGetErrorString(e));
    cudaGetLastError();
    delete ctx;
    return static_cast<int>(e);
  }
  ctx->compute_major = prop.major;
  *out = ctx;
  return 0;
}

void context_destroy(atrous_cuda_context* ctx) {
  if (!ctx) return;
  cudaSetDevice(ctx->device);
  if (ctx->stream) {
    cudaStreamSynchronize(ctx->stream);
    cudaStreamDestroy(ctx->stream);
  }
  delete ctx;
}

const char* last_error(const atrous_cuda_context* ctx) { return ctx ? ctx->error.c_str() : ""; }

int alloc(atrous_cuda_context* ctx, size_t bytes, void** out) {
  *out = nullptr;
  ATROUS_CUDA_RETURN(use(ctx));
  ATROUS_CUDA_TRY(ctx, cudaMalloc(out, bytes ? bytes : 4));
  return 0;
}

void release(atrous_cuda_context* ctx, void* ptr) {
  if (!ptr) return;
  cudaSetDevice(ctx->device);
  // The stream may still read the buffer; finish it before giving the memory back.
  cudaStreamSynchronize(ctx->stream);
  cudaFree(ptr);
  cudaGetLastError();
}

int upload(atrous_cuda_context* ctx, void* dst, const void* src, size_t bytes) {
  ATROUS_CUDA_RETURN(use(ctx));
  ATROUS_CUDA_TRY(ctx, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, ctx->stream));
  // Pageable host memory: the copy is staged, but the caller may free `src` right after, so wait.
  ATROUS_CUDA_TRY(ctx, cudaStreamSynchronize(ctx->stream));
  return 0;
}

int download(atrous_cuda_context* ctx, void* dst, const void* src, size_t bytes) {
  ATROUS_CUDA_RETURN(use(ctx));
  ATROUS_CUDA_TRY(ctx, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, ctx->stream));
  ATROUS_CUDA_TRY(ctx, cudaStreamSynchronize(ctx->stream));
  return 0;
}

int synchronize(atrous_cuda_context* ctx) {
  ATROUS_CUDA_RETURN(use(ctx));
  ATROUS_CUDA_TRY(ctx, cudaStreamSynchronize(ctx->stream));
  return 0;
}

const atrous_cuda_api_v1 kPlugin = {
    ATROUS_CUDA_ABI_VERSION,
    sizeof(atrous_cuda_api_v1),
    probe,
    context_create,
    context_destroy,
    last_error,
    alloc,
    release,
    upload,
    download,
    synchronize,
    cuda_conv2d_pack,
    cuda_conv2d_release,
    cuda_conv2d,
    cuda_pool2d,
    cuda_global_avg_pool,
    cuda_resize_bilinear,
    cuda_binary,
    cuda_copy,
    cuda_affine,
    cuda_pad,
    cuda_softmax,
    cuda_argmax,
    cuda_space_batch,
};

}  // namespace

ATROUS_CUDA_EXPORT const atrous_cuda_api_v1* atrous_cuda_plugin_v1() { return &kPlugin; }
