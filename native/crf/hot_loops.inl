// Included by hot_loops.cc, hot_loops_avx2.cc and hot_loops_avx512.cc inside their own namespace,
// so each copy is compiled with that file's ISA flags. Plain loops written for the auto-vectorizer.
// The including file provides <cstring> and crf/hot_loops.h.
namespace {

// When lp is a multiple of kChunk the loops walk the lanes in register-sized chunks, so each chunk's
// partial sums stay in one vector register across the d+1 simplex vertices.
constexpr int kChunk = 8;

// The common padded label counts get their own copy of each loop with lp known at compile time, so
// the lane loops unroll into whole vector registers with no remainder code; others take the generic copy.
template <int N>
struct Lanes {
  static constexpr int value = N;
};

template <typename Fn>
inline void with_lanes(int lp, Fn&& fn) {
  switch (lp) {
    case 1: return fn(Lanes<1>());  // the kernel sums (filtering ones)
    case 8: return fn(Lanes<8>());
    case 16: return fn(Lanes<16>());
    case 24: return fn(Lanes<24>());
    case 32: return fn(Lanes<32>());
    default: return fn(Lanes<0>());
  }
}

void splat(const int32_t* offset, const float* weight, int dp1, const float* scale, const float* in, float* val,
           int64_t t0, int64_t t1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    auto splat_one = [&](int64_t t) {
      const float* __restrict x = in + t * lp;
      const float sp = scale ? scale[t] : 1.f;
      for (int r = 0; r < dp1; ++r) {
        float* __restrict o = val + static_cast<int64_t>(offset[t * dp1 + r]) * lp;
        const float w = weight[t * dp1 + r] * sp;
        for (int k = 0; k < lp; ++k) o[k] += w * x[k];
      }
    };
    // Neighbouring points add to the same vertices, each waiting on the previous store; alternating
    // with a point from the other half of the range gives the core two independent chains.
    const int64_t mid = t0 + (t1 - t0 + 1) / 2;
    for (int64_t i = 0; t0 + i < mid; ++i) {
      splat_one(t0 + i);
      if (mid + i < t1) splat_one(mid + i);
    }
  });
}

// Starts loading `count` consecutive elements from p, a cache line (64 bytes) at a time: a stretch of a per-point
// stream that a loop reads some points later.
// (On x86 through asm volatile: GCC deleted the loop of __builtin_prefetch, inlined in the pass, as doing nothing.)
template <typename T>
inline void prefetch_stream(const T* p, int64_t count) {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
  for (int64_t i = 0; i < count; i += 64 / sizeof(T)) asm volatile("prefetcht0 %0" : : "m"(p[i]));
#elif defined(__GNUC__) || defined(__clang__)
  for (int64_t i = 0; i < count; i += 64 / sizeof(T)) __builtin_prefetch(p + i);
#else
  (void)p, (void)count;
#endif
}

// How many vertices ahead the blur prefetches neighbours (measured: 8 saves a few % on a 190k-vertex lattice).
constexpr int kPrefetch = 8;

// Starts loading a vertex row of lp floats, for reading or (kWrite) writing: its first and its last cache line (a
// row of 24 lanes spans two; one of 16 or fewer, from a cache-aligned buffer, one).
template <bool kWrite>
inline void prefetch_row(const float* row, int64_t lp) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(row, kWrite ? 1 : 0);
  if (lp > 16) __builtin_prefetch(row + lp - 1, kWrite ? 1 : 0);
#else
  (void)row, (void)lp;
#endif
}

void blur(const int32_t* n1, const int32_t* n2, const float* src, float* dst, int64_t v0, int64_t v1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    for (int64_t v = v0; v < v1; ++v) {
      if (v + kPrefetch < v1) {  // the neighbours are scattered over a lattice larger than the cache
        prefetch_row<false>(src + static_cast<int64_t>(n1[v + kPrefetch]) * lp, lp);
        prefetch_row<false>(src + static_cast<int64_t>(n2[v + kPrefetch]) * lp, lp);
      }
      const float* __restrict s = src + v * lp;
      float* __restrict d = dst + v * lp;
      const float* __restrict a = src + static_cast<int64_t>(n1[v]) * lp;
      const float* __restrict b = src + static_cast<int64_t>(n2[v]) * lp;
      for (int k = 0; k < lp; ++k) d[k] = s[k] + 0.5f * (a[k] + b[k]);
    }
  });
}

void slice(const int32_t* offset, const float* weight, int dp1, const float* val, float* out, float alpha, int64_t t0,
           int64_t t1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    for (int64_t t = t0; t < t1; ++t) {
      float* __restrict o = out + t * lp;
      const int32_t* off = offset + t * dp1;
      const float* wt = weight + t * dp1;
      if (lp % kChunk == 0) {  // each chunk's sums stay in one register across the simplex vertices
        for (int k0 = 0; k0 < lp; k0 += kChunk) {
          float acc[kChunk] = {};
          for (int r = 0; r < dp1; ++r) {
            const float* __restrict x = val + static_cast<int64_t>(off[r]) * lp + k0;
            const float w = alpha * wt[r];
            for (int j = 0; j < kChunk; ++j) acc[j] += w * x[j];
          }
          for (int j = 0; j < kChunk; ++j) o[k0 + j] = acc[j];
        }
        continue;
      }
      for (int k = 0; k < lp; ++k) o[k] = 0.f;
      for (int r = 0; r < dp1; ++r) {
        const float* __restrict x = val + static_cast<int64_t>(off[r]) * lp;
        const float w = alpha * wt[r];
        for (int k = 0; k < lp; ++k) o[k] += w * x[k];
      }
    }
  });
}

// Both Gaussian passes keep each 8-lane output chunk in a register across all taps and store it once.
void gauss_row(const float* in, float* out, int width, const float* g, int radius, int lp) {
  for (int x = 0; x < width; ++x) {
    const int lo = x - radius < 0 ? -x : -radius, hi = x + radius >= width ? width - 1 - x : radius;
    float* __restrict o = out + static_cast<int64_t>(x) * lp;
    for (int k0 = 0; k0 < lp; k0 += kChunk) {
      float acc[kChunk] = {};
      for (int t = lo; t <= hi; ++t) {
        const float w = g[t < 0 ? -t : t];
        const float* __restrict c = in + static_cast<int64_t>(x + t) * lp + k0;
        for (int j = 0; j < kChunk; ++j) acc[j] += w * c[j];
      }
      for (int j = 0; j < kChunk; ++j) o[k0 + j] = acc[j];
    }
  }
}

// One output row y of the column pass: out[0 .. row) = Σ_{|t|≤radius} g[|t|] · in[y+t] (rows of `row` floats).
inline void gauss_column_row(const float* in, float* __restrict out, int64_t row, int height, int64_t y, const float* g,
                             int radius) {
  const int64_t lo = y - radius < 0 ? 0 : y - radius, hi = y + radius >= height ? height - 1 : y + radius;
  for (int64_t i = 0; i < row; i += kChunk) {
    float acc[kChunk] = {};
    for (int64_t s = lo; s <= hi; ++s) {
      const float w = g[s < y ? y - s : s - y];
      const float* __restrict c = in + s * row + i;
      for (int j = 0; j < kChunk; ++j) acc[j] += w * c[j];
    }
    for (int j = 0; j < kChunk; ++j) out[i + j] = acc[j];
  }
}

void gauss_column(const float* in, float* out, int64_t row, int height, int64_t y0, int64_t y1, const float* g,
                  int radius) {
  for (int64_t y = y0; y < y1; ++y) gauss_column_row(in, out + y * row, row, height, y, g, radius);
}

void grid_mix_rows(const float* rows, int64_t stride, int count, const float* w, float* __restrict r, int64_t size) {
  const float* __restrict a = rows;
  for (int64_t i = 0; i < size; ++i) r[i] = w[0] * a[i];
  for (int k = 1; k < count; ++k) {
    const float* __restrict x = rows + k * stride;
    for (int64_t i = 0; i < size; ++i) r[i] += w[k] * x[i];
  }
}

// exp(x) for x ≤ 0 after the max shift: Cody–Waite reduction to r in [-½ ln 2, ½ ln 2], then
// 1 + r + r² q(r) with q of degree 3 (fitted to relative error at Chebyshev nodes: |rel err| < 1.2e-7),
// evaluated in Estrin's order: the chain of dependent steps is what a pixel of the pass waits on.
constexpr float kExpQ0 = 0.49999143f, kExpQ1 = 0.16666886f, kExpQ2 = 0.04189858f, kExpQ3 = 0.00833384f;
inline float exp_shifted(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float n = (x * 1.44269504089f + 12582912.f) - 12582912.f;  // round to nearest
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  const float r2 = r * r;
  const float q = (kExpQ0 + kExpQ1 * r) + r2 * (kExpQ2 + kExpQ3 * r);
  const float p = (1.0f + r) + r2 * q;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
#if defined(__GNUC__) || defined(__clang__)
  const float scale = __builtin_bit_cast(float, bits);
#else
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
#endif
  return p * scale;
}

#include "crf/f8.inl"

#if defined(__GNUC__) || defined(__clang__)
#include "crf/embed8.inl"
#else
bool embed_block(const float*, int64_t, int, const float*, int32_t*, float*) { return false; }
#endif

inline bool bad_score(float v, bool logits) { return logits ? !(v - v == 0.f) : !(v >= 0.f && v <= 1.f); }

// Whether any of s[0 .. count) is a bad score, eight at a time (NaN fails every comparison, so it is bad either way).
inline bool any_bad_score(const float* s, int64_t count, bool logits) {
  int64_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
  I8 good = {-1, -1, -1, -1, -1, -1, -1, -1};
  for (; i + 8 <= count; i += 8) {
    const F8 v = load8(s + i);
    good &= logits ? (v - v == set8(0.f)) : (v >= set8(0.f)) & (v <= set8(1.f));
  }
  for (int k = 0; k < 8; ++k)
    if (!good[k]) return true;
#endif
  for (; i < count; ++i)
    if (bad_score(s[i], logits)) return true;
  return false;
}

// Blocks of points whose scores fit in L1 are checked, then (logits) turned into probabilities.
int64_t prior(const float* scores, int labels, bool logits, float* out, int64_t p0, int64_t p1) {
  constexpr int64_t kBlock = 8192;
  const int64_t block = kBlock / labels > 0 ? kBlock / labels : 1;
  alignas(32) float u[kMaxPaddedLabels];
  for (int64_t b0 = p0; b0 < p1; b0 += block) {
    const int64_t b1 = b0 + block < p1 ? b0 + block : p1;
    const float* s = scores + b0 * labels;
    if (any_bad_score(s, (b1 - b0) * labels, logits))
      for (int64_t p = b0; p < b1; ++p)
        for (int l = 0; l < labels; ++l)
          if (bad_score(scores[p * labels + l], logits)) return p;
    for (int64_t p = b0; logits && p < b1; ++p) {
      const float* f = scores + p * labels;
      float mx = f[0];
      for (int l = 1; l < labels; ++l) mx = f[l] > mx ? f[l] : mx;
      const int lp = (labels + 7) / 8 * 8;
      for (int l = 0; l < labels; ++l) u[l] = f[l] - mx;
      for (int l = labels; l < lp; ++l) u[l] = -100.f;
      for (int c = 0; c < lp; c += 8) store8(u + c, exp8(load8(u + c)));
      float all = 0.f;
      for (int l = 0; l < labels; ++l) all += u[l];
      const float inv = 1.f / all;
      float* o = out + p * labels;
      for (int l = 0; l < labels; ++l) o[l] = u[l] * inv > kMinProbability ? u[l] * inv : kMinProbability;
    }
  }
  return -1;
}

#include "crf/mean_field_pass.inl"

}  // namespace

const atrous::crf::HotLoops kLoops = {splat,          blur,          slice,      gauss_row,  gauss_column,
                                      grid_splat_row, grid_mix_rows, mean_field, splat_band, prior,
                                      embed_block};
