// The fused inverted-residual kernel (cpu/inverted_residual.cc) against the unfused reference
// path (ref::conv2d three times, then ref::binary add), at every SIMD level this machine runs:
// sizes, channel counts (tile edges), stride 1 / 2, dilation 1 / 2 / 4, with and without the
// residual add, clamps, channel-slice views and one or two threads.
#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "tests/kernel_check.h"

namespace atrous {
namespace {
using test::Strided;

struct BlockCase {
  Shape4 x;
  int64_t expanded = 0, cout = 0, stride = 1, dilation = 1;
  bool residual = false, relu6 = true;
  int64_t in_extra = 0, out_extra = 0;
  int threads = 2;

  std::string str() const {
    return "x" + x.str() + " expanded " + std::to_string(expanded) + " cout " + std::to_string(cout) + " s " +
           std::to_string(stride) + " d " + std::to_string(dilation) + (residual ? " residual" : "") +
           (relu6 ? " relu6" : "") + " extra " + std::to_string(in_extra) + "/" + std::to_string(out_extra) + " threads " +
           std::to_string(threads);
  }
};

uint32_t g_seed = 7;

Conv2dOp conv(const char* name, int64_t k, int64_t stride, int64_t dilation, int64_t groups, bool relu6) {
  Conv2dOp op;
  op.name = name;
  op.window.kh = op.window.kw = k;
  op.window.sh = op.window.sw = stride;
  op.window.dh = op.window.dw = dilation;
  op.window.padding = "same";
  op.groups = groups;
  if (relu6) op.activation.min = 0, op.activation.max = 6;
  return op;
}

void check_block(const BlockCase& bc) {
  InvertedResidualOp op;
  op.name = "block";
  op.expand = conv("expand", 1, 1, 1, 1, bc.relu6);
  op.depthwise = conv("depthwise", 3, bc.stride, bc.dilation, bc.expanded, bc.relu6);
  op.project = conv("project", 1, 1, 1, 1, false);
  op.residual = bc.residual;
  if (bc.residual) op.residual_activation.min = -1.5f;  // a clamp after the add, to see it applied
  const int64_t e = bc.expanded;
  std::vector<WeightData> w = {
      {{e, 1, 1, bc.x.c}, test::random_vector(e * bc.x.c, g_seed++)},
      {{e}, test::random_vector(e, g_seed++)},
      {{e, 3, 3, 1}, test::random_vector(e * 9, g_seed++)},
      {{e}, test::random_vector(e, g_seed++)},
      {{bc.cout, 1, 1, e}, test::random_vector(bc.cout * e, g_seed++)},
      {{bc.cout}, test::random_vector(bc.cout, g_seed++)},
  };
  for (float& v : w[0].data) v *= 3;  // spread the expanded values across the relu6 range
  KernelRequest req;
  req.op = &op;
  req.inputs.push_back(TensorInfo{DType::kFloat32, bc.x, nullptr});
  for (const WeightData& d : w) {
    const Shape4 s = d.shape.size() == 1 ? Shape4{1, 1, 1, d.shape[0]} : Shape4{d.shape[0], d.shape[1], d.shape[2], d.shape[3]};
    req.inputs.push_back(TensorInfo{DType::kFloat32, s, &d});
  }
  req.threads = bc.threads;
  Status s = op.infer(req.inputs, &req.output);
  CHECK_MSG(s.is_ok(), bc.str() + ": " + s.message());
  if (!s.is_ok()) return;
  CHECK_MSG(InvertedResidualOp::fusable(op.expand, op.depthwise, op.project), bc.str());

  Strided x(bc.x, bc.in_extra, g_seed++);
  std::vector<float> want_data(req.output.shape.elements());
  FView want = make_view(want_data.data(), req.output.shape);
  std::vector<const float*> weights;
  for (const WeightData& d : w) weights.push_back(d.data.data());
  ref::inverted_residual(op, as_const(x.view), weights, want);

  test::check_every_level([&](SimdLevel level, std::unique_ptr<Kernel>* k) { return make_inverted_residual_kernel(req, level, k); },
                          {as_const(x.view)}, bc.out_extra, g_seed, want, bc.str());
}

}  // namespace

ATROUS_TEST(inverted_residual, stride_dilation_sweep) {
  for (int64_t dilation : {1, 2, 4})
    for (bool residual : {false, true})
      for (int threads : {1, 2}) {
        BlockCase c;
        c.x = {1, 13, 11, 16};
        c.expanded = 40, c.cout = residual ? 16 : 21;
        c.dilation = dilation, c.residual = residual, c.threads = threads;
        check_block(c);
      }
  for (int64_t h : {9, 10})  // odd and even sizes: 'same' pads differently at stride 2
    for (int threads : {1, 2}) {
      BlockCase c;
      c.x = {1, h, h + 3, 8};
      c.expanded = 48, c.cout = 24, c.stride = 2, c.threads = threads;
      check_block(c);
    }
}

ATROUS_TEST(inverted_residual, shapes_and_views) {
  // Channel counts around the register tiles (nr 32 / 16 / 8, narrow panels), 1-pixel rows,
  // maps smaller than the dilation, a batch of two, channel-slice views in and out.
  const BlockCase cases[] = {
      {{1, 7, 9, 3}, 5, 7, 1, 1},
      {{1, 8, 8, 24}, 144, 24, 1, 2, true},
      {{2, 6, 5, 16}, 96, 16, 1, 4, true},
      {{1, 3, 1, 4}, 17, 33, 1, 4},
      {{1, 1, 6, 12}, 70, 12, 1, 2, true},
      {{2, 9, 7, 12}, 72, 40, 2, 1},
      {{1, 10, 12, 20}, 64, 20, 1, 2, true, false, 5, 3},
      {{1, 11, 6, 9}, 33, 18, 2, 1, false, true, 4, 6, 1},
  };
  for (const BlockCase& c : cases) check_block(c);
}

ATROUS_TEST(inverted_residual, rejects_unfusable_blocks) {
  InvertedResidualOp op;
  op.expand = conv("expand", 1, 1, 1, 1, true);
  op.project = conv("project", 1, 1, 1, 1, false);
  op.depthwise = conv("depthwise", 3, 2, 2, 8, true);  // stride 2 with dilation 2: not fused
  op.depthwise.in_channels = op.depthwise.out_channels = 8;
  CHECK(!InvertedResidualOp::fusable(op.expand, op.depthwise, op.project));
  op.depthwise = conv("depthwise", 5, 1, 1, 8, true);  // 5x5: not fused
  op.depthwise.in_channels = op.depthwise.out_channels = 8;
  CHECK(!InvertedResidualOp::fusable(op.expand, op.depthwise, op.project));
  op.depthwise = conv("depthwise", 3, 1, 1, 8, true);
  op.depthwise.in_channels = op.depthwise.out_channels = 8;
  CHECK(InvertedResidualOp::fusable(op.expand, op.depthwise, op.project));
  op.project.window.sh = op.project.window.sw = 2;  // strided project: not fused
  CHECK(!InvertedResidualOp::fusable(op.expand, op.depthwise, op.project));
}

}  // namespace atrous
