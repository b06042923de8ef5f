// C[rows, n] = A[rows, k] * B[k, n] + bias, clamped, with B packed once (at compile) into the
// panels the SIMD register tile streams. The GEMM of the 1x1 / im2col convolutions and of the
// fused inverted-residual block.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "cpu/simd/kernels.h"

namespace atrous {

class PackedGemm {
 public:
  using Chunks = std::vector<std::pair<int64_t, int64_t>>;  // K ranges: (offset, length)

  // `weights`: n rows of k floats (row j gives output column j); `bias`: n values or null.
  PackedGemm(const simd::Kernels& kernels, const float* weights, const float* bias, int64_t n, int64_t k);

  int64_t kc() const { return kc_; }  // the longest K chunk the tile takes at once
  // C = A * B over the whole K.
  void run(const float* a, int64_t lda, int64_t rows, float* c, int64_t ldc, float lo, float hi) const {
    run(a, lda, rows, c, ldc, lo, hi, all_);
  }
  // C = A * B over the given K chunks only (each at most kc() long); no chunks: bias alone.
  void run(const float* a, int64_t lda, int64_t rows, float* c, int64_t ldc, float lo, float hi,
           const Chunks& chunks) const;

 private:
  struct Panel {
    int64_t col, width, offset;  // first output column, nr or nr / 2, floats into packed_
  };
  const simd::Kernels& k_;
  int64_t n_ = 0, kdim_ = 0, kc_ = 0;
  std::vector<Panel> panels_;
  std::vector<float> packed_, bias_;
  Chunks all_;
};

}  // namespace atrous
