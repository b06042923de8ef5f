// The CUDA backend on the addon side: a Backend whose kernels call into the plugin's C table
// (core/plugin_loader.h). Weights are uploaded once at compile; activations are device views.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "core/plugin_loader.h"
#include "cpu/lambda_kernel.h"
#include "cpu/reference.h"
#include "graph/kernel.h"
#include "ops/softmax.h"

namespace atrous {

namespace {

// One plugin context (device + stream) per compiled model, shared by its kernels and buffers.
class CudaDevice : public DeviceMemory {
 public:
  CudaDevice(const atrous_cuda_api_v1* api, atrous_cuda_context* ctx) : api_(api), ctx_(ctx) {}
  ~CudaDevice() override { api_->context_destroy(ctx_); }

  const atrous_cuda_api_v1& api() const { return *api_; }
  atrous_cuda_context* ctx() const { return ctx_; }

  // A plugin return code as a Status naming what failed.
  Status check(int rc, const std::string& what) const {
    if (rc == 0) return Status::ok();
    return error(Code::kDeviceError, what, ": CUDA error: ", api_->last_error(ctx_));
  }

  Status allocate(size_t bytes, void** out) override {
    int rc = api_->alloc(ctx_, bytes, out);
    if (rc == 2 /* cudaErrorMemoryAllocation */)
      return error(Code::kOutOfMemory, "out of GPU memory allocating ", bytes, " bytes: ", api_->last_error(ctx_));
    return check(rc, "allocating GPU memory");
  }
  void release(void* ptr) override { api_->free(ctx_, ptr); }
  Status upload(void* dst, const void* src, size_t bytes) override {
    return check(api_->upload(ctx_, dst, src, bytes), "copying to the GPU");
  }
  Status download(void* dst, const void* src, size_t bytes) override {
    return check(api_->download(ctx_, dst, src, bytes), "copying from the GPU");
  }
  Status copy(const CFView& src, const FView& dst) override;
  Status synchronize() override { return check(api_->synchronize(ctx_), "running on the GPU"); }

 private:
  const atrous_cuda_api_v1* api_;
  atrous_cuda_context* ctx_;
};

template <typename T>
atrous_cuda_tensor tensor(const View<T>& v) {
  return atrous_cuda_tensor{const_cast<void*>(static_cast<const void*>(v.data)), v.shape.n, v.shape.h, v.shape.w,
                            v.shape.c, v.pixel_stride};
}

Status CudaDevice::copy(const CFView& src, const FView& dst) {
  atrous_cuda_tensor x = tensor(src), y = tensor(dst);
  return check(api_->copy(ctx_, &x, &y, 0), "copying on the GPU");
}

atrous_cuda_window window(const Window2d& w) {
  return atrous_cuda_window{w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.pad_t, w.pad_b, w.pad_l, w.pad_r};
}

// Host data uploaded once at compile, shared by a kernel's copies.
Status upload_constant(const std::shared_ptr<CudaDevice>& dev, const void* data, size_t bytes,
                       std::shared_ptr<DeviceBuffer>* out) {
  auto buf = std::make_shared<DeviceBuffer>();
  ATROUS_RETURN_IF_ERROR(buf->reserve(dev, bytes));
  ATROUS_RETURN_IF_ERROR(dev->upload(buf->data(), data, bytes));
  *out = std::move(buf);
  return Status::ok();
}

class CudaConvKernel : public Kernel {
 public:
  CudaConvKernel(std::shared_ptr<CudaDevice> dev, atrous_cuda_conv_weights* w) : dev_(std::move(dev)), w_(w) {}
  ~CudaConvKernel() override { dev_->api().conv2d_release(dev_->ctx(), w_); }
  Status run(const ExecContext&, const std::vector<CFView>& in, const FView& out) override {
    atrous_cuda_tensor x = tensor(in[0]), y = tensor(out);
    return dev_->check(dev_->api().conv2d(dev_->ctx(), w_, &x, &y), "conv2d");
  }

 private:
  std::shared_ptr<CudaDevice> dev_;
  atrous_cuda_conv_weights* w_;
};

Status make_conv(const std::shared_ptr<CudaDevice>& dev, const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const Conv2dOp&>(*req.op);
  atrous_cuda_conv2d p{window(op.window), op.groups, op.activation.min, op.activation.max};
  const float* bias = req.inputs.size() == 3 ? req.inputs[2].weight->data.data() : nullptr;
  atrous_cuda_conv_weights* w = nullptr;
  ATROUS_RETURN_IF_ERROR(dev->check(dev->api().conv2d_pack(dev->ctx(), &p, req.inputs[0].shape.c, req.output.shape.c,
                                                           req.inputs[1].weight->data.data(), bias, &w),
                                    "conv2d: packing weights"));
  *out = std::make_unique<CudaConvKernel>(dev, w);
  return Status::ok();
}

// Taps as the CPU kernel computes them: clamp the source coordinate, then floor and floor + 1.
std::vector<atrous_cuda_tap> resize_taps(ResizeBilinearOp::Mode mode, int64_t in, int64_t out, double scale) {
  std::vector<atrous_cuda_tap> t(out);
  for (int64_t o = 0; o < out; ++o) {
    float s = ref::resize_source_coordinate(mode, o, in, out, scale);
    s = std::min(std::max(s, 0.f), static_cast<float>(in - 1));
    const int64_t i0 = static_cast<int64_t>(std::floor(s));
    t[o] = {static_cast<int32_t>(i0), static_cast<int32_t>(std::min(i0 + 1, in - 1)), s - i0};
  }
  return t;
}

Status make_resize(const std::shared_ptr<CudaDevice>& dev, const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const ResizeBilinearOp&>(*req.op);
  const Shape4 &x = req.inputs[0].shape, &y = req.output.shape;
  if (x.h > INT32_MAX || x.w > INT32_MAX) return req.op->invalid(Code::kUnsupported, "input too large for the GPU kernel");
  auto ty = resize_taps(op.mode, x.h, y.h, op.scale_h), tx = resize_taps(op.mode, x.w, y.w, op.scale_w);
  std::shared_ptr<DeviceBuffer> dty, dtx;
  ATROUS_RETURN_IF_ERROR(upload_constant(dev, ty.data(), ty.size() * sizeof(atrous_cuda_tap), &dty));
  ATROUS_RETURN_IF_ERROR(upload_constant(dev, tx.data(), tx.size() * sizeof(atrous_cuda_tap), &dtx));
  *out = make_lambda_kernel([dev, dty, dtx](const ExecContext&, const std::vector<CFView>& in, const FView& o) {
    atrous_cuda_tensor a = tensor(in[0]), b = tensor(o);
    return dev->check(dev->api().resize_bilinear(dev->ctx(), static_cast<const atrous_cuda_tap*>(dty->data()),
                                                  static_cast<const atrous_cuda_tap*>(dtx->data()), &a, &b),
                      "resize_bilinear");
  });
  return Status::ok();
}

Status make_binary(const std::shared_ptr<CudaDevice>& dev, const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const BinaryOp&>(*req.op);
  const int kind = op.kind == BinaryOp::Kind::kAdd ? ATROUS_CUDA_ADD : op.kind == BinaryOp::Kind::kSub ? ATROUS_CUDA_SUB : ATROUS_CUDA_MUL;
  const Activation act = op.activation;
  const std::string name = op.type();
  const int constant_side = req.inputs[0].is_constant() ? 0 : req.inputs[1].is_constant() ? 1 : -1;
  std::shared_ptr<DeviceBuffer> constant;
  Shape4 cshape;
  if (constant_side >= 0) {
    const TensorInfo& t = req.inputs[constant_side];
    cshape = t.shape;
    ATROUS_RETURN_IF_ERROR(upload_constant(dev, t.weight->data.data(), t.weight->data.size() * 4, &constant));
  }
  *out = make_lambda_kernel([=](const ExecContext&, const std::vector<CFView>& in, const FView& o) {
    CFView c{constant ? constant->floats() : nullptr, cshape, cshape.c};
    const CFView& a = constant_side == 0 ? c : in[0];
    const CFView& b = constant_side == 1 ? c : constant_side == 0 ? in[0] : in[1];
    atrous_cuda_tensor ta = tensor(a), tb = tensor(b), ty = tensor(o);
    return dev->check(dev->api().binary(dev->ctx(), kind, act.min, act.max, &ta, &tb, &ty), name);
  });
  return Status::ok();
}

Status make_affine(const std::shared_ptr<CudaDevice>& dev, const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  std::shared_ptr<DeviceBuffer> scale, shift;
  Activation range;
  if (std::strcmp(req.op->type(), "batch_norm") == 0) {
    // Not folded into a conv: y = x * a + b, a and b per channel (as the CPU kernel).
    std::vector<double> scale_d, shift_d;
    static_cast<const BatchNormOp&>(*req.op).affine(req.inputs, &scale_d, &shift_d);
    const std::vector<float> a(scale_d.begin(), scale_d.end()), b(shift_d.begin(), shift_d.end());
    ATROUS_RETURN_IF_ERROR(upload_constant(dev, a.data(), a.size() * 4, &scale));
    ATROUS_RETURN_IF_ERROR(upload_constant(dev, b.data(), b.size() * 4, &shift));
  } else {
    range = static_cast<const ClipOp&>(*req.op).range;
  }
  *out = make_lambda_kernel([=](const ExecContext&, const std::vector<CFView>& in, const FView& o) {
    atrous_cuda_tensor x = tensor(in[0]), y = tensor(o);
    return dev->check(dev->api().affine(dev->ctx(), scale ? scale->floats() : nullptr, shift ? shift->floats() : nullptr,
                                        range.min, range.max, &x, &y),
                      "affine");
  });
  return Status::ok();
}

// Kernels whose parameters are plain values: a lambda per op type.
Status make_simple(const std::shared_ptr<CudaDevice>& dev, const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  const std::string type = req.op->type();
  using Fn = std::function<int(atrous_cuda_context*, const atrous_cuda_tensor*, const atrous_cuda_tensor*)>;
  Fn fn;
  const atrous_cuda_api_v1* api = &dev->api();  // the plugin's static table
  if (type == "max_pool2d" || type == "avg_pool2d") {
    const auto& op = static_cast<const Pool2dOp&>(*req.op);
    atrous_cuda_pool2d p{op.kind == Pool2dOp::Kind::kMax ? ATROUS_CUDA_POOL_MAX : ATROUS_CUDA_POOL_AVG,
                         op.count_include_pad ? 1 : 0, window(op.window)};
    fn = [api, p](atrous_cuda_context* c, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) { return api->pool2d(c, &p, x, y); };
  } else if (type == "global_avg_pool") {
    fn = api->global_avg_pool;
  } else if (type == "pad") {
    const auto& op = static_cast<const PadOp&>(*req.op);
    atrous_cuda_pad p{op.mode == PadOp::Mode::kConstant ? ATROUS_CUDA_PAD_CONSTANT
                      : op.mode == PadOp::Mode::kReflect ? ATROUS_CUDA_PAD_REFLECT : ATROUS_CUDA_PAD_EDGE,
                      op.top, op.left, op.value};
    fn = [api, p](atrous_cuda_context* c, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) { return api->pad(c, &p, x, y); };
  } else if (type == "softmax") {
    fn = api->softmax;
  } else if (type == "argmax") {
    fn = api->argmax;
  } else if (type == "space_to_batch" || type == "batch_to_space") {
    const auto& op = static_cast<const SpaceBatchOp&>(*req.op);
    atrous_cuda_space_batch p{op.to_batch ? 1 : 0, op.bh, op.bw, op.t, op.l};
    fn = [api, p](atrous_cuda_context* c, const atrous_cuda_tensor* x, const atrous_cuda_tensor* y) { return api->space_batch(c, &p, x, y); };
  } else {
    return req.op->invalid(Code::kUnsupported, "no CUDA kernel");
  }
  *out = make_lambda_kernel([dev, fn, type](const ExecContext&, const std::vector<CFView>& in, const FView& o) {
    atrous_cuda_tensor x = tensor(in[0]), y = tensor(o);
    return dev->check(fn(dev->ctx(), &x, &y), type);
  });
  return Status::ok();
}

Status make_concat(const std::shared_ptr<CudaDevice>& dev, std::unique_ptr<Kernel>* out) {
  // Inputs the planner placed in their slice are already there; the rest are copied.
  *out = make_lambda_kernel([dev](const ExecContext&, const std::vector<CFView>& in, const FView& o) {
    int64_t offset = 0;
    atrous_cuda_tensor y = tensor(o);
    for (const CFView& x : in) {
      if (x.data != o.data + offset) {
        atrous_cuda_tensor t = tensor(x);
        ATROUS_RETURN_IF_ERROR(dev->check(dev->api().copy(dev->ctx(), &t, &y, offset), "concat"));
      }
      offset += x.shape.c;
    }
    return Status::ok();
  });
  return Status::ok();
}

class CudaBackend : public Backend {
 public:
  explicit CudaBackend(std::shared_ptr<CudaDevice> dev) : dev_(std::move(dev)) {
    // ATROUS_CUDA_DISABLE_OPS=softmax,pad runs those ops on the CPU inside CUDA models: for
    // bisecting a suspected kernel bug, and for testing the executor's per-node fallback.
    if (const char* off = std::getenv("ATROUS_CUDA_DISABLE_OPS")) disabled_ = std::string(",") + off + ",";
  }
  const char* name() const override { return "cuda"; }
  bool supports(const KernelRequest& req) const override {
    if (disabled_.find(std::string(",") + req.op->type() + ",") != std::string::npos) return false;
    static const char* const kOps[] = {"conv2d",  "batch_norm",      "add",        "sub",     "mul",
                                       "concat",  "max_pool2d",      "avg_pool2d", "global_avg_pool",
                                       "resize_bilinear", "pad",     "clip",       "softmax", "argmax",
                                       "space_to_batch",  "batch_to_space"};
    for (const char* op : kOps)
      if (std::strcmp(op, req.op->type()) == 0) return true;
    return false;
  }
  Status make_kernel(const KernelRequest& req, std::unique_ptr<Kernel>* out) override {
    const std::string type = req.op->type();
    if (type == "conv2d") return make_conv(dev_, req, out);
    if (type == "resize_bilinear") return make_resize(dev_, req, out);
    if (type == "add" || type == "sub" || type == "mul") return make_binary(dev_, req, out);
    if (type == "batch_norm" || type == "clip") return make_affine(dev_, req, out);
    if (type == "concat") return make_concat(dev_, out);
    return make_simple(dev_, req, out);
  }
  std::shared_ptr<DeviceMemory> device() override { return dev_; }

 private:
  std::shared_ptr<CudaDevice> dev_;
  std::string disabled_;
};

}  // namespace

Status make_cuda_backend(std::unique_ptr<Backend>* out) {
  const CudaPlugin& plugin = cuda_plugin();
  if (!plugin.available) return error(Code::kUnsupported, "CUDA is not available: ", plugin.reason);
  char why[512] = {0};
  atrous_cuda_context* ctx = nullptr;
  if (plugin.api->context_create(0, &ctx, why, sizeof(why)) != 0 || !ctx)
    return error(Code::kDeviceError, "could not start CUDA on ", plugin.device, ": ", why);
  *out = std::make_unique<CudaBackend>(std::make_shared<CudaDevice>(plugin.api, ctx));
  return Status::ok();
}

}  // namespace atrous
