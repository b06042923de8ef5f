// The permutohedral lattice of Adams, Baek & Davis (2010), as the dense CRF of Krähenbühl & Koltun uses it:
// Gaussian filtering Σ_j exp(-|f_i - f_j|² / 2) · v_j in O(N·d²) instead of O(N²), approximately and up to a
// constant factor (the CRF normalizes it away).
//
// Built once per image; only the values change between mean-field iterations. Splatting scatters
// pixels in order into the (usually cache-resident) vertex values, a fixed number of image parts into
// as many buffers, summed in a fixed order; blurring and slicing run in parallel over disjoint outputs.
// So the result does not depend on the number of threads.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/aligned.h"
#include "core/status.h"
#include "core/thread_pool.h"

namespace atrous::crf {

constexpr int kMaxLatticeDims = 16;

class Lattice {
 public:
  // features: n rows of d floats, already divided by the kernel's standard deviations.
  // Fails with OUT_OF_MEMORY when the worst case would exceed memory_limit bytes.
  static Status build(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                      std::unique_ptr<Lattice>* out);
  // Worst-case bytes of a lattice over n points in d dimensions with `buffers` value buffers of lp floats per vertex.
  static int64_t worst_case_bytes(int64_t n, int d, int lp, int buffers);

  // out = lattice filter of (scale ⊙ in); both n × lp floats, distinct; scale (n floats) may be null.
  Status filter(const float* in, const float* scale, float* out, int lp, ThreadPool& pool);

  // For callers that splat and slice in their own loops (the mean-field pass): each point's simplex
  // (dp1() vertex ids and barycentric weights per point) and the blur's gain.
  const int32_t* offsets() const { return offset_.data(); }
  const float* weights() const { return weight_.data(); }
  int dp1() const { return d_ + 1; }
  float blur_gain() const;
  int64_t vertices() const { return m_; }

  // Prepares `parts` zeroed buffers of (vertices + 1) × lp floats to splat into, one per part of the points.
  Status reset_values(int lp, int parts, ThreadPool& pool);
  float* part(int j) { return buffer(part_ids_[j]); }
  // Sums the parts in order, blurs along every lattice direction and points *blurred at the result
  // (valid until the next call); the parts are zero again afterwards, ready for the next splat.
  Status blur(ThreadPool& pool, const float** blurred);

 private:
  int64_t n_ = 0;
  int d_ = 0;
  int64_t m_ = 0;
  AlignedVector<int32_t> offset_;  // n × (d+1): the vertices of each point's simplex (not zeroed: filled in parallel)
  AlignedVector<float> weight_;    // n × (d+1): its barycentric weights
  AlignedVector<int32_t> blur_n1_, blur_n2_;  // (d+1) × m: neighbours along each lattice direction, m if absent
  float* buffer(int j) { return values_[j].data(); }
  int lp_ = 0;
  std::vector<AlignedVector<float>> values_;  // parts + 1 buffers of (m+1) × lp; row m stays zero
  std::vector<int> part_ids_;               // which buffers are the parts; the remaining one holds the blur
};

}  // namespace atrous::crf
