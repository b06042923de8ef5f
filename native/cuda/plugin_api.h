/* The C interface between the CPU addon and the CUDA plugin (libatrous_cuda.so / atrous_cuda.dll).
 * The two may be built separately, so only plain C types cross it, and the table is versioned:
 * the addon checks `abi_version` and `struct_size` before touching any function pointer.
 *
 * Conventions: every function returning int returns 0 on success; on failure it returns a CUDA
 * error number (or -1) and the text is available from `last_error(ctx)` (or the `error` buffer of
 * the probe). Work is enqueued on the context's own stream; copies to the host and `synchronize`
 * wait for it. Tensors are NHWC float32 (argmax writes int32 into the same 4-byte storage), with
 * `pixel_stride` elements between neighbouring pixels so a tensor can be a channel slice. */
#ifndef ATROUS_CUDA_PLUGIN_API_H
#define ATROUS_CUDA_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATROUS_CUDA_ABI_VERSION 1
#define ATROUS_CUDA_ENTRY "atrous_cuda_plugin_v1"

typedef struct atrous_cuda_probe {
  int device_count;
  int device;                /* the device a context would use (0) */
  char device_name[256];
  int compute_major, compute_minor;
  uint64_t total_memory;     /* bytes */
  int driver_version;        /* e.g. 12040 = 12.4; 0 when no driver */
  int runtime_version;       /* the CUDA runtime linked into the plugin */
  int has_cudnn;             /* built with cuDNN */
  char error[512];           /* why there is no usable device, when device_count == 0 */
} atrous_cuda_probe;

typedef struct atrous_cuda_tensor {
  void* data; /* device memory */
  int64_t n, h, w, c;
  int64_t pixel_stride;
} atrous_cuda_tensor;

typedef struct atrous_cuda_window {
  int64_t kh, kw, sh, sw, dh, dw, pad_t, pad_b, pad_l, pad_r;
} atrous_cuda_window;

typedef struct atrous_cuda_conv2d {
  atrous_cuda_window window;
  int64_t groups;
  float act_min, act_max; /* fused clamp (relu = [0, inf)) */
} atrous_cuda_conv2d;

enum { ATROUS_CUDA_POOL_MAX = 0, ATROUS_CUDA_POOL_AVG = 1 };
typedef struct atrous_cuda_pool2d {
  int kind;
  int count_include_pad;
  atrous_cuda_window window;
} atrous_cuda_pool2d;

enum { ATROUS_CUDA_ADD = 0, ATROUS_CUDA_SUB = 1, ATROUS_CUDA_MUL = 2 };

enum { ATROUS_CUDA_PAD_CONSTANT = 0, ATROUS_CUDA_PAD_REFLECT = 1, ATROUS_CUDA_PAD_EDGE = 2 };
typedef struct atrous_cuda_pad {
  int mode;
  int64_t top, left;
  float value;
} atrous_cuda_pad;

typedef struct atrous_cuda_space_batch {
  int to_batch;
  int64_t bh, bw, t, l; /* block and the top / left pads (to batch) or crops (to space) */
} atrous_cuda_space_batch;

/* One bilinear tap per output row / column: the two source indices and the weight of the second. */
typedef struct atrous_cuda_tap {
  int32_t i0, i1;
  float frac;
} atrous_cuda_tap;

typedef struct atrous_cuda_context atrous_cuda_context;

/* A packed conv2d: weights uploaded and laid out for the kernel that will run it. */
typedef struct atrous_cuda_conv_weights atrous_cuda_conv_weights;

typedef struct atrous_cuda_api_v1 {
  uint32_t abi_version; /* ATROUS_CUDA_ABI_VERSION */
  uint32_t struct_size; /* sizeof(atrous_cuda_api_v1) */

  void (*probe)(atrous_cuda_probe* out);

  /* A context = one device + one stream; a compiled model owns one. */
  int (*context_create)(int device, atrous_cuda_context** out, char* error, size_t error_size);
  void (*context_destroy)(atrous_cuda_context* ctx);
  const char* (*last_error)(const atrous_cuda_context* ctx);

  int (*alloc)(atrous_cuda_context* ctx, size_t bytes, void** out);
  void (*free)(atrous_cuda_context* ctx, void* ptr);
  int (*upload)(atrous_cuda_context* ctx, void* dst, const void* src, size_t bytes);   /* host → device */
  int (*download)(atrous_cuda_context* ctx, void* dst, const void* src, size_t bytes); /* device → host, waits */
  int (*synchronize)(atrous_cuda_context* ctx);

  /* weight: host OHWI [Cout, KH, KW, Cin/groups]; bias: host [Cout] or NULL. */
  int (*conv2d_pack)(atrous_cuda_context* ctx, const atrous_cuda_conv2d* params, int64_t cin, int64_t cout,
                     const float* weight, const float* bias, atrous_cuda_conv_weights** out);
  void (*conv2d_release)(atrous_cuda_context* ctx, atrous_cuda_conv_weights* w);
  int (*conv2d)(atrous_cuda_context* ctx, const atrous_cuda_conv_weights* w, const atrous_cuda_tensor* x,
                const atrous_cuda_tensor* y);

  int (*pool2d)(atrous_cuda_context* ctx, const atrous_cuda_pool2d* params, const atrous_cuda_tensor* x,
                const atrous_cuda_tensor* y);
  int (*global_avg_pool)(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y);
  /* taps_y[y.h] and taps_x[y.w] live in device memory. */
  int (*resize_bilinear)(atrous_cuda_context* ctx, const atrous_cuda_tap* taps_y, const atrous_cuda_tap* taps_x,
                         const atrous_cuda_tensor* x, const atrous_cuda_tensor* y);
  /* a or b may have size 1 in any dimension (broadcast). */
  int (*binary)(atrous_cuda_context* ctx, int kind, float act_min, float act_max, const atrous_cuda_tensor* a,
                const atrous_cuda_tensor* b, const atrous_cuda_tensor* y);
  /* Copies x into channels [channel_offset, channel_offset + x.c) of y (concat, output copies). */
  int (*copy)(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y, int64_t channel_offset);
  /* y = clamp(x * scale[c] + shift[c]); scale / shift in device memory or NULL (1 and 0). */
  int (*affine)(atrous_cuda_context* ctx, const float* scale, const float* shift, float act_min, float act_max,
                const atrous_cuda_tensor* x, const atrous_cuda_tensor* y);
  int (*pad)(atrous_cuda_context* ctx, const atrous_cuda_pad* params, const atrous_cuda_tensor* x,
             const atrous_cuda_tensor* y);
  int (*softmax)(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y);
  int (*argmax)(atrous_cuda_context* ctx, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y);
  int (*space_batch)(atrous_cuda_context* ctx, const atrous_cuda_space_batch* params, const atrous_cuda_tensor* x,
                     const atrous_cuda_tensor* y);
} atrous_cuda_api_v1;

typedef const atrous_cuda_api_v1* (*atrous_cuda_entry_fn)(void);

/* The one exported symbol (ATROUS_CUDA_ENTRY). */
const atrous_cuda_api_v1* atrous_cuda_plugin_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* ATROUS_CUDA_PLUGIN_API_H */
