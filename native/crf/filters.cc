#include "crf/filters.h"

#include <algorithm>
#include <cmath>

#include "crf/hot_loops.h"

namespace atrous::crf {

Status LatticeFilter::make(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                           std::unique_ptr<GaussianFilter>* out) {
  auto f = std::make_unique<LatticeFilter>();
  ATROUS_RETURN_IF_ERROR(Lattice::build(features, n, d, memory_limit, pool, &f->lattice_));
  *out = std::move(f);
  return Status::ok();
}

int SeparableGaussian::radius_for(float sigma) { return static_cast<int>(std::ceil(4.f * sigma)); }

SeparableGaussian::SeparableGaussian(int width, int height, float sigma)
    : width_(width), height_(height), radius_(std::min(radius_for(sigma), std::max(width, height))) {
  taps_.resize(static_cast<size_t>(radius_) + 1);
  for (int t = 0; t <= radius_; ++t) taps_[t] = std::exp(-0.5f * (t / sigma) * (t / sigma));
}

void SeparableGaussian::kernel_sums(float* out) const {
  auto sums_1d = [&](int size) {
    std::vector<float> s(static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) {
      float sum = 0.f;
      for (int t = std::max(-radius_, -i); t <= std::min(radius_, size - 1 - i); ++t) sum += taps_[t < 0 ? -t : t];
      s[i] = sum;
    }
    return s;
  };
  const std::vector<float> sx = sums_1d(width_), sy = sums_1d(height_);
  for (int y = 0; y < height_; ++y)
    for (int x = 0; x < width_; ++x) out[int64_t(y) * width_ + x] = sx[x] * sy[y];
}

Status SeparableGaussian::apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) {
  const HotLoops& loops = hot_loops();
  if (lp % 8 != 0) return error(Code::kInternal, "the separable Gaussian needs lanes in multiples of 8, got ", lp);
  const int64_t row = static_cast<int64_t>(width_) * lp;
  if (scale) {
    scaled_.resize(static_cast<size_t>(row * height_));
    float* s = scaled_.data();
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(int64_t(width_) * height_, 4096, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p)
        for (int c = 0; c < lp; ++c) s[p * lp + c] = in[p * lp + c] * scale[p];
    }));
    in = s;
  }
  rows_.resize(static_cast<size_t>(row * height_));
  float* rows = rows_.data();
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(height_, 4, [&](int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) loops.gauss_row(in + y * row, rows + y * row, width_, taps_.data(), radius_, lp);
  }));
  return pool.parallel_for(height_, 4, [&](int64_t y0, int64_t y1) {
    loops.gauss_column(rows, out, row, height_, y0, y1, taps_.data(), radius_);
  });
}

double ExactFilter::weight(int64_t i, int64_t j) const {
  const float* fi = &features_[i * d_];
  const float* fj = &features_[j * d_];
  double dist = 0;
  for (int k = 0; k < d_; ++k) dist += double(fi[k] - fj[k]) * (fi[k] - fj[k]);
  return std::exp(-0.5 * dist);
}

Status ExactFilter::apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) {
  constexpr int64_t kMaxCached = 4096;  // points: a 128 MiB matrix at most
  if (matrix_.empty() && n_ <= kMaxCached) {
    matrix_.resize(static_cast<size_t>(n_ * n_));
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(n_, 16, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = 0; j < n_; ++j) matrix_[i * n_ + j] = weight(i, j);
    }));
  }
  return pool.parallel_for(n_, 16, [&](int64_t i0, int64_t i1) {
    std::vector<double> acc(static_cast<size_t>(lp));
    for (int64_t i = i0; i < i1; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t j = 0; j < n_; ++j) {
        const double w = (matrix_.empty() ? weight(i, j) : matrix_[i * n_ + j]) * (scale ? scale[j] : 1.f);
        for (int c = 0; c < lp; ++c) acc[c] += w * in[j * lp + c];
      }
      for (int c = 0; c < lp; ++c) out[i * lp + c] = static_cast<float>(acc[c]);
    }
  });
}

}  // namespace atrous::crf
