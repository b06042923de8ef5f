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

// How many vertices ahead the blur prefetches neighbours (measured: 8 saves a few % on a 190k-vertex lattice).
constexpr int kPrefetch = 8;

void blur(const int32_t* n1, const int32_t* n2, const float* src, float* dst, int64_t v0, int64_t v1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    for (int64_t v = v0; v < v1; ++v) {
#if defined(__GNUC__) || defined(__clang__)
      if (v + kPrefetch < v1) {  // the neighbours are scattered over a lattice larger than the cache
        __builtin_prefetch(src + static_cast<int64_t>(n1[v + kPrefetch]) * lp);
        __builtin_prefetch(src + static_cast<int64_t>(n2[v + kPrefetch]) * lp);
      }
#endif
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

// Blocks of points whose scores fit in L1 are checked, then copied to rows of lp (logits through a softmax).
int64_t prior(const float* scores, int labels, int lp, bool logits, float* out, int64_t p0, int64_t p1) {
  constexpr int64_t kBlock = 8192;
  const int64_t block = kBlock / labels > 0 ? kBlock / labels : 1;
  for (int64_t b0 = p0; b0 < p1; b0 += block) {
    const int64_t b1 = b0 + block < p1 ? b0 + block : p1;
    const float* s = scores + b0 * labels;
    const int64_t count = (b1 - b0) * labels;
    int bad = 0;
    for (int64_t i = 0; i < count; ++i) bad += bad_score(s[i], logits);
    if (bad)
      for (int64_t p = b0; p < b1; ++p)
        for (int l = 0; l < labels; ++l)
          if (bad_score(scores[p * labels + l], logits)) return p;
    for (int64_t p = b0; p < b1; ++p) {
      float* u = out + p * lp;
      const float* f = scores + p * labels;
      if (!logits) {  // clamped, then normalized (so that the first pass's Q is the prior as it is)
        for (int l = 0; l < labels; ++l) u[l] = f[l] > kMinProbability ? f[l] : kMinProbability;
        for (int l = labels; l < lp; ++l) u[l] = 0.f;
        F8 sum = set8(0.f);
        for (int c = 0; c < lp; c += 8) sum = sum + load8(u + c);
        alignas(32) float total[8];
        store8(total, hsum8(sum));
        const F8 inv = set8(1.f / total[0]);
        for (int c = 0; c < lp; c += 8) store8(u + c, load8(u + c) * inv);
        continue;
      }
      float mx = f[0];
      for (int l = 1; l < labels; ++l) mx = f[l] > mx ? f[l] : mx;
      for (int l = 0; l < labels; ++l) u[l] = f[l] - mx;
      for (int l = labels; l < lp; ++l) u[l] = -100.f;  // exp8 takes it to ~0; set to 0 below
      F8 sum = set8(0.f);
      for (int c = 0; c < lp; c += 8) {
        const F8 e = exp8(load8(u + c));
        store8(u + c, e);
        sum = sum + e;
      }
      alignas(32) float total[8];
      store8(total, hsum8(sum));
      const float inv = 1.f / total[0];
      for (int l = 0; l < labels; ++l) u[l] = u[l] * inv > kMinProbability ? u[l] * inv : kMinProbability;
      for (int l = labels; l < lp; ++l) u[l] = 0.f;
    }
  }
  return -1;
}

// The simplex sizes of the CRF's two kernels (d = 2 and 5) get their own copy of the loops over a
// point's vertices, so they unroll; others take the generic copy.
template <typename Fn>
inline void with_simplex(int dp1, Fn&& fn) {
  switch (dp1) {
    case 3: return fn(Lanes<3>());
    case 6: return fn(Lanes<6>());
    default: return fn(Lanes<0>());
  }
}

// The loops over points, chunks and simplex vertices below have compile-time bounds (for the common sizes);
// unrolled, the per-point arrays of vectors stay in registers (measured: -8 % per pass).
#if defined(__clang__)
#define ATROUS_UNROLL _Pragma("unroll 8")
#elif defined(__GNUC__)
#define ATROUS_UNROLL _Pragma("GCC unroll 8")
#else
#define ATROUS_UNROLL
#endif

// Points ts[0 .. kG) of a mean-field pass, their stages interleaved: one point's work is a long chain
// (slice, max, exp, sum, divide[, splat]) that the core cannot overlap with the next point's by itself.
// kC: the lanes in 8-float chunks (nc), known at compile time for the common label counts.
template <int kC, int kG>
inline void pass_points(const MeanFieldPass& pass, const int64_t* ts, int nc, const F8* start, float* scratch) {
  constexpr int kN = kC ? kC : kMaxPaddedLabels / 8;
  const int lp = nc * 8;
  const int labels = pass.labels;
  F8 acc[kG][kN], f[kG][kN];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = start[c];
  for (int i = 0; pass.slice && i < pass.kernel_count; ++i) {
    const PassKernel& kn = pass.kernels[i];
    const int dp1 = kn.dp1;
    const float* blurred = kn.blurred;
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      if (kn.taps) {  // this row's column taps, gathered by mean_field before the row
        const float* column = pass.row_scratch + ((1 + i) * pass.width + ts[g] - pass.y * pass.width) * lp;
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = load8(column + 8 * c);
        continue;
      }
      if (!kn.offset) {
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = load8(kn.filtered + ts[g] * lp + 8 * c);
        continue;
      }
      with_simplex(dp1, [&](auto simplex) {
        constexpr int kDp1 = decltype(simplex)::value;
        const int n1 = kDp1 ? kDp1 : dp1;
        const int32_t* off = kn.offset + ts[g] * n1;
        const float* wt = kn.slice_weight + ts[g] * n1;
        if (!kn.compat) {  // Potts: the weights are scaled already, so the sliced values add straight into acc
          ATROUS_UNROLL for (int r = 0; r < n1; ++r) {
            const float* v = blurred + static_cast<int64_t>(off[r]) * lp;
            const F8 w = set8(wt[r]);
            ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] + w * load8(v + 8 * c);
          }
          return;
        }
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = set8(0.f);
        ATROUS_UNROLL for (int r = 0; r < n1; ++r) {
          const float* v = blurred + static_cast<int64_t>(off[r]) * lp;
          const F8 w = set8(wt[r]);
          ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = f[g][c] + w * load8(v + 8 * c);
        }
      });
    }
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      if (kn.offset && !kn.compat) continue;  // added while sliced
      const F8 s = set8(kn.norm ? kn.factor * kn.norm[ts[g]] : kn.factor);
      if (!kn.compat) {
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] + s * f[g][c];
        continue;
      }
      float* fx = scratch;  // a matrix kernel: compat · f lane by lane
      float* sum = scratch + kMaxPaddedLabels;
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
        store8(fx + 8 * c, f[g][c]);
        store8(sum + 8 * c, set8(0.f));
      }
      for (int l = 0; l < labels; ++l) {
        float v = 0.f;
        for (int m = 0; m < labels; ++m) v += kn.compat[l * labels + m] * fx[m];
        sum[l] = v;
      }
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] - s * load8(sum + 8 * c);
    }
  }
  // q = prior ⊙ exp(acc - max acc), normalized, in acc (the padding lanes start at -huge and have a prior of 0).
  // Without the pairwise terms, q is the prior normalized.
  F8 mx[kG], sum[kG];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    mx[g] = acc[g][0];
    for (int c = 1; c < nc; ++c) mx[g] = max8(mx[g], acc[g][c]);
    mx[g] = hmax8(mx[g]);
    sum[g] = set8(0.f);
  }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
      const F8 prior = load8(pass.prior + ts[g] * lp + 8 * c);
      acc[g][c] = pass.slice ? exp8(acc[g][c] - mx[g]) * prior : prior;
      sum[g] = sum[g] + acc[g][c];
    }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    const F8 inv = set8(1.f) / hsum8(sum[g]);
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] * inv;
  }
  if (pass.q)
    ATROUS_UNROLL for (int g = 0; g < kG; ++g)
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(pass.q + (ts[g] - pass.q_origin) * lp + 8 * c, acc[g][c]);
  if (pass.probabilities || pass.argmax)
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      float* q = scratch;
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(q + 8 * c, acc[g][c]);
      if (pass.probabilities) std::memcpy(pass.probabilities + ts[g] * labels, q, sizeof(float) * labels);
      if (pass.argmax) {
        int best = 0;
        for (int l = 1; l < labels; ++l)
          if (q[l] > q[best]) best = l;
        pass.argmax[ts[g]] = best;
      }
    }
  // Lattice kernels without a BandSplat (few points per vertex: little to sum before writing) splat point by point.
  for (int i = 0; pass.splat && i < pass.kernel_count; ++i) {
    const PassKernel& kn = pass.kernels[i];
    if (!kn.offset || kn.bands) continue;
    const int dp1 = kn.dp1;
    float* to = kn.splat_to;
    const float* scale = kn.splat_scale;
    with_simplex(dp1, [&](auto simplex) {
      constexpr int kDp1 = decltype(simplex)::value;
      const int n1 = kDp1 ? kDp1 : dp1;
      ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
        const float sp = scale ? scale[ts[g]] : 1.f;
        const int32_t* off = kn.offset + ts[g] * n1;
        const float* wt = kn.weight + ts[g] * n1;
        ATROUS_UNROLL for (int r = 0; r < n1; ++r) {
          float* o = to + static_cast<int64_t>(off[r]) * lp;
          const F8 w = set8(wt[r] * sp);
          ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(o + 8 * c, load8(o + 8 * c) + w * acc[g][c]);
        }
      }
    });
  }
}

template <int kC, int kG>
void mean_field_chunks(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const int nc = kC ? kC : pass.lp / 8;
  F8 start[kMaxPaddedLabels / 8];  // 0 on label lanes; on padding so low that it never is the max
  for (int c = 0; c < nc; ++c) {
    alignas(32) float v[8];
    for (int j = 0; j < 8; ++j) v[j] = c * 8 + j < pass.labels ? 0.f : -3e38f;
    start[c] = load8(v);
  }
  alignas(32) float scratch[2 * kMaxPaddedLabels];
  int64_t ts[kG];
  int64_t t = t0;
  for (; t + kG <= t1; t += kG) {
    for (int g = 0; g < kG; ++g) ts[g] = t + g;
    pass_points<kC, kG>(pass, ts, nc, start, scratch);
  }
  for (; t < t1; ++t) pass_points<kC, 1>(pass, &t, nc, start, scratch);
}

// The common pass of the iterations — two Potts lattice kernels splatted by bands, only the band's q to store
// (densecrf's and deeplab-v1's kernels) — with what pass_points decides per point known beforehand: the simplex
// sizes at compile time, every pointer in a local.
struct TwoLattices {
  const int32_t* offset[2];
  const float* weight[2];
  const float* blurred[2];
  const float* prior;
  float* q;  // point t's q at q + t · lp (the iterations but the last)
  float* probabilities;  // the last pass's outputs (see MeanFieldPass)
  int32_t* argmax;
  int labels;
};

template <int kC, int kG, int kA, int kB, bool kLast>
inline void two_lattice_points(const TwoLattices& k, int64_t t, const F8* start) {
  constexpr int kLp = kC * 8;
  F8 acc[kG][kC];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) acc[g][c] = start[c];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    ATROUS_UNROLL for (int r = 0; r < kA; ++r) {
      const float* v = k.blurred[0] + static_cast<int64_t>(k.offset[0][(t + g) * kA + r]) * kLp;
      const F8 w = set8(k.weight[0][(t + g) * kA + r]);
      ATROUS_UNROLL for (int c = 0; c < kC; ++c) acc[g][c] = acc[g][c] + w * load8(v + 8 * c);
    }
    ATROUS_UNROLL for (int r = 0; r < kB; ++r) {
      const float* v = k.blurred[1] + static_cast<int64_t>(k.offset[1][(t + g) * kB + r]) * kLp;
      const F8 w = set8(k.weight[1][(t + g) * kB + r]);
      ATROUS_UNROLL for (int c = 0; c < kC; ++c) acc[g][c] = acc[g][c] + w * load8(v + 8 * c);
    }
  }
  F8 mx[kG], sum[kG];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    mx[g] = acc[g][0];
    ATROUS_UNROLL for (int c = 1; c < kC; ++c) mx[g] = max8(mx[g], acc[g][c]);
    mx[g] = hmax8(mx[g]);
    sum[g] = set8(0.f);
  }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) {
      acc[g][c] = exp8(acc[g][c] - mx[g]) * load8(k.prior + (t + g) * kLp + 8 * c);
      sum[g] = sum[g] + acc[g][c];
    }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    const F8 inv = set8(1.f) / hsum8(sum[g]);
    if (!kLast) {
      ATROUS_UNROLL for (int c = 0; c < kC; ++c) store8(k.q + (t + g) * kLp + 8 * c, acc[g][c] * inv);
      continue;
    }
    alignas(32) float q[kLp];
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) store8(q + 8 * c, acc[g][c] * inv);
    if (k.probabilities) std::memcpy(k.probabilities + (t + g) * k.labels, q, sizeof(float) * k.labels);
    if (k.argmax) {
      int best = 0;  // the first of equal maxima
      for (int l = 1; l < k.labels; ++l) best = q[l] > q[best] ? l : best;
      k.argmax[t + g] = best;
    }
  }
}

template <int kC, int kG, int kA, int kB, bool kLast>
void two_lattice_run(const TwoLattices& k, int64_t t0, int64_t t1, const F8* start) {
  int64_t t = t0;
  for (; t + kG <= t1; t += kG) two_lattice_points<kC, kG, kA, kB, kLast>(k, t, start);
  for (; t < t1; ++t) two_lattice_points<kC, 1, kA, kB, kLast>(k, t, start);
}

// Runs the pass through two_lattice_points when it is that case (for the common label and simplex sizes): an
// iteration that splats, or the last one, which writes the outputs instead.
bool two_lattice_pass(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const bool last = pass.probabilities || pass.argmax;
  if (!pass.slice || pass.splat == last || (pass.splat && !pass.q) || pass.kernel_count != 2) return false;
  for (int i = 0; i < 2; ++i) {
    const PassKernel& kn = pass.kernels[i];
    if (!kn.offset || !kn.bands || kn.compat) return false;
  }
  const int a = pass.kernels[0].dp1, b = pass.kernels[1].dp1;
  const TwoLattices k{{pass.kernels[0].offset, pass.kernels[1].offset},
                      {pass.kernels[0].slice_weight, pass.kernels[1].slice_weight},
                      {pass.kernels[0].blurred, pass.kernels[1].blurred},
                      pass.prior,
                      pass.q ? pass.q - pass.q_origin * pass.lp : nullptr,
                      pass.probabilities,
                      pass.argmax,
                      pass.labels};
  F8 start[4];
  for (int c = 0; c < pass.lp / 8 && c < 4; ++c) {
    alignas(32) float v[8];
    for (int j = 0; j < 8; ++j) v[j] = c * 8 + j < pass.labels ? 0.f : -3e38f;
    start[c] = load8(v);
  }
  auto run = [&](auto lanes) {
    constexpr int kC = decltype(lanes)::value;
    constexpr int kG = kC <= 2 ? 4 : 2;
    auto go = [&](auto run_last, auto run_splat) { (last ? run_last : run_splat)(k, t0, t1, start); return true; };
    if (a == 3 && b == 6) return go(two_lattice_run<kC, kG, 3, 6, true>, two_lattice_run<kC, kG, 3, 6, false>);
    if (a == 6 && b == 3) return go(two_lattice_run<kC, kG, 6, 3, true>, two_lattice_run<kC, kG, 6, 3, false>);
    return false;
  };
  switch (pass.lp) {
    case 8: return run(Lanes<1>());
    case 16: return run(Lanes<2>());
    case 24: return run(Lanes<3>());
    case 32: return run(Lanes<4>());
    default: return false;
  }
}

void mean_field_points(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  if (two_lattice_pass(pass, t0, t1)) return;
  // Points interleaved: four while a point's chunks fit in registers alongside, fewer beyond (24 lanes: two
  // measured ~15 % faster than four on the bench image, identical output; 8 and 16 lanes: four stays best).
  switch (pass.lp) {
    case 8: return mean_field_chunks<1, 4>(pass, t0, t1);
    case 16: return mean_field_chunks<2, 4>(pass, t0, t1);
    case 24: return mean_field_chunks<3, 2>(pass, t0, t1);
    case 32: return mean_field_chunks<4, 2>(pass, t0, t1);
    default: return mean_field_chunks<0, 1>(pass, t0, t1);
  }
}

// The splat of one band (see BandSplat): per vertex, its points' weighted q summed in registers (two sums, so
// the chain of additions is half as long), then added to the vertex's row once.
template <int kC>
void splat_band_chunks(const int32_t* vertex, const int32_t* entry_begin, int64_t vertices, const int32_t* point,
                       const float* weight, const float* q, float* val, int nc_any) {
  constexpr int kN = kC ? kC : kMaxPaddedLabels / 8;
  const int nc = kC ? kC : nc_any;
  const int64_t lp = nc * 8;
  for (int64_t k = 0; k < vertices; ++k) {
#if defined(__GNUC__) || defined(__clang__)
    if (k + kPrefetch < vertices) {  // the rows are spread over a buffer larger than L2: start their loads early
      const char* ahead = reinterpret_cast<const char*>(val + static_cast<int64_t>(vertex[k + kPrefetch]) * lp);
      __builtin_prefetch(ahead, 1);
      __builtin_prefetch(ahead + lp * 4 - 1, 1);
    }
#endif
    F8 a[kN], b[kN];
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) a[c] = b[c] = set8(0.f);
    int32_t e = entry_begin[k];
    const int32_t end = entry_begin[k + 1];
    for (; e + 1 < end; e += 2) {
      const float* x = q + point[e] * lp;
      const float* y = q + point[e + 1] * lp;
      const F8 wx = set8(weight[e]), wy = set8(weight[e + 1]);
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
        a[c] = a[c] + wx * load8(x + 8 * c);
        b[c] = b[c] + wy * load8(y + 8 * c);
      }
    }
    if (e < end) {
      const float* x = q + point[e] * lp;
      const F8 wx = set8(weight[e]);
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) a[c] = a[c] + wx * load8(x + 8 * c);
    }
    float* o = val + static_cast<int64_t>(vertex[k]) * lp;
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(o + 8 * c, load8(o + 8 * c) + (a[c] + b[c]));
  }
}

void splat_band(const int32_t* vertex, const int32_t* entry_begin, int64_t vertices, const int32_t* point,
                const float* weight, const float* q, float* val, int lp) {
  switch (lp) {
    case 8: return splat_band_chunks<1>(vertex, entry_begin, vertices, point, weight, q, val, 1);
    case 16: return splat_band_chunks<2>(vertex, entry_begin, vertices, point, weight, q, val, 2);
    case 24: return splat_band_chunks<3>(vertex, entry_begin, vertices, point, weight, q, val, 3);
    case 32: return splat_band_chunks<4>(vertex, entry_begin, vertices, point, weight, q, val, 4);
    default: return splat_band_chunks<0>(vertex, entry_begin, vertices, point, weight, q, val, lp / 8);
  }
}

// Band by band of pass.band_rows rows: the band's new q is stored (when the pass splats), then splatted into
// each lattice kernel. With separable kernels the band runs row by row: a row's column taps over the previous
// pass's rows are gathered before it (streaming through 2r+1 rows), and its new q is filtered along x once
// complete (from the row in cache, one store per output), for the next pass.
void mean_field(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const int64_t width = pass.width;
  const int lp = pass.lp;
  bool separable = false, banded = false;
  for (int i = 0; i < pass.kernel_count; ++i) {
    separable |= pass.kernels[i].taps != nullptr;
    banded |= pass.kernels[i].bands != nullptr;
  }
  const bool filter_rows = pass.splat && separable, splat_bands = pass.splat && banded;
  bool all_banded = pass.kernel_count > 0;
  for (int i = 0; i < pass.kernel_count; ++i) all_banded &= pass.kernels[i].bands != nullptr;
  if (!pass.slice && pass.splat && all_banded) {  // the first pass: Q⁰ is the (normalized) prior, splatted as it is
    for (int64_t y0 = t0 / width; y0 * width < t1; y0 += pass.band_rows)
      for (int i = 0; i < pass.kernel_count; ++i) {
        const SplatBand b = pass.kernels[i].bands->band_at_row(y0);
        splat_band(b.vertex, b.entry_begin, b.vertices, b.point, b.weight, pass.prior + y0 * width * lp,
                   pass.kernels[i].splat_to, lp);
      }
    return;
  }
  float* scaled = pass.row_scratch;
  for (int64_t y0 = t0 / width; y0 * width < t1; y0 += pass.band_rows) {
    const int64_t y1 = y0 + pass.band_rows < t1 / width ? y0 + pass.band_rows : t1 / width;
    MeanFieldPass band = pass;
    if (filter_rows || splat_bands) {
      band.q = pass.q_band;
      band.q_origin = y0 * width;
    }
    if (!separable) mean_field_points(band, y0 * width, y1 * width);
    for (int64_t y = y0; separable && y < y1; ++y) {
      band.y = y;
      for (int i = 0; pass.slice && i < pass.kernel_count; ++i) {
        const PassKernel& kn = pass.kernels[i];
        if (kn.taps)
          gauss_column_row(kn.rows, pass.row_scratch + (1 + i) * width * lp, width * lp, pass.height, y, kn.taps, kn.radius);
      }
      mean_field_points(band, y * width, (y + 1) * width);
      const float* q_row = band.q + (y * width - band.q_origin) * lp;
      for (int i = 0; filter_rows && i < pass.kernel_count; ++i) {
        const PassKernel& kn = pass.kernels[i];
        if (!kn.taps) continue;
        const float* in = q_row;
        if (kn.splat_scale) {
          for (int64_t x = 0; x < width; ++x)
            for (int c = 0; c < lp; ++c) scaled[x * lp + c] = q_row[x * lp + c] * kn.splat_scale[y * width + x];
          in = scaled;
        }
        gauss_row(in, kn.rows_to + y * width * lp, static_cast<int>(width), kn.taps, kn.radius, lp);
      }
    }
    for (int i = 0; splat_bands && i < pass.kernel_count; ++i) {
      const PassKernel& kn = pass.kernels[i];
      if (!kn.bands) continue;
      const SplatBand b = kn.bands->band_at_row(y0);
      splat_band(b.vertex, b.entry_begin, b.vertices, b.point, b.weight, band.q, kn.splat_to, lp);
    }
  }
}

#undef ATROUS_UNROLL

}  // namespace

const atrous::crf::HotLoops kLoops = {splat, blur, slice, gauss_row, gauss_column, mean_field, splat_band, prior,
                                      embed_block};
