// The fused MobileNetV2 block (ops/inverted_residual.h). Output rows go in chains that share
// input rows: with stride 1 and dilation d, rows p, p + d, p + 2d, ... (one phase) read only
// input rows of that phase, so walking a chain, each output row needs one newly expanded input
// row. The expanded rows sit in a per-thread ring (three, four when two output rows go at once);
// the depthwise row and the project GEMM then read them from cache instead of a whole expanded tensor (65x65x960 floats = 16 MB at
// output stride 8) going through memory twice. Ring rows carry zero columns for the left and right
// padding, and padding rows above and below read a zero row, so the depthwise row kernel takes
// its fast path (every tap inside the row) at the borders too; the zeros add nothing to the sums.
#include <algorithm>

#include "cpu/optimized.h"
#include "cpu/packed_gemm.h"
#include "cpu/reference.h"
#include "cpu/scratch_slots.h"
#include "cpu/simd/kernels.h"
#include "ops/inverted_residual.h"

namespace atrous {

void ref::inverted_residual(const InvertedResidualOp& op, const CFView& x, const std::vector<const float*>& w,
                            const FView& y) {
  const Shape4 xs = x.shape;
  const int64_t expanded = op.expand.out_channels;
  std::vector<float> e(xs.n * xs.h * xs.w * expanded), d(y.shape.n * y.shape.h * y.shape.w * expanded);
  const FView ev = make_view(e.data(), Shape4{xs.n, xs.h, xs.w, expanded});
  const FView dv = make_view(d.data(), Shape4{y.shape.n, y.shape.h, y.shape.w, expanded});
  conv2d(op.expand, x, w[0], w[1], ev);
  conv2d(op.depthwise, as_const(ev), w[2], w[3], dv);
  conv2d(op.project, as_const(dv), w[4], w[5], y);
  if (op.residual) binary(BinaryOp::Kind::kAdd, op.residual_activation, as_const(y), x, y);
}

namespace {

class InvertedResidualKernel : public Kernel {
 public:
  InvertedResidualKernel(const InvertedResidualOp& op, const simd::Kernels& k, const std::vector<TensorInfo>& in,
                         const TensorInfo& out, int threads)
      : op_(op),
        k_(k),
        expand_(k, in[1].weight->data.data(), in[2].weight->data.data(), op.expand.out_channels, op.expand.in_channels),
        project_(k, in[5].weight->data.data(), in[6].weight->data.data(), op.project.out_channels,
                 op.project.in_channels),
        slots_(threads, 0) {
    const Window2d& w = op.depthwise.window;
    channels_ = op.expand.out_channels;
    in_w_ = in[0].shape.w;
    pad_l_ = w.pad_l;
    pad_r_ = std::max<int64_t>(0, (out.shape.w - 1) * w.sw + 2 * w.dw + 1 - in_w_ - pad_l_);
    row_floats_ = (pad_l_ + in_w_ + pad_r_) * channels_;
    zero_row_.assign(row_floats_, 0.f);
    const int64_t taps = w.kh * w.kw;
    dw_weights_.resize(taps * channels_);
    const float* wd = in[3].weight->data.data();  // [C, kh, kw, 1]
    for (int64_t c = 0; c < channels_; ++c)
      for (int64_t t = 0; t < taps; ++t) dw_weights_[t * channels_ + c] = wd[c * taps + t];
    dw_bias_ = in[4].weight->data;
    // Chains: the phases of the dilation (stride 1), each cut into pieces when there are fewer
    // phases than threads (a piece re-expands the two input rows at its ends).
    const int64_t images = out.shape.n, rows = out.shape.h;
    phases_ = w.sh == 1 ? std::min(w.dh, rows) : 1;
    pieces_ = std::max<int64_t>(1, (threads + images * phases_ - 1) / (images * phases_));
    pairs_ = w.sh == 1 && phases_ == w.dh && (w.dh == 1 || w.dh == 2 || w.dh == 4);
    slots_ = ScratchSlots(threads, kRing * row_floats_ + 2 * out.shape.w * channels_);
  }

  size_t scratch_bytes() const override { return slots_.bytes(); }

  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) override {
    const int64_t units = y.shape.n * phases_ * pieces_;
    return ctx.pool->parallel_for(units, 1, [&](int64_t begin, int64_t end) {
      ScratchSlots::Lease lease(slots_, ctx);
      for (int64_t u = begin; u < end; ++u) run_chain(in[0], y, u, lease.data());
    });
  }

 private:
  // Expanded input rows kept: the depthwise conv's three taps, four for two output rows at once.
  static constexpr int kRing = 4;

  void run_chain(const CFView& x, const FView& y, int64_t unit, float* scratch) const {
    const Window2d& w = op_.depthwise.window;
    const int64_t n = unit / (phases_ * pieces_), phase = unit / pieces_ % phases_, piece = unit % pieces_;
    const int64_t count = (y.shape.h - phase + phases_ - 1) / phases_;  // output rows in this phase
    const int64_t first = count * piece / pieces_, last = count * (piece + 1) / pieces_;
    float* ring = scratch;
    float* filtered = scratch + kRing * row_floats_;
    for (int slot = 0; slot < kRing; ++slot) {  // the padding columns
      float* row = ring + slot * row_floats_;
      std::fill(row, row + pad_l_ * channels_, 0.f);
      std::fill(row + (pad_l_ + in_w_) * channels_, row + row_floats_, 0.f);
    }
    int64_t held[kRing] = {-1, -1, -1, -1};  // the input row in each ring slot
    for (int64_t j = first; j < last;) {
      // Output row oy, and oy + dh (the chain's next) with it when pairs_: the depthwise row
      // kernel then shares the loads of their two common input rows.
      const int64_t oy = phase + j * phases_;
      const int out_rows = pairs_ && j + 1 < last ? 2 : 1;
      int64_t need[kRing] = {-1, -1, -1, -1};
      for (int ky = 0; ky < 2 + out_rows; ++ky) {
        need[ky] = oy * w.sh - w.pad_t + ky * w.dh;
        if (need[ky] < 0 || need[ky] >= x.shape.h) need[ky] = -1;
      }
      const float* rows[kRing];
      for (int ky = 0; ky < 2 + out_rows; ++ky) {
        rows[ky] = zero_row_.data();
        if (need[ky] < 0) continue;
        int slot = static_cast<int>(std::find(held, held + kRing, need[ky]) - held);
        if (slot == kRing) {  // expand it into a slot no tap of this row still needs
          slot = 0;
          while (held[slot] >= 0 && std::find(need, need + kRing, held[slot]) != need + kRing) ++slot;
          held[slot] = need[ky];
          expand_.run(x.pixel(n, need[ky], 0), x.pixel_stride, x.shape.w, ring + slot * row_floats_ + pad_l_ * channels_, channels_,
                      op_.expand.activation.min, op_.expand.activation.max);
        }
        rows[ky] = ring + slot * row_floats_;
      }
      const int64_t filtered_floats = y.shape.w * channels_;
      depthwise_rows(rows, filtered, out_rows == 2 ? filtered + filtered_floats : nullptr, y.shape.w);
      for (int i = 0; i < out_rows; ++i) {
        const int64_t row = oy + i * w.dh;
        float* out = y.pixel(n, row, 0);
        project_.run(filtered + i * filtered_floats, channels_, y.shape.w, out, y.pixel_stride,
                     op_.project.activation.min, op_.project.activation.max);
        if (op_.residual)
          for (int64_t ox = 0; ox < y.shape.w; ++ox)
            k_.add_clamp(out + ox * y.pixel_stride, x.pixel(n, row, ox), out + ox * y.pixel_stride, y.shape.c,
                         op_.residual_activation.min, op_.residual_activation.max);
      }
      j += out_rows;
    }
  }

  // One output row from rows[0..2], and a second from rows[1..3] when `out2`.
  void depthwise_rows(const float* const* rows, float* out, float* out2, int64_t out_w) const {
    const Window2d& w = op_.depthwise.window;
    simd::DepthwiseRow r;
    r.rows = rows;
    r.in_w = pad_l_ + in_w_ + pad_r_;
    r.in_stride = channels_;
    r.channels = channels_;
    r.w = dw_weights_.data();
    r.bias = dw_bias_.data();
    r.kh = r.kw = 3;
    r.sw = static_cast<int>(w.sw);
    r.dw = static_cast<int>(w.dw);
    r.pad_l = 0;
    r.out = out;
    r.out_w = out_w;
    r.out_stride = channels_;
    r.lo = op_.depthwise.activation.min;
    r.hi = op_.depthwise.activation.max;
    r.out2 = out2;
    k_.depthwise_row(r);
  }

  InvertedResidualOp op_;
  const simd::Kernels& k_;
  PackedGemm expand_, project_;
  std::vector<float> dw_weights_, dw_bias_;  // [tap][channel]
  int64_t channels_ = 0, in_w_ = 0, phases_ = 1, pieces_ = 1;
  bool pairs_ = false;  // two output rows of a chain per pass (stride 1, dilation 1, 2 or 4)
  int64_t pad_l_ = 0, pad_r_ = 0, row_floats_ = 0;  // zero columns around each ring row; floats a row
  std::vector<float> zero_row_;                     // read for padding rows
  ScratchSlots slots_;
};

}  // namespace

Status make_inverted_residual_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const InvertedResidualOp&>(*req.op);
  if (req.inputs.size() != 7 || !InvertedResidualOp::fusable(op.expand, op.depthwise, op.project))
    return op.invalid(Code::kUnsupported, "not a block the fused CPU kernel runs");
  for (size_t i = 1; i < req.inputs.size(); ++i)
    if (!req.inputs[i].is_constant()) return op.invalid(Code::kUnsupported, "weights and biases must be constants");
  *out = std::make_unique<InvertedResidualKernel>(op, simd::kernels_for(level), req.inputs, req.output,
                                                  std::max(1, req.threads));
  return Status::ok();
}

Status cpu_inverted_residual(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  return make_inverted_residual_kernel(req, simd_level(), out);
}

}  // namespace atrous
