#include "crf/lattice.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "crf/hot_loops.h"

namespace atrous::crf {

namespace {

// Open-addressing table from integer lattice keys (d coordinates; the last is implied) to vertex ids.
// A slot holds its id and the key's 32-bit hash, so most probes are settled without reading the key.
class KeyTable {
 public:
  // Starts small (lattices are usually far smaller than their worst case) and doubles at half load.
  KeyTable(int d, int64_t expected) : d_(d) {
    int64_t cap = 1024;
    while (cap < 2 * expected) cap <<= 1;
    resize(cap);
  }
  // The id of `key`, inserting it when `insert` (ids count up from 0); -1 when absent.
  int32_t find(const int32_t* key, bool insert) {
    const uint64_t full = hash(key);
    const uint32_t tag = static_cast<uint32_t>(full >> 32);
    uint64_t h = full & mask_;
    for (;;) {
      Slot& slot = slots_[h];
      if (slot.id < 0) {
        if (!insert) return -1;
        const int32_t id = static_cast<int32_t>(keys_.size() / d_);
        keys_.insert(keys_.end(), key, key + d_);
        slot = Slot{id, tag};
        if (2 * (static_cast<uint64_t>(id) + 1) > mask_) resize(static_cast<int64_t>(mask_ + 1) * 2);
        return id;
      }
      if (slot.tag == tag && same_key(this->key(slot.id), key)) return slot.id;
      h = (h + 1) & mask_;
    }
  }
  int32_t find(const int32_t* key) const { return const_cast<KeyTable*>(this)->find(key, false); }
  int64_t size() const { return static_cast<int64_t>(keys_.size() / d_); }
  const int32_t* key(int64_t id) const { return &keys_[static_cast<size_t>(id) * d_]; }

 private:
  struct Slot {
    int32_t id;
    uint32_t tag;
  };
  bool same_key(const int32_t* a, const int32_t* b) const {
    for (int i = 0; i < d_; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  void resize(int64_t cap) {
    slots_.assign(static_cast<size_t>(cap), Slot{-1, 0});
    mask_ = static_cast<uint64_t>(cap - 1);
    for (int64_t id = 0; id < size(); ++id) {
      const uint64_t full = hash(key(id));
      uint64_t h = full & mask_;
      while (slots_[h].id >= 0) h = (h + 1) & mask_;
      slots_[h] = Slot{static_cast<int32_t>(id), static_cast<uint32_t>(full >> 32)};
    }
  }
  uint64_t hash(const int32_t* key) const {
    uint64_t h = 0;
    for (int i = 0; i < d_; ++i) h = (h + static_cast<uint32_t>(key[i])) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
  }
  int d_;
  uint64_t mask_ = 0;
  std::vector<Slot> slots_;
  std::vector<int32_t> keys_;
};

// Embeds one point: the d+1 vertex keys of its enclosing simplex (d coordinates each) and its barycentric weights.
void embed(const float* f, int d, const float* scale, int32_t* keys, float* bary) {
  float elevated[kMaxLatticeDims + 1];
  int32_t rem0[kMaxLatticeDims + 1], rank[kMaxLatticeDims + 1];
  float b[kMaxLatticeDims + 2];
  // Elevate onto the hyperplane Σx = 0 of R^(d+1).
  float sm = 0.f;
  for (int j = d; j > 0; --j) {
    const float cf = f[j - 1] * scale[j - 1];
    elevated[j] = sm - j * cf;
    sm += cf;
  }
  elevated[0] = sm;
  // The nearest remainder-0 lattice point, then the ranks of the differential.
  const float down = 1.f / (d + 1), up = static_cast<float>(d + 1);
  int sum = 0;
  for (int i = 0; i <= d; ++i) {
    const int rd = static_cast<int>(std::round(down * elevated[i]));
    rem0[i] = static_cast<int32_t>(rd * up);
    sum += rd;
    rank[i] = 0;
  }
  for (int i = 0; i < d; ++i) {
    const float di = elevated[i] - rem0[i];
    for (int j = i + 1; j <= d; ++j) {
      if (di < elevated[j] - rem0[j]) ++rank[i];
      else ++rank[j];
    }
  }
  // Back onto the plane when the coordinates of rem0 do not sum to zero.
  for (int i = 0; i <= d; ++i) {
    rank[i] += sum;
    if (rank[i] < 0) {
      rank[i] += d + 1;
      rem0[i] += d + 1;
    } else if (rank[i] > d) {
      rank[i] -= d + 1;
      rem0[i] -= d + 1;
    }
  }
  for (int i = 0; i <= d + 1; ++i) b[i] = 0.f;
  for (int i = 0; i <= d; ++i) {
    const float v = (elevated[i] - rem0[i]) * down;
    b[d - rank[i]] += v;
    b[d - rank[i] + 1] -= v;
  }
  b[0] += 1.f + b[d + 1];
  // Vertex r of the simplex: rem0 + the canonical simplex's vertex r, permuted by rank.
  for (int r = 0; r <= d; ++r) {
    for (int i = 0; i < d; ++i) keys[r * d + i] = rem0[i] + (rank[i] <= d - r ? r : r - (d + 1));
    bary[r] = b[r];
  }
}

}  // namespace

int64_t Lattice::worst_case_bytes(int64_t n, int d, int lp) {
  const int64_t e = n * (d + 1);  // simplex entries; also the most vertices there can be
  int64_t table = 1;
  while (table < 4 * e) table <<= 1;
  return e * (4 + 4)              // offsets, weights
         + table * 8              // hash slots
         + e * 4 * d              // vertex keys
         + e * (d + 1) * 8        // blur neighbours
         + e * int64_t(lp) * 8;   // two value buffers
}

Status Lattice::build(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                      std::unique_ptr<Lattice>* out) {
  if (d < 1 || d > kMaxLatticeDims) return error(Code::kInvalidArgument, "lattice dimension ", d, " is outside 1..", kMaxLatticeDims);
  if (n < 1) return error(Code::kInvalidArgument, "the lattice needs at least one point");
  if (n * (d + 1) >= (int64_t(1) << 31) - 1)
    return error(Code::kOutOfMemory, "an image of ", n, " pixels is too large for the CRF lattice (limit ", ((int64_t(1) << 31) - 1) / (d + 1), ")");
  const int64_t need = worst_case_bytes(n, d, 16);
  if (memory_limit > 0 && need > memory_limit)
    return error(Code::kOutOfMemory, "the CRF lattice for ", n, " pixels in ", d, " dimensions may need ", need >> 20,
                 " MiB, over the limit of ", memory_limit >> 20, " MiB");
  // Features far from the origin would overflow the integer keys (σ tiny relative to the coordinates).
  const float inv_std = std::sqrt(2.f / 3.f) * (d + 1);
  float scale[kMaxLatticeDims];
  for (int i = 0; i < d; ++i) scale[i] = inv_std / std::sqrt(float((i + 1) * (i + 2)));
  for (int64_t i = 0; i < n * d; ++i) {
    const float v = features[i];
    if (!std::isfinite(v) || std::fabs(v) > 1e7f)
      return error(Code::kInvalidArgument, "CRF feature ", v, " is not finite or too large (is a σ tiny?)");
  }

  auto lat = std::make_unique<Lattice>();
  lat->n_ = n;
  lat->d_ = d;
  const int dp1 = d + 1;
  // Embed blocks of points in parallel into a small reused buffer, then hash them in order on this
  // thread (vertex ids follow point order, so they do not depend on the number of threads).
  constexpr int64_t kBlock = 16384;
  std::vector<int32_t> keys(static_cast<size_t>(std::min(n, kBlock) * dp1 * d));
  KeyTable table(d, n / 4);
  lat->offset_.resize(static_cast<size_t>(n * dp1));
  lat->weight_.resize(static_cast<size_t>(n * dp1));
  for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
    const int64_t b1 = std::min(n, b0 + kBlock);
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(b1 - b0, 1024, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        embed(features + (b0 + i) * d, d, scale, &keys[i * dp1 * d], &lat->weight_[(b0 + i) * dp1]);
    }));
    for (int64_t k = 0; k < (b1 - b0) * dp1; ++k) lat->offset_[b0 * dp1 + k] = table.find(&keys[k * d], true);
  }
  std::vector<int32_t>().swap(keys);
  const int64_t m = table.size();
  lat->m_ = m;

  // Neighbours along direction j: ±(1, …, 1, -d, 1, …, 1) with -d at j (j = d moves only the implied coordinate).
  lat->blur_n1_.resize(static_cast<size_t>(dp1 * m));
  lat->blur_n2_.resize(static_cast<size_t>(dp1 * m));
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(m, 4096, [&](int64_t b, int64_t e) {
    int32_t n1[kMaxLatticeDims], n2[kMaxLatticeDims];
    for (int64_t v = b; v < e; ++v) {
      const int32_t* key = table.key(v);
      for (int j = 0; j <= d; ++j) {
        for (int k = 0; k < d; ++k) {
          n1[k] = key[k] - 1;
          n2[k] = key[k] + 1;
        }
        if (j < d) {
          n1[j] = key[j] + d;
          n2[j] = key[j] - d;
        }
        const int32_t a = table.find(n1), b = table.find(n2);
        lat->blur_n1_[j * m + v] = a >= 0 ? a : static_cast<int32_t>(m);  // absent: the zero row m
        lat->blur_n2_[j * m + v] = b >= 0 ? b : static_cast<int32_t>(m);
      }
    }
  }));
  *out = std::move(lat);
  return Status::ok();
}

Status Lattice::filter(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) {
  const HotLoops& loops = hot_loops();
  const size_t size = static_cast<size_t>(m_) * lp;
  if (values_a_.size() < size + lp) {  // grow only: the normalization pass uses fewer lanes than the iterations
    values_a_.resize(size + lp);
    values_b_.resize(size + lp);
  }
  float* a = values_a_.data();
  float* b = values_b_.data();
  std::fill(a + size, a + size + lp, 0.f);  // vertex m: the zero row absent blur neighbours point at
  std::fill(b + size, b + size + lp, 0.f);
  // Two fixed halves of the image splat into separate buffers, summed after: parallel, and the same
  // sums whatever the number of threads.
  const int64_t half = n_ / 2;
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(2, 1, [&](int64_t h0, int64_t h1) {
    for (int64_t h = h0; h < h1; ++h) {
      float* dst = h == 0 ? a : b;
      std::fill(dst, dst + size, 0.f);  // only the first `size` floats are used
      loops.splat(offset_.data(), weight_.data(), d_ + 1, scale, in, dst, h == 0 ? 0 : half, h == 0 ? half : n_, lp);
    }
  }));
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(static_cast<int64_t>(size), 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) a[i] += b[i];
  }));
  for (int j = 0; j <= d_; ++j) {
    const int32_t* n1 = &blur_n1_[j * m_];
    const int32_t* n2 = &blur_n2_[j * m_];
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(m_, 1024, [&](int64_t v0, int64_t v1) {
      loops.blur(n1, n2, a, b, v0, v1, lp);
    }));
    std::swap(a, b);
  }
  // The blur's gain grows with d; this matches Krähenbühl's scaling (the CRF normalizes it away anyway).
  const float alpha = 1.f / (1.f + std::pow(2.f, -static_cast<float>(d_)));
  return pool.parallel_for(n_, 1024, [&](int64_t p0, int64_t p1) {
    loops.slice(offset_.data(), weight_.data(), d_ + 1, a, out, alpha, p0, p1, lp);
  });
}

}  // namespace atrous::crf
