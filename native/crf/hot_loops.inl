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
    case 8: return fn(Lanes<8>());
    case 16: return fn(Lanes<16>());
    case 24: return fn(Lanes<24>());
    case 32: return fn(Lanes<32>());
    default: return fn(Lanes<0>());
  }
}

void splat(const int32_t* offset, const float* weight, int dp1, const float* scale, const float* in, float* val,
           int64_t p0, int64_t p1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    auto splat_one = [&](int64_t p) {
      const float* __restrict x = in + p * lp;
      const float sp = scale ? scale[p] : 1.f;
      for (int r = 0; r < dp1; ++r) {
        float* __restrict o = val + static_cast<int64_t>(offset[p * dp1 + r]) * lp;
        const float w = weight[p * dp1 + r] * sp;
        for (int k = 0; k < lp; ++k) o[k] += w * x[k];
      }
    };
    // Neighbouring pixels add to the same vertices, each waiting on the previous store; alternating
    // with a pixel from the other half of the range gives the core two independent chains.
    const int64_t mid = p0 + (p1 - p0 + 1) / 2;
    for (int64_t i = 0; p0 + i < mid; ++i) {
      splat_one(p0 + i);
      if (mid + i < p1) splat_one(mid + i);
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

void slice(const int32_t* offset, const float* weight, int dp1, const float* val, float* out, float alpha, int64_t p0,
           int64_t p1, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    const int lp = decltype(lanes)::value ? decltype(lanes)::value : lp_any;
    for (int64_t p = p0; p < p1; ++p) {
      float* __restrict o = out + p * lp;
      const int32_t* off = offset + p * dp1;
      const float* wt = weight + p * dp1;
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

void gauss_column(const float* in, float* out, int64_t row, int height, int64_t y0, int64_t y1, const float* g,
                  int radius) {
  for (int64_t y = y0; y < y1; ++y) {
    const int64_t lo = y - radius < 0 ? 0 : y - radius, hi = y + radius >= height ? height - 1 : y + radius;
    float* __restrict o = out + y * row;
    for (int64_t i = 0; i < row; i += kChunk) {
      float acc[kChunk] = {};
      for (int64_t s = lo; s <= hi; ++s) {
        const float w = g[s < y ? y - s : s - y];
        const float* __restrict c = in + s * row + i;
        for (int j = 0; j < kChunk; ++j) acc[j] += w * c[j];
      }
      for (int j = 0; j < kChunk; ++j) o[i + j] = acc[j];
    }
  }
}

void axpy(float* out, const float* in, float a, int64_t n) {
  float* __restrict o = out;
  const float* __restrict x = in;
  for (int64_t i = 0; i < n; ++i) o[i] += a * x[i];
}

void potts_sum(const float* unary, const float* const* f, const float* w, const float* const* s, int nk, float* acc,
               int64_t p0, int64_t p1, int lp) {
  const int64_t b = p0 * lp, e = p1 * lp;
  float* __restrict a = acc;
  const float* __restrict u = unary;
  for (int64_t i = b; i < e; ++i) a[i] = -u[i];
  for (int k = 0; k < nk; ++k) {
    const float* __restrict x = f[k];
    if (!s[k]) {
      const float wk = w[k];
      for (int64_t i = b; i < e; ++i) a[i] += wk * x[i];
      continue;
    }
    for (int64_t p = p0; p < p1; ++p) {
      const float wk = w[k] * s[k][p];
      float* __restrict ap = a + p * lp;
      const float* __restrict xp = x + p * lp;
      for (int c = 0; c < lp; ++c) ap[c] += wk * xp[c];
    }
  }
}

// exp(x) for x ≤ 0 after the max shift: Cody–Waite reduction and a degree-6 polynomial (|rel err| < 2e-7).
inline float exp_shifted(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float n = (x * 1.44269504089f + 12582912.f) - 12582912.f;  // round to nearest
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
#if defined(__GNUC__) || defined(__clang__)
  const float scale = __builtin_bit_cast(float, bits);
#else
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
#endif
  return p * scale;
}

// Lane-wise over 8 partial maxima and sums, so the loops vectorize without reassociating float math.
// Lanes from `labels` to lp are padding: they take no part and come out 0.
template <int kFixed>
inline void softmax_one(const float* __restrict x, float* __restrict o, int labels, int lp_any) {
  constexpr int kW = 8;
  const int lp = kFixed ? kFixed : lp_any;
  float m[kW], s[kW];
  for (int j = 0; j < kW; ++j) m[j] = -3e38f, s[j] = 0.f;
  for (int k = 0; k < lp; k += kW)
    for (int j = 0; j < kW; ++j) {
      const float v = k + j < labels ? x[k + j] : -3e38f;
      m[j] = v > m[j] ? v : m[j];
    }
  for (int h = kW / 2; h > 0; h /= 2)  // pairwise: a short dependency chain
    for (int j = 0; j < h; ++j) m[j] = m[j + h] > m[j] ? m[j + h] : m[j];
  const float mx = m[0];
  for (int k = 0; k < lp; k += kW)
    for (int j = 0; j < kW; ++j) {
      const float e = exp_shifted((k + j < labels ? x[k + j] : -1e30f) - mx);
      o[k + j] = k + j < labels ? e : 0.f;
      s[j] += o[k + j];
    }
  for (int h = kW / 2; h > 0; h /= 2)
    for (int j = 0; j < h; ++j) s[j] += s[j + h];
  const float sum = s[0];
  const float inv = 1.f / sum;
  for (int k = 0; k < lp; ++k) o[k] *= inv;
}

void softmax(const float* a, float* q, int64_t p0, int64_t p1, int labels, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    constexpr int kFixed = decltype(lanes)::value;
    const int lp = kFixed ? kFixed : lp_any;
    for (int64_t p = p0; p < p1; ++p) softmax_one<kFixed>(a + p * lp, q + p * lp, labels, lp);
  });
}

void update(const float* unary, const float* const* f, const float* w, const float* const* s, int nk, float* q,
            int64_t p0, int64_t p1, int labels, int lp_any) {
  with_lanes(lp_any, [&](auto lanes) {
    constexpr int kFixed = decltype(lanes)::value;
    const int lp = kFixed ? kFixed : lp_any;
    alignas(64) float acc[kMaxPaddedLabels];
    for (int64_t p = p0; p < p1; ++p) {
      const float* __restrict u = unary + p * lp;
      for (int k = 0; k < lp; ++k) acc[k] = -u[k];
      for (int i = 0; i < nk; ++i) {
        const float wi = s[i] ? w[i] * s[i][p] : w[i];
        const float* __restrict x = f[i] + p * lp;
        for (int k = 0; k < lp; ++k) acc[k] += wi * x[k];
      }
      softmax_one<kFixed>(acc, q + p * lp, labels, lp);
    }
  });
}

}  // namespace

const atrous::crf::HotLoops kLoops = {splat, blur, slice, gauss_row, gauss_column, axpy, potts_sum, softmax, update};
