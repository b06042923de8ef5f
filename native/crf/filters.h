// The ways the CRF applies a Gaussian kernel Σ_j exp(-|f_i - f_j|² / 2) · v_j to n × lp values.
#pragma once
#include <memory>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"
#include "crf/lattice.h"

namespace atrous::crf {

class GaussianFilter {
 public:
  virtual ~GaussianFilter() = default;
  // out = K · in; in and out are distinct n × lp arrays. The scale of K may be arbitrary (see exact_scale).
  virtual Status apply(const float* in, float* out, int lp, ThreadPool& pool) = 0;
  // True when K(i, i) = 1 exactly (no arbitrary constant factor).
  virtual bool exact_scale() const { return true; }
};

// Permutohedral lattice: any features, approximate.
class LatticeFilter : public GaussianFilter {
 public:
  static Status make(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                     std::unique_ptr<GaussianFilter>* out);
  Status apply(const float* in, float* out, int lp, ThreadPool& pool) override { return lattice_->filter(in, out, lp, pool); }
  bool exact_scale() const override { return false; }

 private:
  std::unique_ptr<Lattice> lattice_;
};

// Pixel-position features (x/σ, y/σ) only: exact, as two 1-D passes, truncated where the tail mass of a
// 1-D Gaussian falls below 1e-7 of its total (radius ⌈5.4σ⌉), so its relative error is ≤ 2e-7 per pass,
// far below the lattice's.
class SeparableGaussian : public GaussianFilter {
 public:
  SeparableGaussian(int width, int height, float sigma);
  Status apply(const float* in, float* out, int lp, ThreadPool& pool) override;
  static int radius_for(float sigma);

 private:
  int width_, height_, radius_;
  std::vector<float> taps_;
  std::vector<float> rows_;
};

// Brute force over all pairs, O(n²): the oracle for tests and for tiny images.
class ExactFilter : public GaussianFilter {
 public:
  ExactFilter(const float* features, int64_t n, int d) : features_(features, features + n * d), n_(n), d_(d) {}
  Status apply(const float* in, float* out, int lp, ThreadPool& pool) override;

 private:
  std::vector<float> features_;
  int64_t n_;
  int d_;
};

}  // namespace atrous::crf
