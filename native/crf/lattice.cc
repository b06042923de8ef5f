#include "crf/lattice.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "crf/hot_loops.h"

namespace atrous::crf {

namespace {

// Open-addressing table from integer lattice keys (d coordinates; the last is implied) to vertex ids.
// A slot holds its id and the key's 32-bit hash, so most probes are settled without reading the key.
class KeyTable {
 public:
  // Starts small (lattices are usually far smaller than their worst case) and doubles at half load.
  KeyTable(int d, int64_t expected) : d_(d) {
    uint64_t power = 0x9E3779B97F4A7C15ull;
    for (int i = d - 1; i >= 0; --i, power *= 0x9E3779B97F4A7C15ull) power_[i] = power;
    int64_t cap = 1024;
    while (cap < 2 * expected) cap <<= 1;
    resize(cap);
  }
  // The id of `key`, whose hash(key) is `full` (computed beforehand, see prefetch); inserted when absent (ids count
  // up from 0).
  template <int kD = 0>
  int32_t find_or_insert(const int32_t* key, uint64_t full) {
    const uint32_t tag = static_cast<uint32_t>(full >> 32);
    uint64_t h = full & mask_;
    for (;;) {
      Slot& slot = slots_[h];
      if (slot.id < 0) {
        const int32_t id = static_cast<int32_t>(keys_.size() / d_);
        keys_.insert(keys_.end(), key, key + d_);
        slot = Slot{id, tag};
        if (2 * (static_cast<uint64_t>(id) + 1) > mask_) resize(static_cast<int64_t>(mask_ + 1) * 2);
        return id;
      }
      if (slot.tag == tag && same_key<kD>(this->key(slot.id), key)) return slot.id;
      h = (h + 1) & mask_;
    }
  }
  // Σᵢ keyᵢ · C^(d−i) mod 2⁶⁴ (the products independent, not a chain of multiplications), mixed down. kD: d when
  // known at compile time (the loops unroll), else 0.
  template <int kD = 0>
  uint64_t hash(const int32_t* key) const {
    const int d = kD ? kD : d_;
    uint64_t h = 0;
    for (int i = 0; i < d; ++i) h += static_cast<uint32_t>(key[i]) * power_[i];
    return h ^ (h >> 29);
  }
  // Starts loading the slot of a key with this hash, so that lookups of independent keys overlap their cache misses.
  void prefetch(uint64_t full) const {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(&slots_[full & mask_]);
#endif
  }
  // A lookup in two steps, for callers that overlap many (prefetch, then first_candidate and prefetch_key, then
  // find_from): the first slot from the key's home that is empty or carries its tag,
  uint64_t first_candidate(uint64_t full) const {
    const uint32_t tag = static_cast<uint32_t>(full >> 32);
    uint64_t h = full & mask_;
    while (slots_[h].id >= 0 && slots_[h].tag != tag) h = (h + 1) & mask_;
    return h;
  }
  void prefetch_key(uint64_t slot) const {
#if defined(__GNUC__) || defined(__clang__)
    if (slots_[slot].id >= 0) __builtin_prefetch(key(slots_[slot].id));
#endif
  }
  // and the lookup (no insertion) continued from that slot: the id of `k`, or -1.
  template <int kD = 0>
  int32_t find_from(const int32_t* k, uint64_t full, uint64_t h) const {
    const uint32_t tag = static_cast<uint32_t>(full >> 32);
    for (;;) {
      const Slot& slot = slots_[h];
      if (slot.id < 0) return -1;
      if (slot.tag == tag && same_key<kD>(key(slot.id), k)) return slot.id;
      h = (h + 1) & mask_;
    }
  }
  // Room for `count` keys without growing.
  void reserve(int64_t count) {
    keys_.reserve(static_cast<size_t>(count * d_));
    int64_t cap = static_cast<int64_t>(mask_ + 1);
    while (cap < 2 * count + 2) cap <<= 1;
    if (cap > static_cast<int64_t>(mask_ + 1)) resize(cap);
  }
  void swap(KeyTable& other) {
    std::swap(d_, other.d_);
    std::swap(power_, other.power_);
    std::swap(mask_, other.mask_);
    slots_.swap(other.slots_);
    keys_.swap(other.keys_);
  }
  int64_t size() const { return static_cast<int64_t>(keys_.size() / d_); }
  const int32_t* key(int64_t id) const { return &keys_[static_cast<size_t>(id) * d_]; }

 private:
  struct Slot {
    int32_t id;
    uint32_t tag;
  };
  template <int kD = 0>
  bool same_key(const int32_t* a, const int32_t* b) const {
    const int d = kD ? kD : d_;
    for (int i = 0; i < d; ++i)
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
  int d_;
  uint64_t power_[kMaxLatticeDims];  // C^(d−i) for key coordinate i
  uint64_t mask_ = 0;
  AlignedVector<Slot> slots_;
  AlignedVector<int32_t> keys_;
};

// std::round for |x| < 2³¹ (the features are bounded well below), inline: the baseline x86-64 build calls roundf.
inline int round_half_away(float x) {
  const int i = static_cast<int>(x);           // toward zero
  const float frac = x - static_cast<float>(i);  // exact
  return i + (frac >= 0.5f) - (frac <= -0.5f);
}

// Embeds one point: the d+1 vertex keys of its enclosing simplex (d coordinates each) and its barycentric weights.
// kD: d known at compile time for the CRF's two feature sizes (the loops unroll), 0 for any other.
template <int kD>
void embed(const float* f, int d_any, const float* scale, int32_t* keys, float* bary) {
  const int d = kD ? kD : d_any;
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
    const int rd = round_half_away(down * elevated[i]);
    rem0[i] = static_cast<int32_t>(rd * up);
    sum += rd;
    rank[i] = 0;
  }
  float diff[kMaxLatticeDims + 1];
  for (int i = 0; i <= d; ++i) diff[i] = elevated[i] - rem0[i];
  for (int i = 0; i < d; ++i) {
    for (int j = i + 1; j <= d; ++j) {  // without branches: which way goes with the data
      const int less = diff[i] < diff[j];
      rank[i] += less;
      rank[j] += 1 - less;
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

// Calls fn with std::integral_constant<int, d> for the CRF's two feature sizes (2 and 5), else with 0.
template <typename Fn>
void with_dims(int d, Fn&& fn) {
  switch (d) {
    case 2: return fn(std::integral_constant<int, 2>());
    case 5: return fn(std::integral_constant<int, 5>());
    default: return fn(std::integral_constant<int, 0>());
  }
}

void embed_any(const float* f, int d, const float* scale, int32_t* keys, float* bary) {
  with_dims(d, [&](auto dims) { embed<decltype(dims)::value>(f, d, scale, keys, bary); });
}

// The ids of `entries` keys (d coordinates each, inserted when absent), each key's slot prefetched a few lookups ahead;
// hashes: room for `entries`.
template <int kD>
void look_up(KeyTable& table, const int32_t* keys, int d_any, int64_t entries, uint64_t* hashes, int32_t* ids) {
  const int d = kD ? kD : d_any;
  constexpr int64_t kAhead = 16;
  for (int64_t e = 0; e < entries + kAhead; ++e) {
    if (e < entries) {
      hashes[e] = table.hash<kD>(&keys[e * d]);
      table.prefetch(hashes[e]);
    }
    if (e >= kAhead) ids[e - kAhead] = table.find_or_insert<kD>(&keys[(e - kAhead) * d], hashes[e - kAhead]);
  }
}

// The blur's neighbours of vertices [b, e) along each lattice direction j: ±(1, …, 1, -d, 1, …, 1) with -d at j
// (j = d moves only the implied coordinate), m (the zero row) where absent; into n1_out / n2_out at j · m + vertex.
template <int kD>
void find_neighbours(const KeyTable& table, int d_any, int64_t m, int64_t b, int64_t e, int32_t* n1_out,
                     int32_t* n2_out) {
  const int d = kD ? kD : d_any, dp1 = d + 1;
  // A lookup is two dependent cache misses (its slot, then the key the slot names), so the vertices go
  // through three stages: vertex v + 2's neighbour keys are hashed and their slots prefetched, vertex
  // v + 1's candidate slots found and their keys prefetched, vertex v's lookups finished.
  constexpr int kLookups = 2 * (kMaxLatticeDims + 1);
  struct Stage {
    int32_t keys[kLookups][kMaxLatticeDims];
    uint64_t hashes[kLookups];
    uint64_t slots[kLookups];
  };
  Stage stages[3];
  const int lookups = 2 * dp1;
  for (int64_t v = b; v < e + 2; ++v) {
    if (v < e) {
      Stage& st = stages[v % 3];
      const int32_t* key = table.key(v);
      for (int j = 0; j <= d; ++j) {
        int32_t* n1 = st.keys[2 * j];
        int32_t* n2 = st.keys[2 * j + 1];
        for (int k = 0; k < d; ++k) {
          n1[k] = key[k] - 1;
          n2[k] = key[k] + 1;
        }
        if (j < d) {
          n1[j] = key[j] + d;
          n2[j] = key[j] - d;
        }
      }
      for (int s = 0; s < lookups; ++s) {
        st.hashes[s] = table.hash<kD>(st.keys[s]);
        table.prefetch(st.hashes[s]);
      }
    }
    if (v - 1 >= b && v - 1 < e) {
      Stage& st = stages[(v - 1) % 3];
      for (int s = 0; s < lookups; ++s) {
        st.slots[s] = table.first_candidate(st.hashes[s]);
        table.prefetch_key(st.slots[s]);
      }
    }
    if (v - 2 >= b) {
      const int64_t u = v - 2;
      Stage& st = stages[u % 3];
      for (int j = 0; j <= d; ++j) {
        const int32_t a = table.find_from<kD>(st.keys[2 * j], st.hashes[2 * j], st.slots[2 * j]);
        const int32_t c = table.find_from<kD>(st.keys[2 * j + 1], st.hashes[2 * j + 1], st.slots[2 * j + 1]);
        n1_out[j * m + u] = a >= 0 ? a : static_cast<int32_t>(m);  // absent: the zero row m
        n2_out[j * m + u] = c >= 0 ? c : static_cast<int32_t>(m);
      }
    }
  }
}

// Points per part of the lattice construction (parts are embedded and hashed in parallel).
constexpr int64_t kPointsPerHashPart = 65536;

}  // namespace

int64_t Lattice::worst_case_bytes(int64_t n, int d, int lp, int buffers) {
  const int64_t e = n * (d + 1);  // simplex entries; also the most vertices there can be
  int64_t table = 1;
  while (table < 4 * e) table <<= 1;
  return e * (4 + 4)                          // offsets, weights
         + table * 8                          // hash slots
         + e * 4 * d                          // vertex keys
         + e * (d + 1) * 8                    // blur neighbours
         + e * int64_t(lp) * 4 * buffers;     // value buffers
}

Status Lattice::build(const float* features, int64_t n, int d, int64_t memory_limit, ThreadPool& pool,
                      std::unique_ptr<Lattice>* out) {
  if (d < 1 || d > kMaxLatticeDims) return error(Code::kInvalidArgument, "lattice dimension ", d, " is outside 1..", kMaxLatticeDims);
  if (n < 1) return error(Code::kInvalidArgument, "the lattice needs at least one point");
  if (n * (d + 1) >= (int64_t(1) << 31) - 1)
    return error(Code::kOutOfMemory, "an image of ", n, " pixels is too large for the CRF lattice (limit ", ((int64_t(1) << 31) - 1) / (d + 1), ")");
  const int64_t need = worst_case_bytes(n, d, 8, 3);
  if (memory_limit > 0 && need > memory_limit)
    return error(Code::kOutOfMemory, "the CRF lattice for ", n, " pixels in ", d, " dimensions may need ", need >> 20,
                 " MiB, over the limit of ", memory_limit >> 20, " MiB");
  // Features far from the origin would overflow the integer keys (σ tiny relative to the coordinates).
  const float inv_std = std::sqrt(2.f / 3.f) * (d + 1);
  float scale[kMaxLatticeDims];
  for (int i = 0; i < d; ++i) scale[i] = inv_std / std::sqrt(float((i + 1) * (i + 2)));
  std::atomic<int64_t> first_bad{n * d};
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(n * d, 65536, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      if (std::fabs(features[i]) <= 1e7f) continue;  // false for NaN too
      lower_atomically(first_bad, i);
      return;
    }
  }));
  if (first_bad.load() < n * d)
    return error(Code::kInvalidArgument, "CRF feature ", features[first_bad.load()],
                 " is not finite or too large (is a σ tiny?)");

  auto lat = std::make_unique<Lattice>();
  lat->n_ = n;
  lat->d_ = d;
  const int dp1 = d + 1;
  // The points are split into a number of parts fixed by n (never by the thread count); each part is
  // embedded and hashed into its own table in parallel, in point order; then the parts' tables are merged
  // in order. Vertex ids are so the same for any number of threads.
  const int parts = static_cast<int>(std::clamp<int64_t>(n / kPointsPerHashPart, 1, 8));
  std::vector<KeyTable> tables;
  for (int j = 0; j < parts; ++j) tables.emplace_back(d, n / parts / 4);
  lat->offset_.resize(static_cast<size_t>(n * dp1));
  lat->weight_.resize(static_cast<size_t>(n * dp1));
  const HotLoops& loops = hot_loops();
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(parts, 1, [&](int64_t j0, int64_t j1) {
    // Blocks of points are embedded (eight at a time where the hot loops can), then their keys looked up.
    constexpr int64_t kBlock = 64;
    std::vector<int32_t> keys(static_cast<size_t>(kBlock * dp1 * d));
    std::vector<uint64_t> hashes(static_cast<size_t>(kBlock * dp1));
    for (int64_t j = j0; j < j1; ++j) {
      KeyTable& table = tables[j];
      const int64_t i1 = n * (j + 1) / parts;
      for (int64_t b0 = n * j / parts; b0 < i1; b0 += kBlock) {
        const int64_t count = std::min(kBlock, i1 - b0), entries = count * dp1;
        if (!loops.embed(features + b0 * d, count, d, scale, keys.data(), &lat->weight_[b0 * dp1]))
          for (int64_t q = 0; q < count; ++q)
            embed_any(features + (b0 + q) * d, d, scale, &keys[q * dp1 * d], &lat->weight_[(b0 + q) * dp1]);
        with_dims(d, [&](auto dims) {
          look_up<decltype(dims)::value>(table, keys.data(), d, entries, hashes.data(), &lat->offset_[b0 * dp1]);
        });
      }
    }
  }));
  KeyTable& table = tables[0];
  int64_t most = 0;  // vertices after the merge, at most
  for (const KeyTable& t : tables) most += t.size();
  table.reserve(most);
  for (int j = 1; j < parts; ++j) {
    std::vector<int32_t> global(static_cast<size_t>(tables[j].size()));
    constexpr int64_t kAhead = 8;  // keys hashed and their slots prefetched this many lookups ahead
    std::vector<uint64_t> hashes(static_cast<size_t>(tables[j].size()));
    for (int64_t v = 0; v < tables[j].size(); ++v) {
      hashes[v] = table.hash(tables[j].key(v));
      if (v >= kAhead) global[v - kAhead] = table.find_or_insert(tables[j].key(v - kAhead), hashes[v - kAhead]);
      table.prefetch(hashes[v]);
    }
    for (int64_t v = std::max<int64_t>(0, tables[j].size() - kAhead); v < tables[j].size(); ++v)
      global[v] = table.find_or_insert(tables[j].key(v), hashes[v]);
    const int64_t e0 = n * j / parts * dp1, e1 = n * (j + 1) / parts * dp1;
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(e1 - e0, 16384, [&](int64_t k0, int64_t k1) {
      for (int64_t k = e0 + k0; k < e0 + k1; ++k) lat->offset_[k] = global[lat->offset_[k]];
    }));
    KeyTable(d, 0).swap(tables[j]);  // its memory back
  }
  const int64_t m = table.size();
  lat->m_ = m;

  lat->blur_n1_.resize(static_cast<size_t>(dp1 * m));
  lat->blur_n2_.resize(static_cast<size_t>(dp1 * m));
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(m, 1024, [&](int64_t b, int64_t e) {
    with_dims(d, [&](auto dims) {
      find_neighbours<decltype(dims)::value>(table, d, m, b, e, lat->blur_n1_.data(), lat->blur_n2_.data());
    });
  }));
  *out = std::move(lat);
  return Status::ok();
}

float Lattice::blur_gain() const {
  // The blur's gain grows with d; this matches Krähenbühl's scaling (the CRF normalizes it away anyway).
  return 1.f / (1.f + std::pow(2.f, -static_cast<float>(d_)));
}

Status Lattice::reset_values(int lp, int parts, ThreadPool& pool) {
  const int64_t rows = m_ + 1;
  lp_ = lp;
  values_.resize(static_cast<size_t>(parts) + 1);
  part_ids_.resize(static_cast<size_t>(parts));
  for (int j = 0; j < parts; ++j) part_ids_[j] = j;
  // The parts start at zero; the spare buffer (the blur's second) needs only its zero row m.
  for (AlignedVector<float>& v : values_) v.resize(static_cast<size_t>(rows * lp));  // not zeroed
  return pool.parallel_for(rows * lp, 65536, [&](int64_t i0, int64_t i1) {
    for (int j = 0; j < parts; ++j) std::fill(buffer(j) + i0, buffer(j) + i1, 0.f);
    float* spare = buffer(parts);
    std::fill(spare + std::max(i0, m_ * lp), spare + std::max(i1, m_ * lp), 0.f);
  });
}

Status Lattice::blur(ThreadPool& pool, const float** blurred) {
  const HotLoops& loops = hot_loops();
  const int lp = lp_;
  const int64_t size = m_ * lp;
  const int parts = static_cast<int>(part_ids_.size());
  float* a = part(0);
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(size, 16384, [&](int64_t i0, int64_t i1) {
    for (int j = 1; j < parts; ++j) {
      float* p = part(j);
      for (int64_t i = i0; i < i1; ++i) a[i] += p[i];
      std::fill(p + i0, p + i1, 0.f);
    }
  }));
  // The one buffer that is not a part serves as the blur's second buffer.
  int spare = 0;
  while (std::find(part_ids_.begin(), part_ids_.end(), spare) != part_ids_.end()) ++spare;
  int src = part_ids_[0], dst = spare;
  for (int j = 0; j <= d_; ++j) {
    const int32_t* n1 = &blur_n1_[j * m_];
    const int32_t* n2 = &blur_n2_[j * m_];
    const float* s = buffer(src);
    float* t = buffer(dst);
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(m_, 1024, [&](int64_t v0, int64_t v1) { loops.blur(n1, n2, s, t, v0, v1, lp); }));
    std::swap(src, dst);
  }
  // src holds the result; dst becomes part 0 again, zeroed (rows [0, m): row m is never written).
  float* z = buffer(dst);
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(size, 65536, [&](int64_t i0, int64_t i1) { std::fill(z + i0, z + i1, 0.f); }));
  part_ids_[0] = dst;
  *blurred = buffer(src);
  return Status::ok();
}

Status Lattice::filter(const float* in, const float* scale, float* out, int lp, ThreadPool& pool) {
  const HotLoops& loops = hot_loops();
  constexpr int kParts = 2;
  ATROUS_RETURN_IF_ERROR(reset_values(lp, kParts, pool));
  ATROUS_RETURN_IF_ERROR(pool.parallel_for(kParts, 1, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j)
      loops.splat(offset_.data(), weight_.data(), d_ + 1, scale, in, part(static_cast<int>(j)), n_ * j / kParts,
                  n_ * (j + 1) / kParts, lp);
  }));
  const float* blurred = nullptr;
  ATROUS_RETURN_IF_ERROR(blur(pool, &blurred));
  const float alpha = blur_gain();
  return pool.parallel_for(n_, 1024, [&](int64_t p0, int64_t p1) {
    loops.slice(offset_.data(), weight_.data(), d_ + 1, blurred, out, alpha, p0, p1, lp);
  });
}

}  // namespace atrous::crf
