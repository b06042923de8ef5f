#include "graph/executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace atrous {

namespace {

KernelRequest request_for(const Graph& g, const Node& n, int threads) {
  KernelRequest req;
  req.op = n.op.get();
  req.inputs = g.input_infos(n);
  req.output = g.values[n.output].info;
  req.threads = threads;
  return req;
}

// CPU unless CUDA was asked for and is available; nodes without a CUDA kernel then run on the
// CPU (see run_on_host). 'auto' stays on the CPU until the CUDA kernels have been verified on a
// GPU (none was available to this project yet): a wrong answer is worse than a slow one.
Status choose_backend(Device device, std::unique_ptr<Backend>* out) {
  if (device == Device::kCuda) {
    Status s = make_cuda_backend(out);
    if (s.is_ok()) return s;
    if (device == Device::kCuda) return error(s.code(), "device 'cuda': ", s.message());
  }
  *out = make_cpu_backend();
  return Status::ok();
}

}  // namespace

Status CompiledModel::compile(const Descriptor& desc, std::vector<WeightData>&& weights, const CompileOptions& options,
                              std::unique_ptr<CompiledModel>* out) {
  return guarded([&]() -> Status {
    auto m = std::unique_ptr<CompiledModel>(new CompiledModel());
    ATROUS_RETURN_IF_ERROR(build_graph(desc, std::move(weights), &m->graph_));
    const int threads = options.threads > 0 ? options.threads : ThreadPool::default_threads();
    ATROUS_RETURN_IF_ERROR(choose_backend(options.device, &m->backend_));
    ATROUS_RETURN_IF_ERROR(optimize_graph(&m->graph_, !m->backend_->device(), threads));
    ATROUS_RETURN_IF_ERROR(plan_memory(m->graph_, &m->plan_));
    m->pool_ = std::make_unique<ThreadPool>(threads);
    for (int ni : m->plan_.order) {
      Node& n = m->graph_.nodes[ni];
      KernelRequest req = request_for(m->graph_, n, threads);
      Step step;
      step.node = ni;
      Backend* backend = m->backend_.get();
      if (!backend->supports(req) && backend->device()) {
        if (!m->host_backend_) m->host_backend_ = make_cpu_backend();
        backend = m->host_backend_.get();
        step.on_host = true;
      }
      if (!backend->supports(req))
        return error(Code::kUnsupported, n.op->where(), ": not supported by the ", backend->name(), " backend");
      ATROUS_RETURN_IF_ERROR(backend->make_kernel(req, &step.kernel));
      for (int in : n.inputs)
        if (!m->graph_.values[in].info.is_constant()) step.activation_inputs.push_back(in);
      m->scratch_bytes_ = std::max(m->scratch_bytes_, step.kernel->scratch_bytes());
      m->steps_.push_back(std::move(step));
    }
    for (int in : m->graph_.inputs) {
      const Value& v = m->graph_.values[in];
      m->inputs_.push_back({v.name, v.info.dtype, v.info.shape});
    }
    for (const OutputDesc& o : m->graph_.outputs) {
      const Value& v = m->graph_.values[o.value];
      m->outputs_.push_back({o.name, v.info.dtype, v.info.shape});
    }
    *out = std::move(m);
    return Status::ok();
  });
}

int64_t CompiledModel::weight_bytes() const {
  int64_t total = 0;
  for (const Value& v : graph_.values)
    if (v.weight) total += static_cast<int64_t>(v.weight->data.size()) * 4;
  return total;
}

FView CompiledModel::view_of(int value, const std::vector<const float*>& inputs, const std::vector<void*>& outputs,
                             float* arena) const {
  const Placement& p = plan_.values[value];
  float* base = nullptr;
  switch (p.where) {
    case Placement::Where::kInput: base = const_cast<float*>(inputs[p.index]); break;
    case Placement::Where::kOutput: base = static_cast<float*>(outputs[p.index]); break;
    case Placement::Where::kArena: base = arena + p.offset; break;
    case Placement::Where::kNone: break;
  }
  return FView{base + p.channel_offset, graph_.values[value].info.shape, p.pixel_stride};
}

Status CompiledModel::run(const std::vector<const float*>& inputs, const std::vector<void*>& outputs,
                          const std::atomic<bool>* abort, std::vector<StepTiming>* timings) {
  return guarded([&]() -> Status {
    if (inputs.size() != inputs_.size() || outputs.size() != outputs_.size())
      return error(Code::kInvalidArgument, "run() got ", inputs.size(), " inputs and ", outputs.size(), " outputs, expected ",
                   inputs_.size(), " and ", outputs_.size());
    ExecContext ctx;
    ctx.pool = pool_.get();
    ctx.abort = abort;
    std::shared_ptr<DeviceMemory> dev = backend_->device();
    std::vector<const float*> in_ptrs = inputs;
    std::vector<void*> out_ptrs = outputs;
    float* arena = nullptr;
    if (scratch_.size() * 4 < scratch_bytes_) scratch_.assign((scratch_bytes_ + 3) / 4 + 16, 0.f);
    ctx.scratch = scratch_.data();
    if (dev) {
      ATROUS_RETURN_IF_ERROR(stage_on_device(dev.get(), inputs, &in_ptrs, &out_ptrs));
      arena = device_arena_.floats();
    } else {
      if (arena_.size() < static_cast<size_t>(plan_.arena_elements)) arena_.assign(plan_.arena_elements, 0.f);
      arena = arena_.data();
    }
    std::vector<CFView> in_views;
    for (size_t i = 0; i < steps_.size(); ++i) {
      Step& step = steps_[i];
      if (ctx.aborted()) return error(Code::kAborted, "run aborted");
      const Node& n = graph_.nodes[step.node];
      in_views.clear();
      for (int v : step.activation_inputs) in_views.push_back(as_const(view_of(v, in_ptrs, out_ptrs, arena)));
      FView out = view_of(n.output, in_ptrs, out_ptrs, arena);
      auto t0 = std::chrono::steady_clock::now();
      Status s = step.on_host ? run_on_host(dev.get(), step, ctx, in_views, out) : step.kernel->run(ctx, in_views, out);
      // Device kernels are queued: wait for them when timing, and now and then so that abort can act.
      if (s.is_ok() && dev && (timings || (abort && i % 16 == 15))) s = dev->synchronize();
      if (!s.is_ok()) return error(s.code(), n.op->where(), ": ", s.message());
      if (timings) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        timings->push_back({n.op->name, n.op->type(), ms});
      }
    }
    if (dev) return finish_on_device(dev.get(), in_ptrs, out_ptrs, outputs);
    // Outputs that are also inputs, or listed twice, are copied into their buffers.
    for (size_t i = 0; i < graph_.outputs.size(); ++i) {
      const Placement& p = plan_.values[graph_.outputs[i].value];
      if (p.where == Placement::Where::kOutput && p.index == static_cast<int>(i)) continue;
      FView src = view_of(graph_.outputs[i].value, inputs, outputs, arena);
      auto* dst = static_cast<float*>(outputs[i]);
      const Shape4& s = src.shape;
      for (int64_t nn = 0; nn < s.n; ++nn)
        for (int64_t y = 0; y < s.h; ++y)
          for (int64_t x = 0; x < s.w; ++x) std::memcpy(dst + ((nn * s.h + y) * s.w + x) * s.c, src.pixel(nn, y, x), s.c * 4);
    }
    return Status::ok();
  });
}

Status CompiledModel::stage_on_device(DeviceMemory* dev, const std::vector<const float*>& inputs,
                                      std::vector<const float*>* device_inputs, std::vector<void*>* device_outputs) {
  std::shared_ptr<DeviceMemory> mem = backend_->device();
  ATROUS_RETURN_IF_ERROR(device_arena_.reserve(mem, static_cast<size_t>(plan_.arena_elements) * 4));
  device_inputs_.resize(inputs_.size());
  device_outputs_.resize(outputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const size_t bytes = static_cast<size_t>(inputs_[i].shape.elements()) * 4;
    ATROUS_RETURN_IF_ERROR(device_inputs_[i].reserve(mem, bytes));
    ATROUS_RETURN_IF_ERROR(dev->upload(device_inputs_[i].data(), inputs[i], bytes));
    (*device_inputs)[i] = device_inputs_[i].floats();
  }
  for (size_t i = 0; i < outputs_.size(); ++i) {
    ATROUS_RETURN_IF_ERROR(device_outputs_[i].reserve(mem, static_cast<size_t>(outputs_[i].shape.elements()) * 4));
    (*device_outputs)[i] = device_outputs_[i].data();
  }
  return Status::ok();
}

// A CPU kernel inside a device model: its inputs come down to host memory (strided views through a
// contiguous device copy), it runs, and its output goes back up into its (possibly strided) view.
Status CompiledModel::run_on_host(DeviceMemory* dev, Step& step, const ExecContext& ctx,
                                  const std::vector<CFView>& inputs, const FView& out) {
  int64_t largest = out.shape.elements();
  for (const CFView& v : inputs) largest = std::max(largest, v.shape.elements());
  ATROUS_RETURN_IF_ERROR(device_staging_.reserve(backend_->device(), static_cast<size_t>(largest) * 4));
  host_staging_.resize(inputs.size() + 1);
  std::vector<CFView> host_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const CFView& v = inputs[i];
    const float* src = v.data;
    if (!v.contiguous()) {
      ATROUS_RETURN_IF_ERROR(dev->copy(v, make_view(device_staging_.floats(), v.shape)));
      src = device_staging_.floats();
    }
    host_staging_[i].resize(static_cast<size_t>(v.shape.elements()));
    ATROUS_RETURN_IF_ERROR(dev->download(host_staging_[i].data(), src, host_staging_[i].size() * 4));
    host_inputs.push_back(make_view<const float>(host_staging_[i].data(), v.shape));
  }
  std::vector<float>& result = host_staging_.back();
  result.assign(static_cast<size_t>(out.shape.elements()), 0.f);
  ATROUS_RETURN_IF_ERROR(step.kernel->run(ctx, host_inputs, make_view(result.data(), out.shape)));
  if (out.contiguous()) return dev->upload(out.data, result.data(), result.size() * 4);
  ATROUS_RETURN_IF_ERROR(dev->upload(device_staging_.data(), result.data(), result.size() * 4));
  return dev->copy(make_view<const float>(device_staging_.floats(), out.shape), out);
}

Status CompiledModel::finish_on_device(DeviceMemory* dev, const std::vector<const float*>& device_inputs,
                                       const std::vector<void*>& device_outputs, const std::vector<void*>& outputs) {
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const Placement& p = plan_.values[graph_.outputs[i].value];
    if (!(p.where == Placement::Where::kOutput && p.index == static_cast<int>(i))) {
      FView src = view_of(graph_.outputs[i].value, device_inputs, device_outputs, device_arena_.floats());
      ATROUS_RETURN_IF_ERROR(dev->copy(as_const(src), make_view(static_cast<float*>(device_outputs[i]), outputs_[i].shape)));
    }
    ATROUS_RETURN_IF_ERROR(dev->download(outputs[i], device_outputs[i], static_cast<size_t>(outputs_[i].shape.elements()) * 4));
  }
  return Status::ok();
}

}  // namespace atrous
