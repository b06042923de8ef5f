// A lattice's splat regrouped by vertex, band of image rows by band, for the mean-field pass: the pass
// stores a band's new Q, then each vertex the band touches sums its points' weighted Q in registers and
// is written once, instead of every point read-modify-writing its d+1 vertex rows (on a 500×375 photo, an
// 8-row band of 4000 points touches ~0.2 vertices per point for d = 2, ~0.4 for d = 5, against 3 and 6
// writes per point; and those writes mostly missed the caches).
#pragma once
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"

namespace atrous::crf {

struct SplatBand {
  std::vector<int32_t> vertex;       // the distinct vertices the band's points touch, by first touch
  std::vector<int32_t> entry_begin;  // vertex k's entries are [entry_begin[k], entry_begin[k + 1])
  std::vector<int32_t> point;        // per entry: the point, counted from the band's first
  std::vector<float> weight;         // per entry: its barycentric weight × the point's splat scale
};

class BandSplat {
 public:
  // Worst-case bytes of the plan for n points with dp1 vertices each.
  static int64_t worst_case_bytes(int64_t n, int dp1) { return n * dp1 * int64_t(4 + 4 + 4 + 4); }
  // offset / weight: n × dp1 vertex ids (below `vertices`) and weights; scale: n floats or null (1).
  // Bands of `rows` rows of an image `width` wide, fixed by the image, so the sums' order is too.
  static Status build(const int32_t* offset, const float* weight, int dp1, const float* scale, int64_t vertices,
                      int width, int height, int rows, ThreadPool& pool, BandSplat* out);
  int rows() const { return rows_; }
  // The band holding row y (y a multiple of rows()).
  const SplatBand& band_at_row(int64_t y) const { return bands_[static_cast<size_t>(y / rows_)]; }

 private:
  int rows_ = 1;
  std::vector<SplatBand> bands_;
};

}  // namespace atrous::crf
