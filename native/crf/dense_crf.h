// The fully-connected CRF of Krähenbühl & Koltun (2011): mean-field inference with Gaussian (position)
// and bilateral (position + colour) pairwise kernels over every pair of pixels.
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace atrous::crf {

// How a kernel's filter output is normalized by n_i = Σ_j k(i, j), as in the reference densecrf.
enum class Normalization {
  kSymmetric,  // n^-½ · K · n^-½ (densecrf's default)
  kBefore,     // K · n^-1
  kAfter,      // n^-1 · K (per-pixel average, DeepLab's CRF layer)
  kNone,       // K itself, with k(i, i) = 1
};

struct PairwiseKernel {
  bool bilateral = false;  // position + colour; otherwise position only
  float sxy = 1.f, srgb = 1.f;
  Normalization normalization = Normalization::kSymmetric;
  // Potts: label l's log-potential gains weight · (k ⋆ Q)_l. When `compat` (labels × labels, row-major)
  // is given instead, it loses Σ_l' compat[l][l'] · (k ⋆ Q)_l'.
  float weight = 1.f;
  std::vector<float> compat;
};

struct CrfOptions {
  int iterations = 5;
  std::vector<PairwiseKernel> kernels;
  bool logits = false;         // scores are logits (else probabilities, unary = -log p)
  int threads = 0;             // 0: all hardware threads
  int64_t memory_limit = 0;    // bytes; 0: half the physical memory
  bool exact_filtering = false;  // brute-force O(N²) filtering: the oracle for tests
};

constexpr int64_t kScoresUnchecked = -2;

struct CrfImage {
  const uint8_t* rgb = nullptr;  // height × width × 3
  int width = 0, height = 0;
  const float* scores = nullptr;  // height × width × labels
  int labels = 0;
  // For probabilities copied by copy_scores: what it returned (-1: all good); dense_crf then skips its own check.
  int64_t first_bad_score = kScoresUnchecked;
};

// Copies n × labels scores (`from` and `to` distinct) and, unless they are logits, checks them on the way, a block at
// a time while it is in cache: returns the first point with a score outside [0, 1] or not finite, else -1 (for
// logits, kScoresUnchecked). For callers that copy the scores anyway (the addon, on the JS thread, so that JS may
// reuse its array), instead of dense_crf reading them all once more to check them.
int64_t copy_scores(const float* from, float* to, int64_t n, int labels, bool logits);

// Sizes and options; the scores themselves are checked by dense_crf as it reads them.
Status validate(const CrfImage& image, const CrfOptions& options);

// Runs mean-field; writes the argmax (height × width) and the marginals Q (height × width × labels).
// `abort` is checked between iterations.
Status dense_crf(const CrfImage& image, const CrfOptions& options, const std::atomic<bool>* abort, int32_t* labels_out,
                 float* probabilities_out);

// Test hook: filters n × vd values with features (n × d) by the lattice or by brute force; raw, unnormalized.
Status gaussian_filter_for_test(const float* features, int64_t n, int d, const float* values, int vd, bool exact,
                                float* out);

}  // namespace atrous::crf
