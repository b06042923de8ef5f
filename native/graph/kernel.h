// What a backend builds for one node at compile, and runs for it at every run().
#pragma once
#include <atomic>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "graph/device.h"
#include "graph/graph.h"

namespace atrous {

struct ExecContext {
  ThreadPool* pool = nullptr;
  void* scratch = nullptr;  // kernel-requested scratch, 64-byte aligned, valid during run()
  const std::atomic<bool>* abort = nullptr;
  bool aborted() const { return abort && abort->load(std::memory_order_relaxed); }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // `inputs`: the node's non-constant inputs in order (constants were captured at creation).
  // `out` may be a channel slice of a wider buffer (pixel_stride > C). Int32 outputs (argmax)
  // use the same 4-byte storage through `out.data`.
  virtual Status run(const ExecContext& ctx, const std::vector<CFView>& inputs, const FView& out) = 0;
  virtual size_t scratch_bytes() const { return 0; }
};

// Everything a backend needs to build a node's kernel.
struct KernelRequest {
  Op* op = nullptr;
  std::vector<TensorInfo> inputs;  // constants carry their data
  TensorInfo output;
  int threads = 1;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual bool supports(const KernelRequest& request) const = 0;
  virtual Status make_kernel(const KernelRequest& request, std::unique_ptr<Kernel>* out) = 0;
  // Device backends keep activations in their own memory (kernels get device views); CPU: null.
  virtual std::shared_ptr<DeviceMemory> device() { return nullptr; }
};

std::unique_ptr<Backend> make_cpu_backend();
// The CUDA backend, through the plugin (graph/cuda_backend_proxy.cc). UNSUPPORTED with the reason
// when CUDA is not available here, DEVICE_ERROR when the device fails.
Status make_cuda_backend(std::unique_ptr<Backend>* out);

}  // namespace atrous
