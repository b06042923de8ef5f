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
  // out = K · (scale ⊙ in); in and out are distinct n × lp arrays; scale (one per point) may be null.
  // The gain of K may be arbitrary (see exact_scale).
  virtual Status apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) = 0;
  // True when K(i, i) = 1 exactly (no arbitrary constant factor).
  virtual bool exact_scale() const { return true; }
  // The lattice behind a lattice filter (the mean-field pass splats and slices it itself); else null.
  virtual Lattice* lattice() { return nullptr; }
  // The separable Gaussian behind a separable filter (the mean-field pass runs its two 1-D passes itself); else null.
  virtual class SeparableGaussian* separable() { return nullptr; }
  // The grid behind a grid filter (the mean-field pass splats and slices it row by row itself); else null.
  virtual class GridGaussian* grid() { return nullptr; }
};

// Permutohedral lattice: any features, approximate.
class LatticeFilter : public GaussianFilter {
 public:
  static Status make(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                     std::unique_ptr<GaussianFilter>* out);
  Status apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) override {
    return lattice_->filter(in, scale, out, lp, pool);
  }
  bool exact_scale() const override { return false; }
  Lattice* lattice() override { return lattice_.get(); }

 private:
  std::unique_ptr<Lattice> lattice_;
};

// Pixel-position features (x/σ, y/σ) only: exact, as two 1-D passes, truncated at radius ⌈4σ⌉ where the
// tail mass of a 1-D Gaussian is 6.3e-5 of its total, so each output is within 1.3e-4 (relative to the
// kernel's mass) of the untruncated sum: two orders of magnitude below the lattice's error (1–2 % at d = 2).
class SeparableGaussian : public GaussianFilter {
 public:
  SeparableGaussian(int width, int height, float sigma);
  Status apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) override;
  static int radius_for(float sigma);
  SeparableGaussian* separable() override { return this; }
  // The kernel's sums Σ_j k(i, j) per pixel (height × width): a product of the 1-D sums, no filtering needed.
  void kernel_sums(float* out) const;
  int radius() const { return radius_; }
  const float* taps() const { return taps_.data(); }  // g[0 .. radius]

 private:
  int width_, height_, radius_;
  std::vector<float> taps_;
  std::vector<float> rows_, scaled_;
};

// Brute force over all pairs, O(n²): the oracle for tests and for tiny images.
class ExactFilter : public GaussianFilter {
 public:
  ExactFilter(const float* features, int64_t n, int d) : features_(features, features + n * d), n_(n), d_(d) {}
  Status apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) override;

 private:
  double weight(int64_t i, int64_t j) const;
  std::vector<float> features_;
  std::vector<double> matrix_;  // n × n kernel values, kept when small enough (tests call apply repeatedly)
  int64_t n_;
  int d_;
};

}  // namespace atrous::crf
