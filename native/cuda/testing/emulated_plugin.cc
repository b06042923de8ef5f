// A test double for the CUDA plugin: the same C ABI (plugin_api.h), "device" memory in host memory
// and the reference kernels behind it. It lets the addon's CUDA path — loader, ABI check, backend
// proxy, executor device memory — and native/tests/cuda_test.cc itself run on machines without a
// GPU. It is never installed; the build puts it only beside the native tests.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cpu/reference.h"
#include "cuda/plugin_api.h"

struct atrous_cuda_context {
  std::string error;
};

struct atrous_cuda_conv_weights {
  atrous::Conv2dOp op;
  std::vector<float> weight, bias;
};

namespace {

using namespace atrous;

template <typename T = float>
View<T> view(const atrous_cuda_tensor* t) {
  return View<T>{static_cast<T*>(t->data), {t->n, t->h, t->w, t->c}, t->pixel_stride};
}
CFView cview(const atrous_cuda_tensor* t) { return as_const(view(t)); }

Window2d window(const atrous_cuda_window& w) {
  Window2d r;
  r.kh = w.kh, r.kw = w.kw, r.sh = w.sh, r.sw = w.sw, r.dh = w.dh, r.dw = w.dw;
  r.padding = "explicit";
  r.pad_t = w.pad_t, r.pad_b = w.pad_b, r.pad_l = w.pad_l, r.pad_r = w.pad_r;
  return r;
}

void probe(atrous_cuda_probe* out) {
  std::memset(out, 0, sizeof(*out));
  out->device_count = 1;
  std::snprintf(out->device_name, sizeof(out->device_name), "host emulation (reference kernels)");
  out->compute_major = 8;
  out->driver_version = 13000;
  out->runtime_version = 13000;
}

int context_create(int, atrous_cuda_context** out, char*, size_t) {
  *out = new atrous_cuda_context();
  return 0;
}
void context_destroy(atrous_cuda_context* ctx) { delete ctx; }
const char* last_error(const atrous_cuda_context* ctx) { return ctx->error.c_str(); }
// ATROUS_CUDA_EMULATE_FAILURE=alloc|conv2d makes that call fail as the GPU would (tests of the
// error paths): alloc as out of memory, conv2d as a kernel fault.
bool should_fail(const char* what) {
  const char* f = std::getenv("ATROUS_CUDA_EMULATE_FAILURE");
  return f && std::strcmp(f, what) == 0;
}

int alloc(atrous_cuda_context* ctx, size_t bytes, void** out) {
  *out = should_fail("alloc") ? nullptr : std::malloc(bytes ? bytes : 4);
  if (!*out) ctx->error = "out of memory";
  return *out ? 0 : 2;
}
void release(atrous_cuda_context*, void* p) { std::free(p); }
int copy_bytes(atrous_cuda_context*, void* dst, const void* src, size_t bytes) {
  std::memcpy(dst, src, bytes);
  return 0;
}
int synchronize(atrous_cuda_context*) { return 0; }

int conv2d_pack(atrous_cuda_context*, const atrous_cuda_conv2d* p, int64_t cin, int64_t cout, const float* weight,
                const float* bias, atrous_cuda_conv_weights** out) {
  auto* w = new atrous_cuda_conv_weights();
  w->op.window = window(p->window);
  w->op.groups = p->groups;
  w->op.activation = Activation{p->act_min, p->act_max};
  w->weight.assign(weight, weight + cout * p->window.kh * p->window.kw * (cin / p->groups));
  if (bias) w->bias.assign(bias, bias + cout);
  *out = w;
  return 0;
}
void conv2d_release(atrous_cuda_context*, atrous_cuda_conv_weights* w) { delete w; }
int conv2d(atrous_cuda_context* ctx, const atrous_cuda_conv_weights* w, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  if (should_fail("conv2d")) {
    ctx->error = "cudaErrorIllegalAddress (emulated failure)";
    return 700;
  }
  ref::conv2d(w->op, cview(x), w->weight.data(), w->bias.empty() ? nullptr : w->bias.data(), view(y));
  return 0;
}

int pool2d(atrous_cuda_context*, const atrous_cuda_pool2d* p, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  Pool2dOp op;
  op.kind = p->kind == ATROUS_CUDA_POOL_MAX ? Pool2dOp::Kind::kMax : Pool2dOp::Kind::kAvg;
  op.window = window(p->window);
  op.count_include_pad = p->count_include_pad != 0;
  ref::pool2d(op, cview(x), view(y));
  return 0;
}
int global_avg_pool(atrous_cuda_context*, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ref::global_avg_pool(cview(x), view(y));
  return 0;
}
// Interpolates with the taps it is given (the proxy computes them), as the CUDA kernel does.
int resize_bilinear(atrous_cuda_context*, const atrous_cuda_tap* ty, const atrous_cuda_tap* tx, const atrous_cuda_tensor* xt,
                    const atrous_cuda_tensor* yt) {
  CFView x = cview(xt);
  FView y = view(yt);
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy)
      for (int64_t ox = 0; ox < y.shape.w; ++ox)
        for (int64_t c = 0; c < y.shape.c; ++c) {
          const atrous_cuda_tap a = ty[oy], b = tx[ox];
          const float p00 = x.pixel(n, a.i0, b.i0)[c], p01 = x.pixel(n, a.i0, b.i1)[c];
          const float p10 = x.pixel(n, a.i1, b.i0)[c], p11 = x.pixel(n, a.i1, b.i1)[c];
          const float top = p00 + (p01 - p00) * b.frac, bottom = p10 + (p11 - p10) * b.frac;
          y.pixel(n, oy, ox)[c] = top + (bottom - top) * a.frac;
        }
  return 0;
}
int binary(atrous_cuda_context*, int kind, float lo, float hi, const atrous_cuda_tensor* a, const atrous_cuda_tensor* b,
           const atrous_cuda_tensor* y) {
  const auto k = kind == ATROUS_CUDA_ADD ? BinaryOp::Kind::kAdd : kind == ATROUS_CUDA_SUB ? BinaryOp::Kind::kSub : BinaryOp::Kind::kMul;
  ref::binary(k, Activation{lo, hi}, cview(a), cview(b), view(y));
  return 0;
}
int copy(atrous_cuda_context*, const atrous_cuda_tensor* xt, const atrous_cuda_tensor* yt, int64_t offset) {
  CFView x = cview(xt);
  FView y = view(yt);
  for (int64_t n = 0; n < x.shape.n; ++n)
    for (int64_t h = 0; h < x.shape.h; ++h)
      for (int64_t w = 0; w < x.shape.w; ++w) std::memcpy(y.pixel(n, h, w) + offset, x.pixel(n, h, w), x.shape.c * 4);
  return 0;
}
int affine(atrous_cuda_context*, const float* scale, const float* shift, float lo, float hi, const atrous_cuda_tensor* xt,
           const atrous_cuda_tensor* yt) {
  CFView x = cview(xt);
  FView y = view(yt);
  for (int64_t n = 0; n < x.shape.n; ++n)
    for (int64_t h = 0; h < x.shape.h; ++h)
      for (int64_t w = 0; w < x.shape.w; ++w)
        for (int64_t c = 0; c < x.shape.c; ++c) {
          float v = x.pixel(n, h, w)[c];
          if (scale) v = v * scale[c] + shift[c];
          y.pixel(n, h, w)[c] = std::min(std::max(v, lo), hi);
        }
  return 0;
}
int pad(atrous_cuda_context*, const atrous_cuda_pad* p, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  PadOp op;
  op.mode = p->mode == ATROUS_CUDA_PAD_CONSTANT ? PadOp::Mode::kConstant
            : p->mode == ATROUS_CUDA_PAD_REFLECT ? PadOp::Mode::kReflect : PadOp::Mode::kEdge;
  op.top = p->top, op.left = p->left, op.value = p->value;
  ref::pad(op, cview(x), view(y));
  return 0;
}
int softmax(atrous_cuda_context*, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ref::softmax(cview(x), view(y));
  return 0;
}
int argmax(atrous_cuda_context*, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  ref::argmax(cview(x), view<int32_t>(y));
  return 0;
}
int space_batch(atrous_cuda_context*, const atrous_cuda_space_batch* p, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) {
  SpaceBatchOp op;
  op.to_batch = p->to_batch != 0;
  op.bh = p->bh, op.bw = p->bw, op.t = p->t, op.l = p->l;
  ref::space_batch(op, cview(x), view(y));
  return 0;
}

const atrous_cuda_api_v1 kEmulated = {
    ATROUS_CUDA_ABI_VERSION, sizeof(atrous_cuda_api_v1), probe, context_create, context_destroy, last_error, alloc,
    release, copy_bytes, copy_bytes, synchronize, conv2d_pack, conv2d_release, conv2d, pool2d, global_avg_pool,
    resize_bilinear, binary, copy, affine, pad, softmax, argmax, space_batch,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const atrous_cuda_api_v1* atrous_cuda_plugin_v1() { return &kEmulated; }
