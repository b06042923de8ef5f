// A position-only Gaussian kernel (σ in pixels) on a coarse regular grid: splat each pixel's value to its four
// surrounding nodes with bilinear weights, blur the nodes with [¼ ½ ¼] along x and y, slice back with the same
// weights. The kernel is T·B·Tᵀ per axis (T the linear interpolation, B the blur), separable and symmetric; with
// nodes σ·√(6/5) apart its variance, 2·s²/6 from the two interpolations plus s²/2 from the blur, is σ². The
// permutohedral lattice does the same on a simplex grid, but for d = 2 this grid is more accurate (relative
// L2 error of normalized outputs ≤ 0.013 against ≤ 0.017 for the lattice, measured in native/tests/crf_test.cc),
// needs no hashing and walks its nodes in order. The mean-field pass splats and slices it row by row itself, and
// blurs along y as it reads the node rows (grid_y_blur_taps), each once per image band: no pass over the nodes.
#pragma once
#include <cstdint>
#include <vector>

#include "core/aligned.h"
#include "crf/filters.h"
#include "crf/hot_loops.h"

namespace atrous::crf {

class GridGaussian : public GaussianFilter {
 public:
  // Position-only kernels with σ above this go on the grid; narrower ones are filtered exactly (SeparableGaussian:
  // cheaper there, and the grid's error grows as its nodes come closer to one per pixel).
  static constexpr float kMinSigma = 1.5f;
  GridGaussian(int width, int height, float sigma);
  // Bytes of `buffers` value buffers of lp floats per node (for the CRF's memory estimate).
  static int64_t buffer_bytes(int width, int height, float sigma, int lp, int buffers);

  Status apply(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) override;
  bool exact_scale() const override { return false; }
  GridGaussian* grid() override { return this; }
  // The kernel's sums Σ_j k(i, j) per pixel: a product of the 1-D sums.
  void kernel_sums(float* out) const;
  // The axes as the mean-field pass reads them.
  const GridView& view() const { return view_; }

  // Prepares `parts` zeroed buffers of nodes × lp floats to splat into, one per part of the image.
  Status reset_values(int lp, int parts, ThreadPool& pool);
  float* part(int j) { return values_[j].data(); }
  // Sums the parts in order and blurs them along x into the buffer *blurred points at (valid until the next call; the
  // blur along y is the reader's, see grid_y_blur_taps); the parts are zero again afterwards.
  Status blur(ThreadPool& pool, const float** blurred);

 private:
  struct Axis {  // see GridAxisView
    std::vector<int32_t> node, first;
    std::vector<float> w0, w1, tap;
    int nodes = 0, taps = 0;
    GridAxisView view() const { return {node.data(), w0.data(), w1.data(), nodes, first.data(), tap.data(), taps}; }
  };
  static Axis make_axis(int size, float spacing);
  static std::vector<float> sums_1d(const Axis& a, int size);
  int width_, height_;
  Axis x_, y_;
  GridView view_;
  int lp_ = 0;
  std::vector<AlignedVector<float>> values_;  // the parts, then the blurred nodes
};

}  // namespace atrous::crf
