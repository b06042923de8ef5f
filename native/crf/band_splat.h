// A lattice's splat regrouped by vertex, band of image rows by band, for the mean-field pass: the pass
// stores a band's new Q, then each vertex the band touches sums its points' weighted Q in registers and
// is written once, instead of every point read-modify-writing its d+1 vertex rows (on a 500×375 photo, an
// 8-row band of 4000 points touches ~0.2 vertices per point for d = 2, ~0.4 for d = 5, against 3 and 6
// writes per point; and those writes mostly missed the caches).
#pragma once
#include <cstdint>
#include <vector>

#include "core/aligned.h"
#include "core/status.h"
#include "core/thread_pool.h"

namespace atrous::crf {

// One band of a BandSplat.
struct SplatBand {
  const int32_t* vertex;       // the distinct vertices the band's points touch, by first touch
  int64_t vertices;
  const int32_t* entry_begin;  // vertex k's entries are [entry_begin[k], entry_begin[k + 1])
  const int32_t* point;        // per entry: where the point's q starts, in floats from the band's first point's
  const float* weight;         // per entry: its barycentric weight × the point's splat scale
};

class BandSplat {
 public:
  // Worst-case bytes of the plan for n points with dp1 vertices each.
  static int64_t worst_case_bytes(int64_t n, int dp1) { return n * dp1 * int64_t(4 + 4 + 4 + 4); }
  // offset / weight: n × dp1 vertex ids (below `vertices`) and weights; scale: n floats or null (1).
  // Bands of `rows` rows of an image `width` wide, fixed by the image, so the sums' order is too; the splat's q
  // holds `lp` floats per point (the entries store point · lp: one address computation less per entry).
  static Status build(const int32_t* offset, const float* weight, int dp1, const float* scale, int64_t vertices,
                      int width, int height, int rows, int lp, ThreadPool& pool, BandSplat* out);
  int rows() const { return rows_; }
  // The band holding row y (y a multiple of rows()).
  SplatBand band_at_row(int64_t y) const {
    const int64_t b = y / rows_, e0 = y * width_ * dp1_;
    return SplatBand{vertex_.data() + e0, vertex_count_[static_cast<size_t>(b)], entry_begin_.data() + e0 + b,
                     point_.data() + e0, weight_.data() + e0};
  }

 private:
  int rows_ = 1, width_ = 0, dp1_ = 0;
  // All bands in flat arrays: band b's entries are the simplex entries of its points, [e0, e1) with e0 = its first
  // point × dp1; its vertex list starts at vertex_[e0], its entry offsets at entry_begin_[e0 + b] (one more than
  // its vertices). A band has at most as many vertices as entries, so every band's room is known up front.
  AlignedVector<int32_t> vertex_, entry_begin_, point_;
  AlignedVector<float> weight_;
  std::vector<int64_t> vertex_count_;
};

}  // namespace atrous::crf
