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

// x clamped to [lo, hi]; the x86 min / max return their second operand when either is NaN, so
// x goes second and a NaN passes through, as in the reference kernels.
template <class V>
inline typename V::T clamp(typename V::T x, typename V::T lo, typename V::T hi) {
  return V::min(hi, V::max(lo, x));
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
      for (int j = 0; j < NV; ++j) acc[i][j] = clamp<V>(acc[i][j], lo, hi);
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
  const int64_t step = r.sw * r.in_stride;  // between neighbouring output pixels' taps
  const float* w = r.w + c0;
  for (int ky = 0; ky < r.kh; ++ky) {
    const float* row = r.rows[ky];
    if (!row) {
      w += r.kw * r.channels;
      continue;
    }
    for (int kx = 0; kx < r.kw; ++kx, w += r.channels) {
      const T wv = load<V, Full>(w, n);
      const int64_t ix = ox * r.sw - r.pad_l + kx * r.dw;
      const float* in = row + ix * r.in_stride + c0;
      if (checked) {
        for (int p = 0; p < P; ++p)
          if (ix + p * r.sw >= 0 && ix + p * r.sw < r.in_w)
            acc[p] = V::fma(load<V, Full>(in + p * step, n), wv, acc[p]);
      } else {
        for (int p = 0; p < P; ++p) acc[p] = V::fma(load<V, Full>(in + p * step, n), wv, acc[p]);
      }
    }
  }
  const T lo = V::set1(r.lo), hi = V::set1(r.hi);
  float* out = r.out + ox * r.out_stride + c0;
  for (int p = 0; p < P; ++p) store<V, Full>(out + p * r.out_stride, clamp<V>(acc[p], lo, hi), n);
}

// Output pixels [x0, x1) in blocks of P, every channel of each block before moving on.
template <class V, int P>
void depthwise_span(const DepthwiseRow& r, int64_t x0, int64_t x1, bool checked) {
  for (int64_t ox = x0; ox + P <= x1; ox += P) {
    int64_t c0 = 0;
    for (; c0 + V::L <= r.channels; c0 += V::L) depthwise_pixels<V, P, true>(r, ox, c0, V::L, checked);
    if (c0 < r.channels) depthwise_pixels<V, P, false>(r, ox, c0, static_cast<int>(r.channels - c0), checked);
  }
}

// 3x3 taps for P neighbouring output pixels from ox (all taps inside the row), channels
// [c0, c0 + n).
template <class V, int P, bool Full>
inline void depthwise3x3_pixels(const DepthwiseRow& r, int64_t ox, int64_t c0, int n) {
  using T = typename V::T;
  T acc[P];
  const T b = r.bias ? load<V, Full>(r.bias + c0, n) : V::zero();
  for (int p = 0; p < P; ++p) acc[p] = b;
  const int64_t step = r.sw * r.in_stride, tap = r.dw * r.in_stride;
  const int64_t first = (ox * r.sw - r.pad_l) * r.in_stride + c0;
  const float* w = r.w + c0;
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx, w += r.channels) {
      const T wv = load<V, Full>(w, n);
      const float* in = r.rows[ky] + first + kx * tap;
      for (int p = 0; p < P; ++p) acc[p] = V::fma(load<V, Full>(in + p * step, n), wv, acc[p]);
    }
  const T lo = V::set1(r.lo), hi = V::set1(r.hi);
  float* out = r.out + ox * r.out_stride + c0;
  for (int p = 0; p < P; ++p) store<V, Full>(out + p * r.out_stride, clamp<V>(acc[p], lo, hi), n);
}

// Stride S, dilation D: the same, loading each input pixel of a row once for every output that
// uses it ((P - 1)S + 2D + 1 loads a row instead of 3P; with power-of-two channel counts the
// repeated loads also conflict in a few L1 sets). Sums in the same tap order as above.
template <class V, int P, int D, int S, bool Full>
inline void depthwise3x3_sliding(const DepthwiseRow& r, int64_t ox, int64_t c0, int n) {
  using T = typename V::T;
  T acc[P];
  const T b = r.bias ? load<V, Full>(r.bias + c0, n) : V::zero();
  for (int p = 0; p < P; ++p) acc[p] = b;
  const int64_t first = (ox * S - r.pad_l) * r.in_stride + c0;
  for (int ky = 0; ky < 3; ++ky) {
    const float* w = r.w + ky * 3 * r.channels + c0;
    const T wv[3] = {load<V, Full>(w, n), load<V, Full>(w + r.channels, n), load<V, Full>(w + 2 * r.channels, n)};
    const float* in = r.rows[ky] + first;
#pragma GCC unroll 32
    for (int j = 0; j < (P - 1) * S + 2 * D + 1; ++j) {
      const T v = load<V, Full>(in + j * r.in_stride, n);
#pragma GCC unroll 3
      for (int kx = 0; kx < 3; ++kx) {
        const int q = j - kx * D;  // = p * S for the output p this tap feeds
        if (q >= 0 && q % S == 0 && q / S < P) acc[q / S] = V::fma(v, wv[kx], acc[q / S]);
      }
    }
  }
  const T lo = V::set1(r.lo), hi = V::set1(r.hi);
  float* out = r.out + ox * r.out_stride + c0;
  for (int p = 0; p < P; ++p) store<V, Full>(out + p * r.out_stride, clamp<V>(acc[p], lo, hi), n);
}

// 3x3 taps over output pixels [x0, x1) (all taps inside the row): blocks of P pixels, every
// channel of a block before the next, so loads walk memory contiguously. (Sweeping one channel
// vector across the whole row instead strides by the pixel size, and with wide layers -- 960
// channels, 3840 bytes a pixel -- those loads pile into a few L1 sets and miss.)
template <class V, int P, int D, int S = 1>
void depthwise3x3_span(const DepthwiseRow& r, int64_t x0, int64_t x1) {
  int64_t ox = x0;
  const int64_t full_c = r.channels / V::L * V::L;
  const int tail = static_cast<int>(r.channels - full_c);
  for (; ox + P <= x1; ox += P) {
    if constexpr (D > 0) {
      for (int64_t c0 = 0; c0 < full_c; c0 += V::L) depthwise3x3_sliding<V, P, D, S, true>(r, ox, c0, V::L);
      if (tail) depthwise3x3_sliding<V, P, D, S, false>(r, ox, full_c, tail);
    } else {
      for (int64_t c0 = 0; c0 < full_c; c0 += V::L) depthwise3x3_pixels<V, P, true>(r, ox, c0, V::L);
      if (tail) depthwise3x3_pixels<V, P, false>(r, ox, full_c, tail);
    }
  }
  for (; ox < x1; ++ox) {
    for (int64_t c0 = 0; c0 < full_c; c0 += V::L) depthwise3x3_pixels<V, 1, true>(r, ox, c0, V::L);
    if (tail) depthwise3x3_pixels<V, 1, false>(r, ox, full_c, tail);
  }
}

// Two output rows at once (r.out from rows[0..2], r.out2 from rows[1..3]): P pixels from ox,
// channels [c0, c0 + n); each loaded input vector feeds up to six FMAs.
template <class V, int P, int D, bool Full>
inline void depthwise3x3_pair(const DepthwiseRow& r, int64_t ox, int64_t c0, int n) {
  using T = typename V::T;
  T acc[2][P];
  const T b = r.bias ? load<V, Full>(r.bias + c0, n) : V::zero();
  for (int p = 0; p < P; ++p) acc[0][p] = acc[1][p] = b;
  const int64_t first = (ox - r.pad_l) * r.in_stride + c0;
  const float* w = r.w + c0;
  for (int ky = 0; ky < 4; ++ky) {
    T wa[3], wb[3];  // taps of input row ky for the first output row (kernel row ky) and the second (ky - 1)
    for (int kx = 0; kx < 3; ++kx) {
      wa[kx] = ky < 3 ? load<V, Full>(w + (ky * 3 + kx) * r.channels, n) : V::zero();
      wb[kx] = ky > 0 ? load<V, Full>(w + ((ky - 1) * 3 + kx) * r.channels, n) : V::zero();
    }
    const float* in = r.rows[ky] + first;
#pragma GCC unroll 32
    for (int j = 0; j < P + 2 * D; ++j) {
      const T v = load<V, Full>(in + j * r.in_stride, n);
#pragma GCC unroll 3
      for (int kx = 0; kx < 3; ++kx) {
        const int p = j - kx * D;
        if (p < 0 || p >= P) continue;
        if (ky < 3) acc[0][p] = V::fma(v, wa[kx], acc[0][p]);
        if (ky > 0) acc[1][p] = V::fma(v, wb[kx], acc[1][p]);
      }
    }
  }
  const T lo = V::set1(r.lo), hi = V::set1(r.hi);
  float* out[2] = {r.out + ox * r.out_stride + c0, r.out2 + ox * r.out_stride + c0};
  for (int i = 0; i < 2; ++i)
    for (int p = 0; p < P; ++p) store<V, Full>(out[i] + p * r.out_stride, clamp<V>(acc[i][p], lo, hi), n);
}

template <class V, int D>
void depthwise3x3_pair_span(const DepthwiseRow& r, const DepthwiseRow& second, int64_t x0, int64_t x1) {
  constexpr int P = V::L >= 16 ? 8 : 4;  // 2P accumulators and six weight vectors in registers
  const int64_t full_c = r.channels / V::L * V::L;
  const int tail = static_cast<int>(r.channels - full_c);
  int64_t ox = x0;
  for (; ox + P <= x1; ox += P) {
    for (int64_t c0 = 0; c0 < full_c; c0 += V::L) depthwise3x3_pair<V, P, D, true>(r, ox, c0, V::L);
    if (tail) depthwise3x3_pair<V, P, D, false>(r, ox, full_c, tail);
  }
  depthwise3x3_span<V, 8, 0>(r, ox, x1);
  depthwise3x3_span<V, 8, 0>(second, ox, x1);
}

template <class V>
void depthwise_row(const DepthwiseRow& r) {
  // Interior: output pixels whose every horizontal tap lands inside the input row.
  int64_t begin = r.pad_l > 0 ? (r.pad_l + r.sw - 1) / r.sw : 0;
  const int64_t last_ix_from_zero = r.in_w - 1 + r.pad_l - static_cast<int64_t>(r.kw - 1) * r.dw;
  int64_t end = last_ix_from_zero < 0 ? 0 : last_ix_from_zero / r.sw + 1;
  if (end > r.out_w) end = r.out_w;
  if (begin > end) begin = end;
  if (r.out2) {
    DepthwiseRow second = r;
    second.rows = r.rows + 1;
    second.out = r.out2;
    second.out2 = nullptr;
    const DepthwiseRow* both[2] = {&r, &second};
    for (const DepthwiseRow* row : both) {
      depthwise_span<V, 1>(*row, 0, begin, true);
      depthwise_span<V, 1>(*row, end, r.out_w, true);
    }
    if (r.dw == 1)
      depthwise3x3_pair_span<V, 1>(r, second, begin, end);
    else if (r.dw == 2)
      depthwise3x3_pair_span<V, 2>(r, second, begin, end);
    else
      depthwise3x3_pair_span<V, 4>(r, second, begin, end);
    return;
  }
  if (r.kh == 3 && r.kw == 3 && r.rows[0] && r.rows[1] && r.rows[2]) {
    depthwise_span<V, 1>(r, 0, begin, true);
    if (r.sw == 1 && r.dw == 1)
      depthwise3x3_span<V, 8, 1>(r, begin, end);
    else if (r.sw == 1 && r.dw == 2)
      depthwise3x3_span<V, 8, 2>(r, begin, end);
    else if (r.sw == 1 && r.dw == 4)
      depthwise3x3_span<V, 8, 4>(r, begin, end);
    else if (r.sw == 2 && r.dw == 1)
      depthwise3x3_span<V, 8, 1, 2>(r, begin, end);
    else
      depthwise3x3_span<V, 8, 0>(r, begin, end);
    depthwise_span<V, 1>(r, end, r.out_w, true);
    return;
  }
  constexpr int P = 8;
  const int64_t blocked_end = begin + (end - begin) / P * P;
  depthwise_span<V, 1>(r, 0, begin, true);
  depthwise_span<V, P>(r, begin, blocked_end, false);
  depthwise_span<V, 1>(r, blocked_end, end, false);
  depthwise_span<V, 1>(r, end, r.out_w, true);
}

// ---- bilinear resize row -------------------------------------------------------------------

template <class V, bool Full>
inline void resize_channels(const ResizeRow& r, int64_t ox, int64_t c0, int n) {
  using T = typename V::T;
  const T fx = V::set1(r.fx[ox]);
  const T left = load<V, Full>(r.in + r.x0[ox] * r.in_stride + c0, n);
  const T right = load<V, Full>(r.in + r.x1[ox] * r.in_stride + c0, n);
  store<V, Full>(r.out + ox * r.out_stride + c0, V::add(left, V::mul(V::sub(right, left), fx)), n);
}

template <class V>
void resize_row(const ResizeRow& r) {
  for (int64_t ox = 0; ox < r.out_w; ++ox) {
    int64_t c0 = 0;
    for (; c0 + V::L <= r.channels; c0 += V::L) resize_channels<V, true>(r, ox, c0, V::L);
    if (c0 < r.channels) resize_channels<V, false>(r, ox, c0, static_cast<int>(r.channels - c0));
  }
}

template <class V>
void lerp(const float* a, const float* b, float f, float* y, int64_t n) {
  const typename V::T fv = V::set1(f);
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) {
    const typename V::T av = V::load(a + i);
    V::store(y + i, V::add(av, V::mul(V::sub(V::load(b + i), av), fv)));
  }
  if (i < n) {
    const int m = static_cast<int>(n - i);
    const typename V::T av = V::load_n(a + i, m);
    V::store_n(y + i, V::add(av, V::mul(V::sub(V::load_n(b + i, m), av), fv)), m);
  }
}

// ---- elementwise ---------------------------------------------------------------------------

template <class V>
void add_clamp(const float* a, const float* b, float* y, int64_t n, float lo_value, float hi_value) {
  const typename V::T lo = V::set1(lo_value), hi = V::set1(hi_value);
  int64_t i = 0;
  for (; i + V::L <= n; i += V::L) V::store(y + i, clamp<V>(V::add(V::load(a + i), V::load(b + i)), lo, hi));
  if (i < n) {
    const int m = static_cast<int>(n - i);
    V::store_n(y + i, clamp<V>(V::add(V::load_n(a + i, m), V::load_n(b + i, m)), lo, hi), m);
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

template <class V, int MR, int NV, int NARROW_MR>
Kernels make_kernels(SimdLevel level) {
  static_assert(NV == 2, "the narrow tile is half the wide one");
  Kernels k;
  k.level = level;
  k.gemm_mr = MR;
  k.gemm_nr = NV * V::L;
  k.gemm_tile = &gemm_tile<V, MR, NV>;
  k.gemm_narrow_mr = NARROW_MR;
  k.gemm_tile_narrow = &gemm_tile<V, NARROW_MR, 1>;
  k.depthwise_row = &depthwise_row<V>;
  k.resize_row = &resize_row<V>;
  k.lerp = &lerp<V>;
  k.add_clamp = &add_clamp<V>;
  k.accumulate = &accumulate<V>;
  return k;
}

}  // namespace atrous::simd::impl
