#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "cpu/optimized.h"
#include "cpu/packed_gemm.h"
#include "cpu/reference.h"
#include "cpu/scratch_slots.h"
#include "cpu/simd/kernels.h"
#include "graph/kernel.h"

namespace atrous {

void ref::conv2d(const Conv2dOp& op, const CFView& x, const float* weight, const float* bias, const FView& y) {
  const Window2d& w = op.window;
  const int64_t cin_g = x.shape.c / op.groups, cout_g = y.shape.c / op.groups;
  for (int64_t n = 0; n < y.shape.n; ++n)
    for (int64_t oy = 0; oy < y.shape.h; ++oy)
      for (int64_t ox = 0; ox < y.shape.w; ++ox) {
        float* out = y.pixel(n, oy, ox);
        for (int64_t o = 0; o < y.shape.c; ++o) {
          const int64_t g = o / cout_g;
          double acc = bias ? bias[o] : 0.0;
          for (int64_t ky = 0; ky < w.kh; ++ky) {
            const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh;
            if (iy < 0 || iy >= x.shape.h) continue;
            for (int64_t kx = 0; kx < w.kw; ++kx) {
              const int64_t ix = ox * w.sw - w.pad_l + kx * w.dw;
              if (ix < 0 || ix >= x.shape.w) continue;
              const float* in = x.pixel(n, iy, ix) + g * cin_g;
              const float* k = weight + ((o * w.kh + ky) * w.kw + kx) * cin_g;
              for (int64_t c = 0; c < cin_g; ++c) acc += static_cast<double>(in[c]) * k[c];
            }
          }
          out[o] = std::min(std::max(static_cast<float>(acc), op.activation.min), op.activation.max);
        }
      }
}

namespace {

// Convolution as GEMM per group: C[M = output pixels, cout_g] = A[M, K] * B[K, cout_g] with
// K = kh * kw * cin_g. A is the input itself for 1x1 / stride 1 / no padding (its rows are
// pixels, `pixel_stride` apart), otherwise im2col rows built per block of M in scratch.
class GemmConv2dKernel : public Kernel {
 public:
  GemmConv2dKernel(const Conv2dOp& op, const simd::Kernels& k, const TensorInfo& w, const TensorInfo* b,
                   const TensorInfo& out, int threads)
      : op_(op), slots_(threads, 0) {
    const Window2d& win = op.window;
    groups_ = op.groups;
    cin_g_ = op.in_channels / groups_;
    cout_g_ = op.out_channels / groups_;
    kdim_ = win.kh * win.kw * cin_g_;
    direct_ = win.kh == 1 && win.kw == 1 && win.sh == 1 && win.sw == 1 && win.pad_t == 0 && win.pad_b == 0 &&
              win.pad_l == 0 && win.pad_r == 0;
    for (int64_t g = 0; g < groups_; ++g)
      gemms_.emplace_back(k, w.weight->data.data() + g * cout_g_ * kdim_, b ? b->weight->data.data() + g * cout_g_ : nullptr,
                          cout_g_, kdim_);
    kc_ = gemms_[0].kc();
    // Row block: ~96 rows, fewer when an im2col block would pass 1 MB, or when there would be
    // too few blocks to keep the threads evenly busy (a multiple of both tiles' rows).
    const int64_t rows_unit = std::lcm<int64_t>(k.gemm_mr, k.gemm_narrow_mr);
    const int64_t m = out.shape.n * out.shape.h * out.shape.w;
    mc_ = direct_ ? 96 : std::min<int64_t>(96, (1 << 18) / kdim_);
    mc_ = std::min<int64_t>(mc_, (m + 4 * threads - 1) / (4 * threads) + rows_unit - 1);
    mc_ = std::max<int64_t>(rows_unit, mc_ / rows_unit * rows_unit);
    if (!direct_) slots_ = ScratchSlots(threads, mc_ * kdim_);
  }

  size_t scratch_bytes() const override { return slots_.bytes(); }

  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) override {
    const CFView& x = in[0];
    const int64_t m = y.shape.n * y.shape.h * y.shape.w;
    const int64_t blocks = (m + mc_ - 1) / mc_;
    return ctx.pool->parallel_for(blocks, 1, [&](int64_t begin, int64_t end) {
      if (direct_) {
        for (int64_t blk = begin; blk < end; ++blk) run_block(x, y, blk * mc_, std::min(mc_, m - blk * mc_), nullptr);
      } else {
        ScratchSlots::Lease lease(slots_, ctx);
        for (int64_t blk = begin; blk < end; ++blk)
          run_block(x, y, blk * mc_, std::min(mc_, m - blk * mc_), lease.data());
      }
    });
  }

 private:
  void run_block(const CFView& x, const FView& y, int64_t m0, int64_t rows, float* cols) const {
    for (int64_t g = 0; g < groups_; ++g) {
      const float* a;
      int64_t lda;
      if (direct_) {
        a = x.data + m0 * x.pixel_stride + g * cin_g_;
        lda = x.pixel_stride;
      } else {
        im2col(x, y.shape, m0, rows, g, cols);
        a = cols;
        lda = kdim_;
      }
      float* c = y.data + m0 * y.pixel_stride + g * cout_g_;
      const float lo = op_.activation.min, hi = op_.activation.max;
      if (direct_)
        gemms_[g].run(a, lda, rows, c, y.pixel_stride, lo, hi);
      else
        gemms_[g].run(a, lda, rows, c, y.pixel_stride, lo, hi, k_chunks(x.shape, y.shape, m0, rows));
    }
  }

  // The K chunks (offset, length, at most kc_ long) a block of rows needs. A tap that lands
  // outside the input for every row of the block only multiplies zeros (large atrous rates on
  // small maps), so its K range [tap * cin_g, (tap + 1) * cin_g) is left out.
  std::vector<std::pair<int64_t, int64_t>> k_chunks(const Shape4& xs, const Shape4& ys, int64_t m0, int64_t rows) const {
    const Window2d& w = op_.window;
    std::vector<char> row_used(w.kh, 0), col_used(w.kw, 0);
    int64_t oy = m0 / ys.w % ys.h, ox = m0 % ys.w;
    for (int64_t r = 0; r < rows; ++r) {
      if (r > 0 && ++ox == ys.w) ox = 0, oy = (oy + 1) % ys.h;
      for (int64_t ky = 0; ky < w.kh; ++ky) {
        const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh;
        row_used[ky] |= iy >= 0 && iy < xs.h;
      }
      for (int64_t kx = 0; kx < w.kw; ++kx) {
        const int64_t ix = ox * w.sw - w.pad_l + kx * w.dw;
        col_used[kx] |= ix >= 0 && ix < xs.w;
      }
    }
    std::vector<std::pair<int64_t, int64_t>> chunks;
    int64_t start = -1;  // of the current run of used taps
    for (int64_t t = 0; t <= w.kh * w.kw; ++t) {
      const bool used = t < w.kh * w.kw && row_used[t / w.kw] && col_used[t % w.kw];
      if (used && start < 0) start = t;
      if (!used && start >= 0) {
        for (int64_t k0 = start * cin_g_; k0 < t * cin_g_; k0 += kc_) chunks.push_back({k0, std::min(kc_, t * cin_g_ - k0)});
        start = -1;
      }
    }
    return chunks;
  }

  // Rows [m0, m0 + rows) of A for group g: per output pixel, its kh * kw input pixels' channels.
  void im2col(const CFView& x, const Shape4& ys, int64_t m0, int64_t rows, int64_t g, float* dst) const {
    const Window2d& w = op_.window;
    // Output pixel (n, oy, ox) of row m0, then stepped along (no divisions per row).
    int64_t n = m0 / (ys.h * ys.w), oy = m0 / ys.w % ys.h, ox = m0 % ys.w;
    for (int64_t r = 0; r < rows; ++r, dst += kdim_) {
      if (r > 0 && ++ox == ys.w) {
        ox = 0;
        if (++oy == ys.h) oy = 0, ++n;
      }
      float* d = dst;
      const int64_t ix0 = ox * w.sw - w.pad_l;
      // The kw taps of a kernel row are one contiguous run of the input when they are
      // neighbouring, unpadded pixels of a dense tensor.
      const bool run = w.dw == 1 && groups_ == 1 && x.pixel_stride == cin_g_ && ix0 >= 0 && ix0 + w.kw <= x.shape.w;
      for (int64_t ky = 0; ky < w.kh; ++ky) {
        const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh;
        if (run && iy >= 0 && iy < x.shape.h) {
          const float* s = x.pixel(n, iy, ix0);
          for (int64_t i = 0; i < w.kw * cin_g_; ++i) d[i] = s[i];
          d += w.kw * cin_g_;
          continue;
        }
        for (int64_t kx = 0; kx < w.kw; ++kx, d += cin_g_) {
          const int64_t ix = ox * w.sw - w.pad_l + kx * w.dw;
          // Plain loops: for the few channels of a stem conv they beat memcpy / memset calls.
          if (iy < 0 || iy >= x.shape.h || ix < 0 || ix >= x.shape.w) {
            for (int64_t c = 0; c < cin_g_; ++c) d[c] = 0.f;
          } else {
            const float* s = x.pixel(n, iy, ix) + g * cin_g_;
            for (int64_t c = 0; c < cin_g_; ++c) d[c] = s[c];
          }
        }
      }
    }
  }

  Conv2dOp op_;
  int64_t groups_ = 1, cin_g_ = 0, cout_g_ = 0, kdim_ = 0, kc_ = 0, mc_ = 0;
  std::vector<PackedGemm> gemms_;  // one per group
  bool direct_ = false;
  ScratchSlots slots_;
};

// Depthwise conv (groups == Cin): a direct kernel per output row with channels in SIMD lanes.
// A channel multiplier m > 1 first spreads each input row to Cout channels (o reads o / m) in
// scratch, so the row kernel always sees multiplier 1.
class DepthwiseConv2dKernel : public Kernel {
 public:
  DepthwiseConv2dKernel(const Conv2dOp& op, const simd::Kernels& k, const TensorInfo& w, const TensorInfo* b,
                        const TensorInfo& x, int threads)
      : op_(op), k_(k), slots_(threads, 0) {
    const Window2d& win = op.window;
    channels_ = op.out_channels;
    multiplier_ = op.out_channels / op.in_channels;
    const int64_t taps = win.kh * win.kw;
    weights_.resize(taps * channels_);
    const float* wd = w.weight->data.data();  // [Cout, kh, kw, 1]
    for (int64_t o = 0; o < channels_; ++o)
      for (int64_t t = 0; t < taps; ++t) weights_[t * channels_ + o] = wd[o * taps + t];
    if (b) bias_ = b->weight->data;
    if (multiplier_ > 1) slots_ = ScratchSlots(threads, win.kh * x.shape.w * channels_);
    pairs_ = multiplier_ == 1 && win.kh == 3 && win.kw == 3 && win.sh == 1 && win.sw == 1 &&
             (win.dw == 1 || win.dw == 2 || win.dw == 4);
  }

  size_t scratch_bytes() const override { return slots_.bytes(); }

  Status run(const ExecContext& ctx, const std::vector<CFView>& in, const FView& y) override {
    const CFView& x = in[0];
    const int64_t h = y.shape.h;
    return ctx.pool->parallel_for(y.shape.n * h, 1, [&](int64_t begin, int64_t end) {
      if (multiplier_ == 1) {
        for (int64_t r = begin; r < end;) {
          // Pair with the next row when it is this one shifted by the dilation (same phase).
          const int64_t oy = row_order(r % h, h);
          const bool pair = pairs_ && r + 1 < end && (r + 1) / h == r / h && row_order((r + 1) % h, h) == oy + op_.window.dh;
          r += run_row(x, y, r / h, oy, nullptr, pair);
        }
      } else {
        ScratchSlots::Lease lease(slots_, ctx);
        for (int64_t r = begin; r < end; ++r) run_row(x, y, r / h, row_order(r % h, h), lease.data());
      }
    });
  }

 private:
  // The i-th output row to compute. With dilation d (stride 1), rows oy and oy + d share two of
  // their three input rows, so rows go phase by phase (0, d, 2d, ..., then 1, 1 + d, ...): the
  // shared input rows are still in L2 for the next row. In order, a wide layer's rows (250 KB
  // each at 65x960) are evicted before their reuse d rows later.
  int64_t row_order(int64_t i, int64_t h) const {
    const int64_t d = op_.window.sh == 1 ? std::min<int64_t>(op_.window.dh, h) : 1;
    if (d <= 1) return i;
    const int64_t q = h / d, long_phases = h % d;  // the first h % d phases have q + 1 rows
    int64_t phase, j;
    if (i < long_phases * (q + 1)) {
      phase = i / (q + 1), j = i % (q + 1);
    } else {
      i -= long_phases * (q + 1);
      phase = long_phases + i / q, j = i % q;
    }
    return phase + j * d;
  }

  // Output row oy, and oy + dh with it when `pair` and all four input rows exist. Returns the
  // number of rows done.
  int run_row(const CFView& x, const FView& y, int64_t n, int64_t oy, float* spread, bool pair = false) const {
    const Window2d& w = op_.window;
    const float* rows[65];
    std::vector<const float*> many;
    const float** row_ptrs = rows;
    if (w.kh > 64) {
      many.resize(w.kh);
      row_ptrs = many.data();
    }
    int64_t in_stride = x.pixel_stride;
    if (pair) {
      for (int64_t ky = 0; ky < 4; ++ky) {
        const int64_t iy = oy - w.pad_t + ky * w.dh;
        if (iy < 0 || iy >= x.shape.h) pair = false;
      }
      if (pair) rows[3] = x.pixel(n, oy - w.pad_t + 3 * w.dh, 0);
    }
    for (int64_t ky = 0; ky < w.kh; ++ky) {
      const int64_t iy = oy * w.sh - w.pad_t + ky * w.dh;
      row_ptrs[ky] = iy >= 0 && iy < x.shape.h ? x.pixel(n, iy, 0) : nullptr;
    }
    if (spread) {
      const int64_t cin = op_.in_channels;
      for (int64_t ky = 0; ky < w.kh; ++ky) {
        if (!row_ptrs[ky]) continue;
        float* d = spread + ky * x.shape.w * channels_;
        for (int64_t ix = 0; ix < x.shape.w; ++ix) {
          const float* s = row_ptrs[ky] + ix * x.pixel_stride;
          for (int64_t c = 0; c < cin; ++c)
            for (int64_t j = 0; j < multiplier_; ++j) *d++ = s[c];
        }
        row_ptrs[ky] = spread + ky * x.shape.w * channels_;
      }
      in_stride = channels_;
    }
    simd::DepthwiseRow r;
    r.rows = row_ptrs;
    r.in_w = x.shape.w;
    r.in_stride = in_stride;
    r.channels = channels_;
    r.w = weights_.data();
    r.bias = bias_.empty() ? nullptr : bias_.data();
    r.kh = static_cast<int>(w.kh);
    r.kw = static_cast<int>(w.kw);
    r.sw = static_cast<int>(w.sw);
    r.dw = static_cast<int>(w.dw);
    r.pad_l = static_cast<int>(w.pad_l);
    r.out = y.pixel(n, oy, 0);
    r.out_w = y.shape.w;
    r.out_stride = y.pixel_stride;
    r.lo = op_.activation.min;
    r.hi = op_.activation.max;
    r.out2 = pair ? y.pixel(n, oy + w.dh, 0) : nullptr;
    k_.depthwise_row(r);
    return pair ? 2 : 1;
  }

  Conv2dOp op_;
  const simd::Kernels& k_;
  int64_t channels_ = 0, multiplier_ = 1;
  bool pairs_ = false;  // two output rows per pass (see simd::DepthwiseRow::out2)
  std::vector<float> weights_, bias_;
  ScratchSlots slots_;
};

}  // namespace

Status make_conv2d_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out) {
  const auto& op = static_cast<const Conv2dOp&>(*req.op);
  const TensorInfo* bias = req.inputs.size() == 3 ? &req.inputs[2] : nullptr;
  if (!req.inputs[1].is_constant() || (bias && !bias->is_constant()))
    return op.invalid(Code::kUnsupported, "weights and bias must be constants");
  const simd::Kernels& k = simd::kernels_for(level);
  const int threads = std::max(1, req.threads);
  if (op.is_depthwise())
    *out = std::make_unique<DepthwiseConv2dKernel>(op, k, req.inputs[1], bias, req.inputs[0], threads);
  else
    *out = std::make_unique<GemmConv2dKernel>(op, k, req.inputs[1], bias, req.output, threads);
  return Status::ok();
}

Status cpu_conv2d(const KernelRequest& req, std::unique_ptr<Kernel>* out) {
  return make_conv2d_kernel(req, simd_level(), out);
}

}  // namespace atrous
