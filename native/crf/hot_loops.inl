// Included by hot_loops.cc, hot_loops_avx2.cc and hot_loops_avx512.cc inside their own namespace,
// so each copy is compiled with that file's ISA flags. Plain loops written for the auto-vectorizer.
// The including file provides <cstring> and crf/hot_loops.h.
namespace {

void splat(const int32_t* start, const int32_t* pixel, const float* weight, const float* in, float* val, int64_t v0,
           int64_t v1, int lp) {
  for (int64_t v = v0; v < v1; ++v) {
    float* __restrict o = val + v * lp;
    for (int k = 0; k < lp; ++k) o[k] = 0.f;
    for (int32_t e = start[v]; e < start[v + 1]; ++e) {
      const float* __restrict x = in + static_cast<int64_t>(pixel[e]) * lp;
      const float w = weight[e];
      for (int k = 0; k < lp; ++k) o[k] += w * x[k];
    }
  }
}

void blur(const int32_t* n1, const int32_t* n2, const float* src, float* dst, int64_t v0, int64_t v1, int lp) {
  for (int64_t v = v0; v < v1; ++v) {
    const float* __restrict s = src + v * lp;
    float* __restrict d = dst + v * lp;
    if (n1[v] >= 0 && n2[v] >= 0) {
      const float* __restrict a = src + static_cast<int64_t>(n1[v]) * lp;
      const float* __restrict b = src + static_cast<int64_t>(n2[v]) * lp;
      for (int k = 0; k < lp; ++k) d[k] = s[k] + 0.5f * (a[k] + b[k]);
    } else if (n1[v] >= 0 || n2[v] >= 0) {
      const float* __restrict a = src + static_cast<int64_t>(n1[v] >= 0 ? n1[v] : n2[v]) * lp;
      for (int k = 0; k < lp; ++k) d[k] = s[k] + 0.5f * a[k];
    } else {
      for (int k = 0; k < lp; ++k) d[k] = s[k];
    }
  }
}

void slice(const int32_t* offset, const float* weight, int dp1, const float* val, float* out, float alpha, int64_t p0,
           int64_t p1, int lp) {
  for (int64_t p = p0; p < p1; ++p) {
    float* __restrict o = out + p * lp;
    for (int k = 0; k < lp; ++k) o[k] = 0.f;
    for (int r = 0; r < dp1; ++r) {
      const float* __restrict x = val + static_cast<int64_t>(offset[p * dp1 + r]) * lp;
      const float w = alpha * weight[p * dp1 + r];
      for (int k = 0; k < lp; ++k) o[k] += w * x[k];
    }
  }
}

void gauss_row(const float* in, float* out, int width, const float* g, int radius, int lp) {
  for (int x = 0; x < width; ++x) {
    float* __restrict o = out + static_cast<int64_t>(x) * lp;
    const float* __restrict c = in + static_cast<int64_t>(x) * lp;
    for (int k = 0; k < lp; ++k) o[k] = g[0] * c[k];
    int reach = radius < width ? radius : width - 1;
    for (int t = 1; t <= reach; ++t) {
      const float w = g[t];
      if (x - t >= 0 && x + t < width) {
        const float* __restrict a = in + static_cast<int64_t>(x - t) * lp;
        const float* __restrict b = in + static_cast<int64_t>(x + t) * lp;
        for (int k = 0; k < lp; ++k) o[k] += w * (a[k] + b[k]);
      } else if (x - t >= 0 || x + t < width) {
        const float* __restrict a = in + static_cast<int64_t>(x - t >= 0 ? x - t : x + t) * lp;
        for (int k = 0; k < lp; ++k) o[k] += w * a[k];
      }
    }
  }
}

void axpy(float* out, const float* in, float a, int64_t n) {
  float* __restrict o = out;
  const float* __restrict x = in;
  for (int64_t i = 0; i < n; ++i) o[i] += a * x[i];
}

void potts_sum(const float* unary, const float* const* f, const float* w, int nk, float* acc, int64_t p0, int64_t p1,
               int lp) {
  const int64_t b = p0 * lp, e = p1 * lp;
  float* __restrict a = acc;
  const float* __restrict u = unary;
  for (int64_t i = b; i < e; ++i) a[i] = -u[i];
  for (int k = 0; k < nk; ++k) {
    const float* __restrict x = f[k];
    const float wk = w[k];
    for (int64_t i = b; i < e; ++i) a[i] += wk * x[i];
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
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

void softmax(const float* a, float* q, int64_t p0, int64_t p1, int labels, int lp) {
  for (int64_t p = p0; p < p1; ++p) {
    const float* __restrict x = a + p * lp;
    float* __restrict o = q + p * lp;
    float m = x[0];
    for (int k = 1; k < labels; ++k) m = x[k] > m ? x[k] : m;
    float sum = 0.f;
    for (int k = 0; k < labels; ++k) {
      o[k] = exp_shifted(x[k] - m);
      sum += o[k];
    }
    const float inv = 1.f / sum;
    for (int k = 0; k < labels; ++k) o[k] *= inv;
    for (int k = labels; k < lp; ++k) o[k] = 0.f;
  }
}

}  // namespace

const atrous::crf::HotLoops kLoops = {splat, blur, slice, gauss_row, axpy, potts_sum, softmax};
