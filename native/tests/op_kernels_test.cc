// The CPU kernels of the other ops against their reference kernels: SIMD ones (resize, add,
// global average pool) at every SIMD level, the rest as the backend builds them; all with
// strided (channel-slice) input and output views. Tolerance 1e-4 relative (see compare()).
#include <cstring>
#include <functional>

#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "tests/kernel_check.h"

namespace atrous {
namespace {
using test::Strided;

using Factory = std::function<Status(const KernelRequest&, std::unique_ptr<Kernel>*)>;
using RefFn = std::function<void(const std::vector<CFView>&, const FView&)>;
uint32_t g_seed = 1000;

// Kernels to compare for one op: one per SIMD level when the op has a level-specific builder.
std::vector<std::pair<std::string, Factory>> per_level(
    Status (*make)(const KernelRequest&, SimdLevel, std::unique_ptr<Kernel>*)) {
  std::vector<std::pair<std::string, Factory>> r;
  for (SimdLevel level : test::available_levels())
    r.push_back({simd_level_name(level), [make, level](const KernelRequest& q, std::unique_ptr<Kernel>* k) {
                   return make(q, level, k);
                 }});
  return r;
}
std::vector<std::pair<std::string, Factory>> backend() {
  return {{"cpu", [](const KernelRequest& q, std::unique_ptr<Kernel>* k) { return make_cpu_backend()->make_kernel(q, k); }}};
}

// Runs each kernel on strided views of random inputs and compares with the reference.
// `exact`: compare the 4-byte outputs bit for bit (int32 labels).
std::vector<float> check_op(Op& op, const std::vector<Shape4>& shapes, const RefFn& ref,
                            const std::vector<std::pair<std::string, Factory>>& kernels, const std::string& what,
                            bool exact = false, const std::vector<float>* given_input = nullptr) {
  KernelRequest req;
  req.op = &op;
  for (const Shape4& s : shapes) req.inputs.push_back(TensorInfo{DType::kFloat32, s, nullptr});
  req.threads = 2;
  Status s = op.infer(req.inputs, &req.output);
  CHECK_MSG(s.is_ok(), what + ": " + s.message());
  if (!s.is_ok()) return {};
  std::vector<Strided> xs;
  std::vector<CFView> views;
  for (size_t i = 0; i < shapes.size(); ++i) xs.emplace_back(shapes[i], 3 + static_cast<int64_t>(i), g_seed++);
  if (given_input) {  // contiguous data given by the caller for input 0
    const FView& v = xs[0].view;
    for (int64_t p = 0; p < v.shape.n * v.shape.h * v.shape.w; ++p)
      std::memcpy(v.data + p * v.pixel_stride, given_input->data() + p * v.shape.c, v.shape.c * sizeof(float));
  }
  for (Strided& x : xs) views.push_back(as_const(x.view));
  std::vector<float> want_data(req.output.shape.elements());
  FView want = make_view(want_data.data(), req.output.shape);
  ref(views, want);
  for (const auto& [name, make] : kernels) {
    const std::string label = name + " " + what;
    std::unique_ptr<Kernel> k;
    s = make(req, &k);
    CHECK_MSG(s.is_ok(), label + ": " + s.message());
    if (!s.is_ok()) continue;
    Strided y(req.output.shape, 2, g_seed++);
    const std::vector<float> outside = y.outside();
    s = test::run_kernel(*k, views, y.view);
    CHECK_MSG(s.is_ok(), label + ": " + s.message());
    if (exact) {
      const Shape4& o = want.shape;
      int bad = 0;
      for (int64_t p = 0; p < o.n * o.h * o.w; ++p)
        bad += std::memcmp(y.view.data + p * y.view.pixel_stride, want.data + p * o.c, o.c * 4) != 0;
      CHECK_MSG(bad == 0, label + ": " + std::to_string(bad) + " pixels differ");
    } else {
      test::compare(y.view, want, 1e-4f, label);
    }
    CHECK_MSG(y.outside() == outside, label + ": wrote outside its output view");
  }
  return want_data;
}

}  // namespace

ATROUS_TEST(op_kernels, resize_bilinear) {
  using Mode = ResizeBilinearOp::Mode;
  const Mode modes[] = {Mode::kAlignCorners, Mode::kHalfPixel, Mode::kPytorchHalfPixel, Mode::kAsymmetric};
  struct Size {
    Shape4 x;
    int64_t oh, ow;
    double sh, sw;
  };
  const Size sizes[] = {{{1, 9, 9, 21}, 33, 33, 0, 0},    // upsampling logits (8x-ish)
                        {{2, 17, 12, 5}, 7, 5, 0, 0},     // downsampling
                        {{1, 8, 6, 16}, 16, 12, 2, 2},    // explicit scales
                        {{1, 5, 7, 3}, 1, 1, 0, 0},       // to a single pixel
                        {{1, 1, 1, 40}, 4, 6, 0, 0}};     // image pooling broadcast back
  for (Mode mode : modes)
    for (const Size& sz : sizes) {
      ResizeBilinearOp op;
      op.name = "resize";
      op.mode = mode;
      op.out_h = sz.oh, op.out_w = sz.ow, op.scale_h = sz.sh, op.scale_w = sz.sw;
      check_op(op, {sz.x}, [&](const std::vector<CFView>& in, const FView& y) { ref::resize_bilinear(op, in[0], y); },
               per_level(make_resize_bilinear_kernel),
               "resize mode " + std::to_string(static_cast<int>(mode)) + " " + sz.x.str() + " -> " +
                   std::to_string(sz.oh) + "x" + std::to_string(sz.ow));
    }
}

ATROUS_TEST(op_kernels, binary) {
  using Kind = BinaryOp::Kind;
  struct Shapes {
    Shape4 a, b;
  };
  const Shapes shapes[] = {{{2, 5, 7, 24}, {2, 5, 7, 24}},   // residual add (SIMD path)
                           {{1, 4, 3, 13}, {1, 4, 3, 13}},   // channel tail
                           {{2, 5, 7, 24}, {2, 1, 1, 24}},   // image-pooling broadcast
                           {{1, 1, 1, 9}, {1, 6, 5, 9}},     // broadcast on the left
                           {{1, 6, 5, 9}, {1, 6, 5, 1}}};    // channel broadcast
  for (Kind kind : {Kind::kAdd, Kind::kSub, Kind::kMul})
    for (const Shapes& sh : shapes)
      for (bool relu6 : {false, true}) {
        BinaryOp op;
        op.name = "binary";
        op.kind = kind;
        if (relu6) op.activation.min = 0, op.activation.max = 6;
        check_op(op, {sh.a, sh.b},
                 [&](const std::vector<CFView>& in, const FView& y) { ref::binary(kind, op.activation, in[0], in[1], y); },
                 per_level(make_binary_kernel), std::string(op.type()) + " " + sh.a.str() + " " + sh.b.str());
      }
}

ATROUS_TEST(op_kernels, pools) {
  for (int64_t k : {2, 3})
    for (int64_t s : {1, 2})
      for (const char* pad : {"same", "valid"})
        for (bool max : {true, false})
          for (bool include_pad : {false, true}) {
            if (max && include_pad) continue;
            Pool2dOp op;
            op.name = "pool";
            op.kind = max ? Pool2dOp::Kind::kMax : Pool2dOp::Kind::kAvg;
            op.window.kh = op.window.kw = k;
            op.window.sh = op.window.sw = s;
            op.window.padding = pad;
            op.count_include_pad = include_pad;
            check_op(op, {{2, 9, 8, 7}}, [&](const std::vector<CFView>& in, const FView& y) { ref::pool2d(op, in[0], y); },
                     backend(), std::string(op.type()) + " k" + std::to_string(k) + " s" + std::to_string(s) + " " + pad);
          }
  for (bool max : {true, false}) {  // explicit pads, many channels (vectorized loops with a tail)
    Pool2dOp op;
    op.name = "pool";
    op.kind = max ? Pool2dOp::Kind::kMax : Pool2dOp::Kind::kAvg;
    op.window.kh = 3, op.window.kw = 2, op.window.sh = 2, op.window.sw = 1;
    op.window.padding = "explicit";
    op.window.pad_t = 1, op.window.pad_b = 2, op.window.pad_l = 0, op.window.pad_r = 1;
    op.count_include_pad = !max;
    check_op(op, {{1, 10, 9, 67}}, [&](const std::vector<CFView>& in, const FView& y) { ref::pool2d(op, in[0], y); },
             backend(), std::string(op.type()) + " explicit pads");
  }
  for (Shape4 x : {Shape4{2, 9, 7, 70}, Shape4{1, 33, 33, 320}, Shape4{1, 1, 1, 5}}) {
    GlobalAvgPoolOp op;
    op.name = "gap";
    check_op(op, {x}, [](const std::vector<CFView>& in, const FView& y) { ref::global_avg_pool(in[0], y); },
             per_level(make_global_avg_pool_kernel), "global_avg_pool " + x.str());
  }
}

ATROUS_TEST(op_kernels, pad) {
  for (PadOp::Mode mode : {PadOp::Mode::kConstant, PadOp::Mode::kReflect, PadOp::Mode::kEdge}) {
    PadOp op;
    op.name = "pad";
    op.mode = mode;
    op.top = 2, op.bottom = 0, op.left = 1, op.right = 3, op.value = 0.5f;
    check_op(op, {{2, 5, 6, 4}}, [&](const std::vector<CFView>& in, const FView& y) { ref::pad(op, in[0], y); }, backend(),
             "pad mode " + std::to_string(static_cast<int>(mode)));
  }
}

ATROUS_TEST(op_kernels, softmax_argmax) {
  for (int64_t c : {1, 3, 21, 40}) {
    SoftmaxOp sm;
    sm.name = "softmax";
    check_op(sm, {{2, 6, 5, c}}, [](const std::vector<CFView>& in, const FView& y) { ref::softmax(in[0], y); }, backend(),
             "softmax c" + std::to_string(c));
    ArgmaxOp am;
    am.name = "argmax";
    check_op(am, {{2, 6, 5, c}},
             [](const std::vector<CFView>& in, const FView& y) {
               ref::argmax(in[0], View<int32_t>{reinterpret_cast<int32_t*>(y.data), y.shape, y.pixel_stride});
             },
             backend(), "argmax c" + std::to_string(c), true);
  }
}

ATROUS_TEST(op_kernels, space_batch_round_trip) {
  // space_to_batch then batch_to_space with the same block and pads/crops gives the input back.
  const Shape4 x{2, 7, 6, 5};
  SpaceBatchOp to;
  to.name = "s2b";
  to.to_batch = true;
  to.bh = 2, to.bw = 3, to.t = 1, to.b = 0, to.l = 2, to.r = 1;
  const std::vector<float> original = test::random_vector(x.elements(), 77);
  const std::vector<float> batched =
      check_op(to, {x}, [&](const std::vector<CFView>& in, const FView& y) { ref::space_batch(to, in[0], y); }, backend(),
               "space_to_batch", true, &original);
  SpaceBatchOp back = to;
  back.name = "b2s";
  back.to_batch = false;
  TensorInfo mid;
  CHECK(to.infer({TensorInfo{DType::kFloat32, x, nullptr}}, &mid).is_ok());
  const std::vector<float> restored =
      check_op(back, {mid.shape}, [&](const std::vector<CFView>& in, const FView& y) { ref::space_batch(back, in[0], y); },
               backend(), "batch_to_space", true, &batched);
  CHECK(restored == original);
}

}  // namespace atrous
