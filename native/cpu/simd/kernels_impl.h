// The one body of the SIMD inner loops, instantiated per ISA with a vector type V:
//   V::T, V::L (lanes), load/store (unaligned), load_n/store_n (first n < L lanes, rest zero),
//   set1, zero, fma(a, b, c) = a * b + c, add, sub, mul, min, max.
// Every function here is a template on V (or static), so instantiations built with different
// ISA flags never merge at link time.
#pragma once
#include <cstdint>

#include "cpu/simd/kernels.h"

namespace atrous::simd::impl {

template <class V, bool Full>
inline typename V::T load(const float* p, int n) {
  return Full ? V::load(p) : V::load_n(p, n);
}
template <class V, bool Full>
inline void store(float* p, typename V::T v, int n) {
  if (Full)
    V::store(p, v);
  else
    V::store_n(p, v, n);
}

// ---- GEMM register tile --------------------------------------------------------------------

template <class V, int R, int NV>
void gemm_rows(const GemmTile& t) {
  using T = typename V::T;
  constexpr int L = V::L, NR = L * NV;
  T acc[R][NV];
  const float* a[R];
  for (int i = 0; i < R; ++i) a[i] = t.a + i * t.lda;
  int lanes[NV];
  for (int j = 0; j < NV; ++j) {
    const int left = t.cols - j * L;
    lanes[j] = left < 0 ? 0 : left > L ? L : left;
  }
  const bool full = t.cols == NR;
  if (t.accumulate) {
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < NV; ++j) {
        const float* c = t.c + i * t.ldc + j * L;
        acc[i][j] = full ? V::load(c) : lanes[j] ? V::load_n(c, lanes[j]) : V::zero();
      }
  } else {
    for (int j = 0; j < NV; ++j) {
      const T b = t.bias ? V::load(t.bias + j * L) : V::zero();
      for (int i = 0; i < R; ++i) acc[i][j] = b;
    }
  }
  const float* b = t.b;
  for (int64_t k = 0; k < t.kc; ++k, b += NR) {
    T bv[NV];
    for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * L);
    for (int i = 0; i < R; ++i) {
      const T av = V::set1(a[i][k]);
      for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
  }
  if (t.last) {
    const T lo = V::set1(t.lo), hi = V::set1(t.hi);
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < NV; ++j) acc[i][j] = V::min(V::max(acc[i][j], lo), hi);
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) {
      float* c = t.c + i * t.ldc + j * L;
      if (full)
        V::store(c, acc[i][j]);
      else if (lanes[j])
        V::store_n(c, acc[i][j], lanes[j]);
    }
}

template <class V, int MR, int NV, int R = MR>
void gemm_tile(const GemmTile& t) {
  if constexpr (R > 1) {
    if (t.rows < R) return gemm_tile<V, MR, NV, R - 1>(t);
  }
  gemm_rows<V, R, NV>(t);
}

// ---- depthwise conv row --------------------------------------------------------------------

// P neighbouring output pixels starting at ox, channels [c0, c0 + n). `checked`: some taps
// may fall outside the row (left / right padding).
template <class V, int P, bool Full>
inline void depthwise_pixels(const DepthwiseRow& r, int64_t ox, int64_t c0, int n, bool checked) {
  using T = typename V::T;
  T acc[P];
  const T b = r.bias ? load<V, Full>(r.bias + c0, n) : V::zero();
  for (int p = 0; p < P; ++p) acc[p] = b;
  for (int ky = 0; ky < r.kh; ++ky) {
    const float* row = r.rows[ky];
    if (!row) continue;
    for (int kx = 0; kx < r.kw; ++kx) {
      const T w = load<V, Full>(r.w + (ky * r.kw + kx) * r.channels + c0, n);
      for (int p = 0; p < P; ++p) {
        const int64_t ix = (ox + p) * r.sw - r.pad_l + kx * r.dw;
        if (checked && (ix < 0 || ix >= r.in_w)) continue;
        acc[p] = V::fma(load<V, Full>(row + ix * r.in_stride + c0, n), w, acc[p]);
      }
    }
  }
  const T lo = V::set1(r.lo), hi = V::set1(r.hi);
  for (int p = 0; p < P; ++p) store<V, Full>(r.out + (ox + p) * r.out_stride + c0, V::min(V::max(acc[p], lo), hi), n);
}

template <class V, bool Full>
void depthwise_channels(const DepthwiseRow& r, int64_t c0, int n, int64_t interior_begin, int64_t interior_end) {
  constexpr int P = 4;
  int64_t ox = 0;
  for (; ox < interior_begin; ++ox) depthwise_pixels<V, 1, Full>(r, ox, c0, n, true);
  for (; ox + P <= interior_end; ox += P) depthwise_pixels<V, P, Full>(r, ox, c0, n, false);
  for (; ox < interior_end; ++ox) depthwise_pixels<V, 1, Full>(r, ox, c0, n, false);
  for (; ox < r.out_w; ++ox) depthwise_pixels<V, 1, Full>(r, ox, c0, n, true);
}

template <class V>
void depthwise_row(const DepthwiseRow& r) {
  // Interior: output pixels whose every horizontal tap lands inside the input row.
  int64_t begin = r.pad_l > 0 ? (r.pad_l + r.sw - 1) / r.sw : 0;
  const int64_t last_ix_from_zero = r.in_w - 1 + r.pad_l - static_cast<int64_t>(r.kw - 1) * r.dw;
  int64_t end = last_ix_from_zero < 0 ? 0 : last_ix_from_zero / r.sw + 1;
  if (end > r.out_w) end = r.out_w;
  if (begin > end) begin = end;
  int64_t c0 = 0;
  for (; c0 + V::L <= r.channels; c0 += V::L) depthwise_channels<V, true>(r, c0, V::L, begin, end);
  if (c0 < r.channels) depthwise_channels<V, false>(r, c0, static_cast<int>(r.channels - c0), begin, end);
}

// ---- bilinear resize row -------------------------------------------------------------------

template <class V, bool Full>
inline void resize_channels(const ResizeRow& r, int64_t ox, int64_t c0, int n) {
  using T = typename V::T;
  const T fx = V::set1(r.fx[ox]), fy = V::set1(r.fy);
  const float *t0 = r.top + r.x0[ox] * r.in_stride + c0, *t1 = r.top + r.x1[ox] * r.in_stride + c0;
  const float *b0 = r.bottom + r.x0[ox] * r.in_stride + c0, *b1 = r.bottom + r.x1[ox] * r.in_stride + c0;
  const T top0 = load<V, Full>(t0, n), bot0 = load<V, Full>(b0, n);
  const T top = V::add(top0, V::mul(V::sub(load<V, Full>(t1, n), top0), fx));
  const T bot = V::add(bot0, V::mul(V::sub(load<V, Full>(b1, n), bot0), fx));
  store<V, Full>(r.out + ox * r.out_stride + c0, V::add(top, V::mul(V::sub(bot, top), fy)), n);
}

template <class V>
void resize_row(const ResizeRow& r) {
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    int64_t c0 = 0;
    for (; c0 + V::L <= r.channels; c0 += V::L) resize_channels<V, true>(r, ox, c0, V::L);
    if (c0 < r.channels) resize_channels<V, false>(r, ox, c0, static_cast<int>(r.channels - c0));
  }
}

// ---- elementwise ---------------------------------------------------------------------------

template <class V>
void add_clamp(const float* a, const float* b, float* y, int64_t n, float lo_value, float hi_value) {
  const typename V::T lo = V::set1(lo_value), hi = V::set1(hi_value);
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) V::store(y + i, V::min(V::max(V::add(V::load(a + i), V::load(b + i)), lo), hi));
  if (i < n) {
    const int m = static_cast<int>(n - i);
    V::store_n(y + i, V::min(V::max(V::add(V::load_n(a + i, m), V::load_n(b + i, m)), lo), hi), m);
  }
}

template <class V>
void accumulate(float* acc, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) V::store(acc + i, V::add(V::load(acc + i), V::load(x + i)));
  if (i < n) {
    const int m = static_cast<int>(n - i);
    V::store_n(acc + i, V::add(V::load_n(acc + i, m), V::load_n(x + i, m)), m);
  }
}

template <class V, int MR, int NV>
Kernels make_kernels(SimdLevel level) {
  Kernels k;
  k.level = level;
  k.gemm_mr = MR;
  k.gemm_nr = NV * V::L;
  k.gemm_tile = &gemm_tile<V, MR, NV>;
  k.depthwise_row = &depthwise_row<V>;
  k.resize_row = &resize_row<V>;
  k.add_clamp = &add_clamp<V>;
  k.accumulate = &accumulate<V>;
  return k;
}

}  // namespace atrous::simd::impl
