#include "crf/grid_gaussian.h"

#include <algorithm>
#include <cmath>

namespace atrous::crf {

namespace {

float spacing_for(float sigma) { return sigma * std::sqrt(6.f / 5.f); }

int nodes_for(int size, float spacing) { return static_cast<int>(std::floor((size - 1) / spacing)) + 2; }

}  // namespace

GridGaussian::Axis GridGaussian::make_axis(int size, float spacing) {
  Axis a;
  a.nodes = nodes_for(size, spacing);
  a.node.resize(static_cast<size_t>(size));
  a.w0.resize(static_cast<size_t>(size));
  a.w1.resize(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i) {
    const float g = i / spacing;
    const int k = std::min(static_cast<int>(g), a.nodes - 2);
    a.node[i] = k;
    a.w1[i] = std::min(1.f, g - k);
    a.w0[i] = 1.f - a.w1[i];
  }
  // Node k's pixels are those between k - 1 and k, and between k and k + 1: a run, as node[] never decreases.
  std::vector<int> lo(static_cast<size_t>(a.nodes), size), hi(static_cast<size_t>(a.nodes), -1);
  for (int i = 0; i < size; ++i)
    for (int k : {a.node[i], a.node[i] + 1}) {
      lo[k] = std::min(lo[k], i);
      hi[k] = std::max(hi[k], i);
    }
  for (int k = 0; k < a.nodes; ++k) a.taps = std::max(a.taps, hi[k] - lo[k] + 1);
  a.first.resize(static_cast<size_t>(a.nodes));
  a.tap.assign(static_cast<size_t>(a.nodes) * a.taps, 0.f);
  for (int k = 0; k < a.nodes; ++k) {
    a.first[k] = std::min(lo[k], size - a.taps);  // every run of taps lies inside the image
    for (int i = lo[k]; i <= hi[k]; ++i) a.tap[int64_t(k) * a.taps + i - a.first[k]] = a.node[i] == k ? a.w0[i] : a.w1[i];
  }
  return a;
}

GridGaussian::GridGaussian(int width, int height, float sigma)
    : width_(width), height_(height), x_(make_axis(width, spacing_for(sigma))), y_(make_axis(height, spacing_for(sigma))) {
  view_.x = x_.view();
  view_.y = y_.view();
}

int64_t GridGaussian::buffer_bytes(int width, int height, float sigma, int lp, int buffers) {
  const float s = spacing_for(sigma);
  return int64_t(nodes_for(width, s)) * nodes_for(height, s) * lp * 4 * buffers;
}

// (T B Tᵀ 1)_i along one axis: the interpolation's column sums, blurred, interpolated back.
std::vector<float> GridGaussian::sums_1d(const Axis& a, int size) {
  std::vector<double> mass(static_cast<size_t>(a.nodes), 0.0), blurred(mass.size());
  for (int i = 0; i < size; ++i) {
    mass[a.node[i]] += a.w0[i];
    mass[a.node[i] + 1] += a.w1[i];
  }
  for (int k = 0; k < a.nodes; ++k)
    blurred[k] = 0.5 * mass[k] + 0.25 * ((k > 0 ? mass[k - 1] : 0.0) + (k + 1 < a.nodes ? mass[k + 1] : 0.0));
  std::vector<float> out(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i)
    out[i] = static_cast<float>(a.w0[i] * blurred[a.node[i]] + a.w1[i] * blurred[a.node[i] + 1]);
  return out;
}

void GridGaussian::kernel_sums(float* out) const {
  const std::vector<float> sx = sums_1d(x_, width_), sy = sums_1d(y_, height_);
  for (int y = 0; y < height_; ++y)
    for (int x = 0; x < width_; ++x) out[int64_t(y) * width_ + x] = sx[x] * sy[y];
}

Status GridGaussian::reset_values(int lp, int parts, ThreadPool& pool) {
  lp_ = lp;
  const int64_t size = int64_t(x_.nodes) * y_.nodes * lp;
  values_.resize(static_cast<size_t>(parts) + 1);
  for (AlignedVector<float>& v : values_) v.resize(static_cast<size_t>(size));  // not zeroed
  return pool.parallel_for(size, 65536, [&](int64_t i0, int64_t i1) {
    for (int j = 0; j < parts; ++j) std::fill(part(j) + i0, part(j) + i1, 0.f);
  });
}

Status GridGaussian::blur(ThreadPool& pool, const float** blurred) {
  const int parts = static_cast<int>(values_.size()) - 1;
  const int64_t row = int64_t(x_.nodes) * lp_, lp = lp_;
  float* out = values_[parts].data();
  // Grid row by grid row: the parts summed in order into part 0, blurred along x, and zeroed (every grid has two
  // nodes or more along each axis).
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(y_.nodes, 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* __restrict sum = part(0) + r * row;
      for (int j = 1; j < parts; ++j) {
        float* __restrict p = part(j) + r * row;
        for (int64_t i = 0; i < row; ++i) sum[i] += p[i];
        std::fill(p, p + row, 0.f);
      }
      float* __restrict t = out + r * row;
      for (int64_t i = 0; i < lp; ++i) t[i] = 0.5f * sum[i] + 0.25f * sum[i + lp];
      for (int64_t i = lp; i < row - lp; ++i) t[i] = 0.5f * sum[i] + 0.25f * (sum[i - lp] + sum[i + lp]);
      for (int64_t i = row - lp; i < row; ++i) t[i] = 0.5f * sum[i] + 0.25f * sum[i - lp];
      std::fill(sum, sum + row, 0.f);
    }
  }));
  *blurred = out;
  return Status::ok();
}

// The filter outside the mean-field pass (tests): row by row, splat, blur, slice.
Status GridGaussian::apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) {
  const HotLoops& loops = hot_loops();
  ATROUS_RETURN_IF_ERROR(reset_values(lp, 1, pool));
  const int64_t row = int64_t(x_.nodes) * lp, width = width_;
  for (int64_t y = 0; y < height_; ++y) {
    float* lo = part(0) + y_.node[y] * row;
    loops.grid_splat_row(in + y * width * lp, scale ? scale + y * width : nullptr, view_.x, lo, lo + row, y_.w0[y],
                         y_.w1[y], lp);
  }
  const float* blurred = nullptr;
  ATROUS_RETURN_IF_ERROR(blur(pool, &blurred));
  return pool.parallel_for(height_, 4, [&](int64_t y0, int64_t y1) {
    std::vector<float> b(static_cast<size_t>(2 * row)), r(static_cast<size_t>(row));
    for (int64_t y = y0; y < y1; ++y) {
      for (int j = 0; j < 2; ++j) {  // B(k) and B(k + 1) around the row, blurred along y
        int first, count;
        float w[3];
        grid_y_blur_taps(y_.node[y] + j, y_.nodes, &first, &count, w);
        loops.grid_mix_rows(blurred + first * row, row, count, w, b.data() + j * row, row);
      }
      const float w[2] = {y_.w0[y], y_.w1[y]};
      loops.grid_mix_rows(b.data(), row, 2, w, r.data(), row);
      for (int64_t x = 0; x < width; ++x) {
        const float* a = r.data() + int64_t(x_.node[x]) * lp;
        float* o = out + (y * width + x) * lp;
        for (int c = 0; c < lp; ++c) o[c] = x_.w0[x] * a[c] + x_.w1[x] * a[lp + c];
      }
    }
  });
}

}  // namespace atrous::crf
