// Optimized conv2d (GEMM / im2col / grouped / depthwise) against ref::conv2d, at every SIMD
// level this machine runs, over sweeps of shape, kernel, stride, padding, dilation and groups,
// with strided (channel-slice) input and output views. Tolerance: see compare() (1e-4 relative).
#include <limits>

#include "cpu/optimized.h"
#include "cpu/reference.h"
#include "tests/kernel_check.h"

namespace atrous {
namespace {
using test::Strided;

struct ConvCase {
  Shape4 x;
  int64_t cout, kh, kw;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, groups = 1;
  std::string padding = "same";
  int64_t pads[4] = {0, 0, 0, 0};  // t, b, l, r for "explicit"
  bool bias = true;
  bool relu6 = false;
  int64_t in_extra = 0, out_extra = 0;  // unused channels around the views
  bool nan_input = false;               // one input value is NaN: it must reach the outputs that read it

  std::string str() const {
    return "x" + x.str() + " cout " + std::to_string(cout) + " k " + std::to_string(kh) + "x" + std::to_string(kw) +
           " s " + std::to_string(sh) + "," + std::to_string(sw) + " d " + std::to_string(dh) + "," +
           std::to_string(dw) + " g " + std::to_string(groups) + " " + padding + (bias ? " bias" : "") +
           (relu6 ? " relu6" : "") + " extra " + std::to_string(in_extra) + "/" + std::to_string(out_extra);
  }
};

uint32_t g_seed = 1;

void check_conv(const ConvCase& cc) {
  Conv2dOp op;
  op.name = "conv";
  op.groups = cc.groups;
  op.window.kh = cc.kh, op.window.kw = cc.kw;
  op.window.sh = cc.sh, op.window.sw = cc.sw, op.window.dh = cc.dh, op.window.dw = cc.dw;
  op.window.padding = cc.padding;
  op.window.pad_t = cc.pads[0], op.window.pad_b = cc.pads[1], op.window.pad_l = cc.pads[2], op.window.pad_r = cc.pads[3];
  if (cc.relu6) op.activation.min = 0, op.activation.max = 6;
  const int64_t cin_g = cc.x.c / cc.groups;
  WeightData w{{cc.cout, cc.kh, cc.kw, cin_g}, test::random_vector(cc.cout * cc.kh * cc.kw * cin_g, g_seed++)};
  WeightData b{{cc.cout}, test::random_vector(cc.cout, g_seed++)};
  if (cc.relu6)  // spread sums across the clamp range
    for (float& v : w.data) v *= 4;
  KernelRequest req;
  req.op = &op;
  req.inputs = {TensorInfo{DType::kFloat32, cc.x, nullptr}, TensorInfo{DType::kFloat32, {cc.cout, cc.kh, cc.kw, cin_g}, &w}};
  if (cc.bias) req.inputs.push_back(TensorInfo{DType::kFloat32, {0, 0, 0, cc.cout}, &b});
  req.inputs.back().shape = cc.bias ? Shape4{1, 1, 1, cc.cout} : req.inputs.back().shape;
  req.threads = 2;
  Status s = op.infer(req.inputs, &req.output);
  CHECK_MSG(s.is_ok(), cc.str() + ": " + s.message());
  if (!s.is_ok()) return;

  Strided x(cc.x, cc.in_extra, g_seed++);
  if (cc.nan_input) x.view.pixel(0, cc.x.h / 2, cc.x.w / 2)[0] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> want_data(req.output.shape.elements());
  FView want = make_view(want_data.data(), req.output.shape);
  ref::conv2d(op, as_const(x.view), w.data.data(), cc.bias ? b.data.data() : nullptr, want);

  test::check_every_level([&](SimdLevel level, std::unique_ptr<Kernel>* k) { return make_conv2d_kernel(req, level, k); },
                          {as_const(x.view)}, cc.out_extra, g_seed, want, cc.str());
}

ConvCase make(Shape4 x, int64_t cout, int64_t k) {
  ConvCase c;
  c.x = x, c.cout = cout, c.kh = k, c.kw = k;
  return c;
}

}  // namespace

ATROUS_TEST(conv_kernels, pointwise_gemm) {
  // 1x1: tile edges in rows (M) and columns (Cout) for every mr / nr, long K (K blocking).
  for (int64_t cin : {1, 3, 8, 17, 64, 300})
    for (int64_t cout : {1, 5, 16, 33, 70}) {
      ConvCase c = make({1, 7, 9, cin}, cout, 1);
      c.bias = cout % 2 == 1;
      check_conv(c);
    }
  ConvCase c = make({2, 13, 11, 96}, 40, 1);
  c.relu6 = true;
  check_conv(c);
  c.in_extra = 5, c.out_extra = 7;  // channel slices in and out
  check_conv(c);
  c = make({1, 5, 6, 1100}, 24, 1);  // K over several K blocks, with bias and clamp
  c.relu6 = true;
  check_conv(c);
}

ATROUS_TEST(conv_kernels, general_im2col) {
  for (int64_t k : {1, 3, 5})
    for (int64_t s : {1, 2})
      for (const char* pad : {"same", "valid"}) {
        ConvCase c = make({2, 11, 10, 6}, 19, k);
        c.sh = c.sw = s;
        c.padding = pad;
        c.in_extra = k == 3 ? 0 : 3, c.out_extra = 2;  // dense input: whole kernel rows copied as runs
        check_conv(c);
      }
  ConvCase c = make({1, 12, 9, 5}, 9, 0);
  c.kh = 7, c.kw = 1;  // asymmetric kernels
  check_conv(c);
  c.kh = 1, c.kw = 7;
  c.padding = "explicit";
  c.pads[0] = 0, c.pads[1] = 2, c.pads[2] = 3, c.pads[3] = 1;
  check_conv(c);
  c = make({1, 10, 10, 4}, 7, 3);
  c.padding = "explicit";
  c.pads[0] = 2, c.pads[1] = 0, c.pads[2] = 1, c.pads[3] = 4;
  c.sh = 2, c.sw = 1;
  c.relu6 = true;
  check_conv(c);
  c = make({1, 9, 9, 3}, 32, 3);  // a stem: stride 2, few input channels
  c.sh = c.sw = 2;
  check_conv(c);
  c = make({1, 6, 6, 1}, 1, 3);  // single channel in and out (groups 1)
  check_conv(c);
  c = make({1, 4, 4, 130}, 12, 3);  // K = 1170 over several K blocks
  c.relu6 = true;
  check_conv(c);
}

ATROUS_TEST(conv_kernels, dilated) {
  // Atrous rates from DeepLab; the input is larger than the dilated kernel so taps hit pixels.
  for (int64_t d : {1, 2, 4, 6, 12, 18, 24, 36}) {
    const int64_t side = 2 * d + 9;
    ConvCase c = make({1, side, side + 3, 5}, 7, 3);
    c.dh = c.dw = d;
    c.in_extra = 2;
    check_conv(c);
    ConvCase dw = make({1, side, side + 1, 20}, 20, 3);
    dw.groups = 20;
    dw.dh = dw.dw = d;
    dw.out_extra = 4;
    check_conv(dw);
  }
  ConvCase c = make({1, 30, 30, 4}, 6, 3);
  c.dh = 2, c.dw = 4, c.sh = 2, c.sw = 2, c.padding = "valid";
  check_conv(c);
  // Pads wider than the input: some outputs see only padding (bias alone), others few taps.
  c = make({1, 2, 3, 4}, 6, 3);
  c.dh = c.dw = 4;
  c.padding = "explicit";
  c.pads[0] = c.pads[1] = c.pads[2] = c.pads[3] = 5;
  c.relu6 = true;
  check_conv(c);
  c = make({2, 33, 33, 40}, 24, 3);  // ASPP-like: rate 18 on a 33x33 map, two images
  c.dh = c.dw = 18;
  check_conv(c);
}

ATROUS_TEST(conv_kernels, grouped) {
  for (int64_t k : {1, 3}) {
    ConvCase c = make({1, 8, 7, 16}, 12, k);
    c.groups = 4;
    c.in_extra = 2, c.out_extra = 3;
    check_conv(c);
    c.groups = 2;
    c.cout = 34;
    c.sh = c.sw = 2;
    check_conv(c);
  }
}

ATROUS_TEST(conv_kernels, depthwise) {
  for (int64_t ch : {1 + 2, 8, 17, 32, 96})
    for (int64_t mult : {1, 2})
      for (int64_t s : {1, 2})
        for (int64_t k : {3, 5}) {
          ConvCase c = make({1, 11, 13, ch}, ch * mult, k);
          c.groups = ch;
          c.sh = c.sw = s;
          c.relu6 = ch % 2 == 0;
          c.bias = k == 3;
          c.in_extra = ch == 17 ? 3 : 0, c.out_extra = ch == 8 ? 5 : 0;
          check_conv(c);
        }
  for (const char* pad : {"valid", "explicit"}) {
    ConvCase c = make({2, 9, 12, 24}, 24, 3);
    c.groups = 24;
    c.padding = pad;
    c.pads[0] = 1, c.pads[1] = 0, c.pads[2] = 2, c.pads[3] = 1;
    check_conv(c);
  }
  ConvCase c = make({1, 12, 12, 16}, 16, 1);
  c.kh = 7, c.kw = 1, c.groups = 16;
  check_conv(c);
  c = make({1, 3, 3, 16}, 16, 5);  // every output pixel touches padding
  c.groups = 16;
  check_conv(c);
}

ATROUS_TEST(conv_kernels, depthwise_dilated) {
  // 3x3 rows in blocks of pixels (loads shared across taps) and in pairs of rows d apart, with
  // channel tails, padding rows / columns, two images and channel-slice views.
  for (int64_t d : {1, 2, 3, 4})
    for (int64_t ch : {5, 40, 96})
      for (int64_t h : {7, 18}) {
        ConvCase c = make({2, h, 29, ch}, ch, 3);
        c.groups = ch;
        c.dh = c.dw = d;
        c.relu6 = ch == 40;
        c.bias = d % 2 == 0;
        c.in_extra = ch == 5 ? 3 : 0, c.out_extra = ch == 40 ? 2 : 0;
        check_conv(c);
      }
  for (int64_t ch : {7, 48}) {  // stride 2: 8-pixel blocks need a wide row
    ConvCase c = make({1, 9, 41, ch}, ch, 3);
    c.groups = ch;
    c.sh = c.sw = 2;
    c.bias = true;
    check_conv(c);
  }
  ConvCase c = make({1, 20, 24, 32}, 32, 3);  // valid padding: every row pairs
  c.groups = 32;
  c.dh = c.dw = 2;
  c.padding = "valid";
  check_conv(c);
}

ATROUS_TEST(conv_kernels, nan_propagates) {
  for (int64_t k : {1, 3}) {
    ConvCase c = make({1, 9, 10, 16}, 20, k);
    c.relu6 = true;
    c.nan_input = true;
    check_conv(c);
    c.groups = 16, c.cout = 16;
    check_conv(c);
  }
}

}  // namespace atrous
