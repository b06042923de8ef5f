#include "crf/band_splat.h"

#include <algorithm>

namespace atrous::crf {

Status BandSplat::build(const int32_t* offset, const float* weight, int dp1, const float* scale, int64_t vertices,
                        int width, int height, int rows, ThreadPool& pool, BandSplat* out) {
  out->rows_ = rows;
  const int64_t bands = (height + rows - 1) / rows;
  out->bands_.assign(static_cast<size_t>(bands), SplatBand{});
  return pool.parallel_for(bands, 1, [&](int64_t b0, int64_t b1) {
    // Per vertex: the last band that touched it and its index there (stamps, so never cleared between bands).
    std::vector<int32_t> stamp(static_cast<size_t>(vertices), -1), local(static_cast<size_t>(vertices));
    std::vector<int32_t> count;  // per vertex of the band: its entries, then where its next entry goes
    for (int64_t b = b0; b < b1; ++b) {
      SplatBand& band = out->bands_[static_cast<size_t>(b)];
      const int64_t p0 = b * rows * width, p1 = std::min<int64_t>(height, (b + 1) * rows) * width;
      count.clear();
      for (int64_t e = p0 * dp1; e < p1 * dp1; ++e) {
        const int32_t v = offset[e];
        if (stamp[v] != b) {
          stamp[v] = static_cast<int32_t>(b);
          local[v] = static_cast<int32_t>(band.vertex.size());
          band.vertex.push_back(v);
          count.push_back(0);
        }
        ++count[local[v]];
      }
      band.entry_begin.resize(band.vertex.size() + 1);
      int32_t sum = 0;
      for (size_t k = 0; k < band.vertex.size(); ++k) {
        band.entry_begin[k] = sum;
        sum += count[k];
        count[k] = band.entry_begin[k];
      }
      band.entry_begin.back() = sum;
      band.point.resize(static_cast<size_t>(sum));
      band.weight.resize(static_cast<size_t>(sum));
      for (int64_t p = p0; p < p1; ++p)  // in point order, so each vertex sums its points in order
        for (int r = 0; r < dp1; ++r) {
          const int32_t at = count[local[offset[p * dp1 + r]]]++;
          band.point[at] = static_cast<int32_t>(p - p0);
          band.weight[at] = weight[p * dp1 + r] * (scale ? scale[p] : 1.f);
        }
    }
  });
}

}  // namespace atrous::crf
