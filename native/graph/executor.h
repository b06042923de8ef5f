// A compiled model: the optimized graph, one kernel per live node, the memory plan, and a
// thread pool. run() walks the steps; it is not re-entrant (the binding serializes runs).
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "graph/graph.h"
#include "graph/kernel.h"
#include "graph/planner.h"

namespace atrous {

enum class Device { kCpu, kCuda, kAuto };

struct CompileOptions {
  int threads = 0;  // 0: hardware concurrency
  // kAuto: CUDA when the plugin and a GPU are there, else CPU. In a CUDA model, nodes without a
  // CUDA kernel run on the CPU (Step::on_host).
  Device device = Device::kCpu;
};

struct IoInfo {
  std::string name;
  DType dtype;
  Shape4 shape;
};

struct StepTiming {
  std::string node, op;
  double ms = 0;
};

class CompiledModel {
 public:
  static Status compile(const Descriptor& desc, std::vector<WeightData>&& weights, const CompileOptions& options,
                        std::unique_ptr<CompiledModel>* out);

  const std::vector<IoInfo>& inputs() const { return inputs_; }
  const std::vector<IoInfo>& outputs() const { return outputs_; }
  int threads() const { return pool_->threads(); }
  int64_t arena_bytes() const { return plan_.arena_elements * 4; }
  int64_t weight_bytes() const;
  size_t steps() const { return steps_.size(); }
  const char* backend_name() const { return backend_->name(); }

  // inputs[i] holds inputs()[i].shape.elements() floats; outputs[i] receives outputs()[i].
  Status run(const std::vector<const float*>& inputs, const std::vector<void*>& outputs,
             const std::atomic<bool>* abort, std::vector<StepTiming>* timings);

 private:
  struct Step {
    int node;
    std::unique_ptr<Kernel> kernel;
    std::vector<int> activation_inputs;
    bool on_host = false;  // a CPU kernel in a device model: inputs and output staged through host memory
  };
  FView view_of(int value, const std::vector<const float*>& inputs, const std::vector<void*>& outputs,
                float* arena) const;
  // Device backends: inputs copied in before the steps, outputs copied out after them.
  Status stage_on_device(DeviceMemory* dev, const std::vector<const float*>& inputs,
                         std::vector<const float*>* device_inputs, std::vector<void*>* device_outputs);
  Status run_on_host(DeviceMemory* dev, Step& step, const ExecContext& ctx, const std::vector<CFView>& inputs,
                     const FView& out);
  Status finish_on_device(DeviceMemory* dev, const std::vector<const float*>& device_inputs,
                          const std::vector<void*>& device_outputs, const std::vector<void*>& outputs);

  Graph graph_;
  MemoryPlan plan_;
  std::vector<Step> steps_;
  std::vector<IoInfo> inputs_, outputs_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Backend> backend_;
  size_t scratch_bytes_ = 0;
  std::vector<float> arena_;    // allocated at first run, reused afterwards
  std::vector<float> scratch_;
  // Device memory (device backends only), allocated at the first run and reused; declared after
  // backend_ so it is released before the device goes away.
  DeviceBuffer device_arena_, device_staging_;
  std::vector<DeviceBuffer> device_inputs_, device_outputs_;
  std::unique_ptr<Backend> host_backend_;  // CPU kernels for nodes the device backend lacks
  std::vector<std::vector<float>> host_staging_;
};

}  // namespace atrous
