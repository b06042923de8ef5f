#include "crf/band_splat.h"

#include <algorithm>

namespace atrous::crf {

Status BandSplat::build(const int32_t* offset, const float* weight, int dp1, const float* scale, int64_t vertices,
                        int width, int height, int rows, int lp, ThreadPool& pool, BandSplat* out) {
  out->rows_ = rows;
  out->width_ = width;
  out->dp1_ = dp1;
  const int64_t bands = (height + rows - 1) / rows, entries = int64_t(width) * height * dp1;
  out->vertex_.resize(static_cast<size_t>(entries));  // not zeroed: each band writes only what it uses
  out->entry_begin_.resize(static_cast<size_t>(entries + bands));
  out->point_.resize(static_cast<size_t>(entries));
  out->weight_.resize(static_cast<size_t>(entries));
  out->vertex_count_.assign(static_cast<size_t>(bands), 0);
  return pool.parallel_for(bands, 1, [&](int64_t b0, int64_t b1) {
    // Per vertex: the last band that touched it and its index there (stamps, so never cleared between bands).
    std::vector<int32_t> stamp(static_cast<size_t>(vertices), -1), local(static_cast<size_t>(vertices));
    std::vector<int32_t> slot(static_cast<size_t>(int64_t(rows) * width * dp1)), next;  // per entry: its vertex's index
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t p0 = b * rows * width, p1 = std::min<int64_t>(height, (b + 1) * rows) * width;
      const int64_t e0 = p0 * dp1, e1 = p1 * dp1;
      int32_t* vertex = out->vertex_.data() + e0;
      int32_t* begin = out->entry_begin_.data() + e0 + b;
      int32_t k = 0;  // the band's vertices so far; begin[l + 1] counts vertex l's entries
      for (int64_t e = e0; e < e1; ++e) {
        const int32_t v = offset[e];
        if (stamp[v] != b) {
          stamp[v] = static_cast<int32_t>(b);
          local[v] = k;
          vertex[k] = v;
          begin[++k] = 0;
        }
        const int32_t l = local[v];
        slot[e - e0] = l;
        ++begin[l + 1];
      }
      begin[0] = 0;
      for (int32_t l = 1; l <= k; ++l) begin[l] += begin[l - 1];
      next.assign(begin, begin + k);
      int32_t* point = out->point_.data() + e0;
      float* w = out->weight_.data() + e0;
      for (int64_t p = p0; p < p1; ++p) {  // in point order, so each vertex sums its points in order
        const float s = scale ? scale[p] : 1.f;
        for (int r = 0; r < dp1; ++r) {
          const int64_t e = p * dp1 + r;
          const int32_t at = next[slot[e - e0]]++;
          point[at] = static_cast<int32_t>((p - p0) * lp);
          w[at] = weight[e] * s;
        }
      }
      out->vertex_count_[static_cast<size_t>(b)] = k;
    }
  });
}

}  // namespace atrous::crf
