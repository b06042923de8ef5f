#include "cpu/packed_gemm.h"

#include <algorithm>

namespace atrous {

PackedGemm::PackedGemm(const simd::Kernels& kernels, const float* weights, const float* bias, int64_t n, int64_t k)
    : k_(kernels), n_(n), kdim_(k) {
  // Output columns in panels of nr; a remainder of at most nr / 2 gets a narrow panel.
  const int64_t nr = k_.gemm_nr;
  int64_t floats = 0;
  for (int64_t col = 0; col < n_;) {
    const int64_t width = n_ - col <= nr / 2 ? nr / 2 : nr;
    panels_.push_back({col, width, floats});
    floats += width * kdim_;
    col += width;
  }
  packed_.assign(floats, 0.f);
  for (const Panel& p : panels_)
    for (int64_t j = 0; j < std::min(p.width, n_ - p.col); ++j) {
      float* panel = packed_.data() + p.offset;
      const float* src = weights + (p.col + j) * kdim_;
      for (int64_t kk = 0; kk < kdim_; ++kk) panel[kk * p.width + j] = src[kk];
    }
  if (bias) {  // padded like the panels, as the tile reads whole vectors
    bias_.assign(panels_.back().col + panels_.back().width, 0.f);
    std::copy_n(bias, n_, bias_.data());
  }
  kc_ = std::max<int64_t>(64, 4096 / nr);
  for (int64_t k0 = 0; k0 < kdim_; k0 += kc_) all_.push_back({k0, std::min(kc_, kdim_ - k0)});
}

void PackedGemm::run(const float* a, int64_t lda, int64_t rows, float* c, int64_t ldc, float lo, float hi,
                     const Chunks& chunks) const {
  simd::GemmTile t;
  t.lda = lda;
  t.ldc = ldc;
  t.lo = lo;
  t.hi = hi;
  // Per panel of output columns, its K blocks: the C tiles of the panel stay in L1 across
  // K blocks, the A block stays in L2 across panels.
  for (const Panel& p : panels_) {
    const bool narrow = p.width < k_.gemm_nr;
    const int64_t mr = narrow ? k_.gemm_narrow_mr : k_.gemm_mr;
    auto* tile = narrow ? k_.gemm_tile_narrow : k_.gemm_tile;
    t.cols = static_cast<int>(std::min(p.width, n_ - p.col));
    const size_t passes = std::max<size_t>(1, chunks.size());
    for (size_t ci = 0; ci < passes; ++ci) {
      const int64_t k0 = chunks.empty() ? 0 : chunks[ci].first;
      t.kc = chunks.empty() ? 0 : chunks[ci].second;
      t.accumulate = ci > 0;
      t.last = ci + 1 == passes;
      t.b = packed_.data() + p.offset + k0 * p.width;
      t.bias = bias_.empty() ? nullptr : bias_.data() + p.col;
      for (int64_t i = 0; i < rows; i += mr) {
        t.a = a + i * lda + k0;
        t.c = c + i * ldc + p.col;
        t.rows = static_cast<int>(std::min(mr, rows - i));
        tile(t);
      }
    }
  }
}

}  // namespace atrous
