// The CUDA backend against the reference kernels over parameter sweeps, through the same Backend
// and plugin the executor uses. Without the plugin or a GPU it prints "no CUDA device: N sweeps not
// run" with the reason, and fails only on a real mismatch (or a plugin that does not load).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>

#include "core/plugin_loader.h"
#include "cpu/reference.h"
#include "graph/kernel.h"
#include "tests/harness.h"

namespace atrous {

namespace {

using test::random_vector;

struct Gpu {
  std::unique_ptr<Backend> backend;
  std::shared_ptr<DeviceMemory> mem;
};

Gpu* gpu() {
  static Gpu* g = []() -> Gpu* {
    std::unique_ptr<Backend> b;
    if (!make_cuda_backend(&b).is_ok()) return nullptr;
    auto* r = new Gpu();
    r->mem = b->device();
    r->backend = std::move(b);
    return r;
  }();
  return g;
}

// An operand: an activation (uploaded per run) or a constant weight.
struct Operand {
  Shape4 shape;
  std::vector<float> data;
  bool constant = false;
  WeightData weight;  // filled for constants
};

Operand activation(Shape4 s, uint32_t seed) { return Operand{s, random_vector(s.elements(), seed), false, {}}; }
Operand constant(Shape4 s, std::vector<int64_t> dims, uint32_t seed) {
  Operand o{s, random_vector(s.elements(), seed), true, {}};
  o.weight.shape = std::move(dims);
  o.weight.data = o.data;
  return o;
}

std::vector<TensorInfo> infos_of(const std::vector<Operand>& ops) {
  std::vector<TensorInfo> infos;
  for (const Operand& o : ops) infos.push_back(TensorInfo{DType::kFloat32, o.shape, o.constant ? &o.weight : nullptr});
  return infos;
}

// Runs `op` on the GPU. The output is written as a channel slice (offset 1, two spare channels)
// of a buffer filled with a sentinel, to check that kernels honour pixel_stride.
bool run_on_gpu(Op& op, const std::vector<Operand>& operands, const TensorInfo& out, std::vector<float>* result) {
  Gpu& g = *gpu();
  KernelRequest req{&op, infos_of(operands), out, 1};
  CHECK_MSG(g.backend->supports(req), op.where());
  std::unique_ptr<Kernel> kernel;
  Status s = g.backend->make_kernel(req, &kernel);
  CHECK_MSG(s.is_ok(), s.message());
  if (!s.is_ok()) return false;
  std::vector<DeviceBuffer> buffers;
  std::vector<CFView> inputs;
  for (const Operand& o : operands) {
    if (o.constant) continue;
    buffers.emplace_back();
    s = buffers.back().reserve(g.mem, o.data.size() * 4);
    if (s.is_ok()) s = g.mem->upload(buffers.back().data(), o.data.data(), o.data.size() * 4);
    CHECK_MSG(s.is_ok(), s.message());
    if (!s.is_ok()) return false;
    inputs.push_back(make_view<const float>(buffers.back().floats(), o.shape));
  }
  const Shape4& os = out.shape;
  const int64_t stride = os.c + 2, pixels = os.n * os.h * os.w;
  constexpr float kSentinel = 12345.f;
  std::vector<float> host(static_cast<size_t>(pixels * stride), kSentinel);
  DeviceBuffer y;
  s = y.reserve(g.mem, host.size() * 4);
  if (s.is_ok()) s = g.mem->upload(y.data(), host.data(), host.size() * 4);
  ExecContext ctx;
  if (s.is_ok()) s = kernel->run(ctx, inputs, FView{y.floats() + 1, os, stride});
  if (s.is_ok()) s = g.mem->download(host.data(), y.data(), host.size() * 4);
  CHECK_MSG(s.is_ok(), op.where() + ": " + s.message());
  if (!s.is_ok()) return false;
  result->assign(static_cast<size_t>(os.elements()), 0.f);
  bool spare_untouched = true;
  for (int64_t p = 0; p < pixels; ++p) {
    spare_untouched &= host[p * stride] == kSentinel && host[p * stride + stride - 1] == kSentinel;
    for (int64_t c = 0; c < os.c; ++c) (*result)[p * os.c + c] = host[p * stride + 1 + c];
  }
  CHECK_MSG(spare_untouched, op.where() + ": wrote outside its channel slice");
  return true;
}

// |got - want| <= abs + rel * scale, scale = |want| or a magnitude bound (conv: sum of |x*w|).
void expect_close(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                  float abs_tol, float rel_tol, const std::vector<float>* scale = nullptr) {
  CHECK_MSG(got.size() == want.size(), what);
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const float s = scale ? (*scale)[i] : std::fabs(want[i]);
    const bool ok = std::fabs(got[i] - want[i]) <= abs_tol + rel_tol * s || (std::isinf(want[i]) && got[i] == want[i]);
    if (!ok) {
      CHECK_MSG(false, what + ": element " + std::to_string(i) + " is " + std::to_string(got[i]) + ", reference " +
                           std::to_string(want[i]));
      return;
    }
  }
}

template <typename OpT>
void name_op(OpT& op, const std::string& name) {
  op.name = name;
}

// ---- sweeps; each returns normally, recording mismatches through CHECK ----

void conv_sweep() {
  struct Case {
    int64_t cin, cout, groups, k, stride, dilation;
    const char* padding;
    bool bias;
    Activation act;
  };
  const Activation none, relu{0.f, INFINITY}, relu6{0.f, 6.f};
  const Case cases[] = {
      {3, 8, 1, 3, 2, 1, "same", true, relu},      {16, 64, 1, 3, 1, 2, "same", true, relu},
      {37, 70, 1, 3, 1, 4, "same", false, none},   {64, 96, 1, 1, 1, 1, "valid", true, relu6},
      {48, 33, 1, 3, 2, 1, "valid", true, none},   {128, 40, 1, 3, 1, 6, "same", true, relu},
      {16, 16, 16, 3, 1, 1, "same", false, relu6}, {24, 48, 24, 3, 2, 2, "same", true, none},
      {32, 32, 32, 5, 1, 3, "same", true, relu}, {32, 64, 32, 3, 1, 2, "valid", false, relu},  {8, 12, 4, 3, 1, 1, "same", true, none},
      {12, 24, 2, 1, 1, 1, "valid", false, relu},
  };
  uint32_t seed = 100;
  for (const Case& c : cases)
    for (Shape4 xs : {Shape4{1, 17, 13, c.cin}, Shape4{2, 9, 24, c.cin}}) {
      Conv2dOp op;
      name_op(op, "conv k" + std::to_string(c.k) + " g" + std::to_string(c.groups) + " d" + std::to_string(c.dilation) +
                      " s" + std::to_string(c.stride) + " cin" + std::to_string(c.cin) + " cout" + std::to_string(c.cout));
      op.window.sh = op.window.sw = c.stride;
      op.window.dh = op.window.dw = c.dilation;
      op.window.padding = c.padding;
      op.groups = c.groups;
      op.activation = c.act;
      std::vector<Operand> operands{activation(xs, seed++),
                                    constant({c.cout, c.k, c.k, c.cin / c.groups}, {c.cout, c.k, c.k, c.cin / c.groups}, seed++)};
      if (c.bias) operands.push_back(constant({1, 1, 1, c.cout}, {c.cout}, seed++));
      TensorInfo out;
      Status s = op.infer(infos_of(operands), &out);
      CHECK_MSG(s.is_ok(), s.message());
      if (!s.is_ok()) continue;
      std::vector<float> want(out.shape.elements()), mag(out.shape.elements()), got;
      const float* bias = c.bias ? operands[2].data.data() : nullptr;
      ref::conv2d(op, make_view<const float>(operands[0].data.data(), xs), operands[1].data.data(), bias,
                  make_view(want.data(), out.shape));
      // The magnitude bound: the same conv over |x|, |w|, |b| without the clamp.
      Conv2dOp abs_op = op;
      abs_op.activation = Activation();
      auto absv = [](std::vector<float> v) {
        for (float& f : v) f = std::fabs(f);
        return v;
      };
      std::vector<float> ax = absv(operands[0].data), aw = absv(operands[1].data),
                         ab = c.bias ? absv(operands[2].data) : std::vector<float>();
      ref::conv2d(abs_op, make_view<const float>(ax.data(), xs), aw.data(), c.bias ? ab.data() : nullptr,
                  make_view(mag.data(), out.shape));
      if (!run_on_gpu(op, operands, out, &got)) continue;
      // TF32 rounds both operands to 10 mantissa bits (relative error <= 2^-10 per product).
      expect_close(op.name, got, want, 1e-5f, 2e-3f, &mag);
    }
}

void pool_sweep() {
  uint32_t seed = 200;
  for (auto kind : {Pool2dOp::Kind::kMax, Pool2dOp::Kind::kAvg})
    for (int64_t k : {2, 3})
      for (int64_t stride : {1, 2})
        for (const char* padding : {"same", "valid"})
          for (bool include_pad : {false, true}) {
            Pool2dOp op;
            op.kind = kind;
            name_op(op, std::string(op.type()) + " k" + std::to_string(k) + " s" + std::to_string(stride) + " " + padding +
                            (include_pad ? " include_pad" : ""));
            op.window.kh = op.window.kw = k;
            op.window.sh = op.window.sw = stride;
            op.window.padding = padding;
            op.count_include_pad = include_pad;
            std::vector<Operand> operands{activation({2, 11, 8, 5}, seed++)};
            TensorInfo out;
            Status s = op.infer(infos_of(operands), &out);
            CHECK_MSG(s.is_ok(), s.message());
            std::vector<float> want(out.shape.elements()), got;
            ref::pool2d(op, make_view<const float>(operands[0].data.data(), operands[0].shape), make_view(want.data(), out.shape));
            if (run_on_gpu(op, operands, out, &got)) expect_close(op.name, got, want, 1e-6f, 1e-5f);
          }
  GlobalAvgPoolOp gap;
  name_op(gap, "global_avg_pool");
  std::vector<Operand> operands{activation({2, 33, 17, 19}, seed++)};
  TensorInfo out;
  CHECK(gap.infer(infos_of(operands), &out).is_ok());
  std::vector<float> want(out.shape.elements()), got;
  ref::global_avg_pool(make_view<const float>(operands[0].data.data(), operands[0].shape), make_view(want.data(), out.shape));
  if (run_on_gpu(gap, operands, out, &got)) expect_close(gap.name, got, want, 1e-6f, 1e-5f);
}

void resize_sweep() {
  using Mode = ResizeBilinearOp::Mode;
  uint32_t seed = 300;
  struct Size {
    Shape4 in;
    int64_t oh, ow;
    double scale;
  };
  const Size sizes[] = {{{1, 7, 5, 3}, 13, 17, 0}, {{2, 13, 17, 4}, 4, 6, 0}, {{1, 6, 5, 2}, 12, 10, 2.0}, {{1, 1, 3, 2}, 1, 9, 0}};
  for (Mode mode : {Mode::kAlignCorners, Mode::kHalfPixel, Mode::kPytorchHalfPixel, Mode::kAsymmetric})
    for (const Size& sz : sizes) {
      ResizeBilinearOp op;
      name_op(op, "resize mode " + std::to_string(static_cast<int>(mode)) + " to " + std::to_string(sz.oh) + "x" +
                      std::to_string(sz.ow));
      op.mode = mode;
      op.out_h = sz.oh, op.out_w = sz.ow;
      op.scale_h = op.scale_w = sz.scale;
      std::vector<Operand> operands{activation(sz.in, seed++)};
      TensorInfo out;
      CHECK(op.infer(infos_of(operands), &out).is_ok());
      std::vector<float> want(out.shape.elements()), got;
      ref::resize_bilinear(op, make_view<const float>(operands[0].data.data(), sz.in), make_view(want.data(), out.shape));
      if (run_on_gpu(op, operands, out, &got)) expect_close(op.name, got, want, 1e-6f, 1e-5f);
    }
}

void binary_sweep() {
  uint32_t seed = 400;
  const Shape4 full{2, 5, 6, 7};
  struct Pair {
    Shape4 a, b;
    int constant_side;  // -1: none
  };
  const Pair pairs[] = {{full, full, -1}, {full, {1, 1, 1, 7}, 1}, {{1, 1, 1, 7}, full, 0}, {full, {2, 1, 1, 7}, -1},
                        {{2, 1, 1, 7}, full, -1}, {full, {1, 1, 1, 1}, 1}};
  for (auto kind : {BinaryOp::Kind::kAdd, BinaryOp::Kind::kSub, BinaryOp::Kind::kMul})
    for (const Pair& p : pairs)
      for (Activation act : {Activation(), Activation{0.f, INFINITY}}) {
        BinaryOp op;
        op.kind = kind;
        op.activation = act;
        name_op(op, std::string(op.type()) + " " + p.a.str() + " " + p.b.str());
        auto make = [&](Shape4 s, bool is_const) {
          return is_const ? constant(s, {s.c}, seed++) : activation(s, seed++);
        };
        std::vector<Operand> operands{make(p.a, p.constant_side == 0), make(p.b, p.constant_side == 1)};
        TensorInfo out;
        Status s = op.infer(infos_of(operands), &out);
        CHECK_MSG(s.is_ok(), s.message());
        if (!s.is_ok()) continue;
        std::vector<float> want(out.shape.elements()), got;
        ref::binary(kind, act, make_view<const float>(operands[0].data.data(), p.a),
                    make_view<const float>(operands[1].data.data(), p.b), make_view(want.data(), out.shape));
        if (run_on_gpu(op, operands, out, &got)) expect_close(op.name, got, want, 1e-6f, 1e-6f);
      }
}

void concat_softmax_argmax_sweep() {
  uint32_t seed = 500;
  ConcatOp cat;
  name_op(cat, "concat");
  std::vector<Operand> parts{activation({2, 4, 5, 3}, seed++), activation({2, 4, 5, 8}, seed++), activation({2, 4, 5, 1}, seed++)};
  TensorInfo out;
  CHECK(cat.infer(infos_of(parts), &out).is_ok());
  std::vector<float> want(out.shape.elements()), got;
  std::vector<CFView> views;
  for (const Operand& o : parts) views.push_back(make_view<const float>(o.data.data(), o.shape));
  ref::concat(views, make_view(want.data(), out.shape));
  if (run_on_gpu(cat, parts, out, &got)) expect_close("concat", got, want, 0.f, 0.f);

  for (int64_t classes : {1, 21, 150}) {
    SoftmaxOp sm;
    name_op(sm, "softmax " + std::to_string(classes));
    std::vector<Operand> x{activation({1, 9, 7, classes}, seed++)};
    for (float& v : x[0].data) v *= 20.f;  // large logits exercise the max subtraction
    CHECK(sm.infer(infos_of(x), &out).is_ok());
    want.assign(out.shape.elements(), 0.f);
    ref::softmax(make_view<const float>(x[0].data.data(), x[0].shape), make_view(want.data(), out.shape));
    if (run_on_gpu(sm, x, out, &got)) expect_close(sm.name, got, want, 1e-6f, 1e-5f);

    ArgmaxOp am;
    name_op(am, "argmax " + std::to_string(classes));
    for (float& v : x[0].data) v = std::round(v / 10.f);  // many ties: the lowest index must win
    CHECK(am.infer(infos_of(x), &out).is_ok());
    std::vector<int32_t> labels(out.shape.elements());
    ref::argmax(make_view<const float>(x[0].data.data(), x[0].shape), make_view(labels.data(), out.shape));
    if (run_on_gpu(am, x, out, &got)) {
      // The labels come back as int32 bits in the float buffer.
      for (size_t i = 0; i < labels.size(); ++i) {
        int32_t label;
        std::memcpy(&label, &got[i], 4);
        if (label != labels[i]) {
          CHECK_MSG(false, am.name + ": pixel " + std::to_string(i) + " is " + std::to_string(label) + ", reference " +
                               std::to_string(labels[i]));
          break;
        }
      }
    }
  }
}

void pad_space_batch_affine_sweep() {
  uint32_t seed = 600;
  for (auto mode : {PadOp::Mode::kConstant, PadOp::Mode::kReflect, PadOp::Mode::kEdge}) {
    PadOp op;
    name_op(op, "pad mode " + std::to_string(static_cast<int>(mode)));
    op.mode = mode;
    op.top = 2, op.bottom = 1, op.left = 0, op.right = 3;
    op.value = -0.5f;
    std::vector<Operand> x{activation({2, 5, 6, 3}, seed++)};
    TensorInfo out;
    CHECK(op.infer(infos_of(x), &out).is_ok());
    std::vector<float> want(out.shape.elements()), got;
    ref::pad(op, make_view<const float>(x[0].data.data(), x[0].shape), make_view(want.data(), out.shape));
    if (run_on_gpu(op, x, out, &got)) expect_close(op.name, got, want, 0.f, 0.f);
  }
  for (bool to_batch : {true, false}) {
    SpaceBatchOp op;
    op.to_batch = to_batch;
    name_op(op, op.type());
    op.bh = 2, op.bw = 3;
    op.t = 1, op.b = 0, op.l = 2, op.r = 1;
    std::vector<Operand> x{activation(to_batch ? Shape4{2, 7, 6, 3} : Shape4{12, 4, 3, 3}, seed++)};
    TensorInfo out;
    Status s = op.infer(infos_of(x), &out);
    CHECK_MSG(s.is_ok(), s.message());
    if (!s.is_ok()) continue;
    std::vector<float> want(out.shape.elements()), got;
    ref::space_batch(op, make_view<const float>(x[0].data.data(), x[0].shape), make_view(want.data(), out.shape));
    if (run_on_gpu(op, x, out, &got)) expect_close(op.name, got, want, 0.f, 0.f);
  }
  {
    BatchNormOp op;
    name_op(op, "batch_norm");
    const int64_t c = 6;
    std::vector<Operand> operands{activation({2, 3, 4, c}, seed++), constant({1, 1, 1, c}, {c}, seed++),
                                  constant({1, 1, 1, c}, {c}, seed++), constant({1, 1, 1, c}, {c}, seed++),
                                  constant({1, 1, 1, c}, {c}, seed++)};
    for (float& v : operands[4].data) v = std::fabs(v) + 0.1f;  // variance > 0
    operands[4].weight.data = operands[4].data;
    TensorInfo out;
    CHECK(op.infer(infos_of(operands), &out).is_ok());
    std::vector<float> want(out.shape.elements()), got;
    ref::batch_norm(make_view<const float>(operands[0].data.data(), operands[0].shape), operands[1].data.data(),
                    operands[2].data.data(), operands[3].data.data(), operands[4].data.data(), op.epsilon,
                    make_view(want.data(), out.shape));
    if (run_on_gpu(op, operands, out, &got)) expect_close(op.name, got, want, 1e-5f, 1e-5f);
  }
  {
    ClipOp op;
    name_op(op, "clip");
    op.range = Activation{-0.25f, 0.5f};
    std::vector<Operand> x{activation({1, 5, 5, 9}, seed++)};
    TensorInfo out;
    CHECK(op.infer(infos_of(x), &out).is_ok());
    std::vector<float> want(out.shape.elements()), got;
    ref::clip(op.range, make_view<const float>(x[0].data.data(), x[0].shape), make_view(want.data(), out.shape));
    if (run_on_gpu(op, x, out, &got)) expect_close(op.name, got, want, 0.f, 0.f);
  }
}

}  // namespace

ATROUS_TEST(cuda, plugin_reports_itself) {
  const CudaPlugin& p = cuda_plugin();
  if (p.available) {
    CHECK(p.api != nullptr);
    CHECK(!p.device.empty());
    CHECK(p.runtime_version > 0 && p.driver_version > 0);
    std::printf("CUDA: %s, driver %s, runtime %s\n", p.device.c_str(), cuda_version_string(p.driver_version).c_str(),
                cuda_version_string(p.runtime_version).c_str());
    return;
  }
  CHECK_MSG(!p.reason.empty(), "CUDA is unavailable but no reason was given");
  std::printf("CUDA unavailable: %s\n", p.reason.c_str());
  // A plugin file that is present must load and probe cleanly even without a driver or a GPU.
  if (!p.path.empty()) {
    std::string why;
    const atrous_cuda_api_v1* api = load_cuda_plugin_file(p.path, &why);
    CHECK_MSG(api != nullptr, why);
    if (!api) return;
    atrous_cuda_probe probe;
    api->probe(&probe);
    CHECK(probe.runtime_version > 0);
    if (probe.device_count == 0) CHECK_MSG(probe.error[0] != 0, "the probe found no device but says nothing");
    std::printf("plugin %s: runtime %s, %d device(s)%s%s\n", p.path.c_str(), cuda_version_string(probe.runtime_version).c_str(),
                probe.device_count, probe.error[0] ? ": " : "", probe.error);
  }
}

ATROUS_TEST(cuda, kernels_match_reference) {
  const std::pair<const char*, std::function<void()>> sweeps[] = {
      {"conv2d", conv_sweep},
      {"pool2d", pool_sweep},
      {"resize_bilinear", resize_sweep},
      {"binary", binary_sweep},
      {"concat/softmax/argmax", concat_softmax_argmax_sweep},
      {"pad/space_batch/batch_norm/clip", pad_space_batch_affine_sweep},
  };
  if (!gpu()) {
    std::printf("no CUDA device: %zu kernel sweeps not run (%s)\n", std::size(sweeps), cuda_plugin().reason.c_str());
    return;
  }
  for (const auto& [name, sweep] : sweeps) {
    const int before = test::g_failures;
    sweep();
    std::printf("  %s: %s\n", name, test::g_failures == before ? "matches the reference" : "MISMATCH");
  }
}

}  // namespace atrous
