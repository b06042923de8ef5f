// The inner loops of the CRF, compiled once per SIMD level (hot_loops*.cc) and picked at run time.
// Every per-pixel or per-vertex vector holds `lp` floats: the labels padded to a multiple of 8.
#pragma once
#include <cstdint>

namespace atrous::crf {

constexpr int kMaxPaddedLabels = 1024;

struct HotLoops {
  // val[offset[p·dp1+k]] += weight[p·dp1+k] · scale[p] · in[p] for p in [p0, p1), in an order fixed by p0 and p1;
  // scale may be null (1).
  void (*splat)(const int32_t* offset, const float* weight, int dp1, const float* scale, const float* in, float* val,
                int64_t p0, int64_t p1, int lp);
  // dst[v] = src[v] + ½ (src[n1[v]] + src[n2[v]]); absent neighbours point at a row of zeros.
  void (*blur)(const int32_t* n1, const int32_t* n2, const float* src, float* dst, int64_t v0, int64_t v1, int lp);
  // out[p] = alpha · Σ_k weight[p·dp1+k] · val[offset[p·dp1+k]], p in [p0, p1).
  void (*slice)(const int32_t* offset, const float* weight, int dp1, const float* val, float* out, float alpha,
                int64_t p0, int64_t p1, int lp);
  // One image row filtered along x: out[x] = Σ_{|t|≤radius} g[|t|] · in[x+t] (pixels outside are absent).
  // lp must be a multiple of 8, as must `row` below.
  void (*gauss_row)(const float* in, float* out, int width, const float* g, int radius, int lp);
  // Rows [y0, y1) filtered along y: out[y] = Σ_{|t|≤radius} g[|t|] · in[y+t], each row `row` floats.
  void (*gauss_column)(const float* in, float* out, int64_t row, int height, int64_t y0, int64_t y1, const float* g,
                       int radius);
  // out[i] += a · in[i], i in [0, n).
  void (*axpy)(float* out, const float* in, float a, int64_t n);
  // acc[p] = -unary[p] + Σ_k w_k · s_k[p] · f_k[p] over nk Potts kernels, for p in [p0, p1);
  // s_k may be null (1).
  void (*potts_sum)(const float* unary, const float* const* f, const float* w, const float* const* s, int nk,
                    float* acc, int64_t p0, int64_t p1, int lp);
  // q[p] = softmax(a[p][0..labels)); lanes from `labels` to lp are set to 0.
  void (*softmax)(const float* a, float* q, int64_t p0, int64_t p1, int labels, int lp);
  // potts_sum then softmax, without storing the sum: q[p] = softmax(-unary[p] + Σ_k w_k · s_k[p] · f_k[p]).
  void (*update)(const float* unary, const float* const* f, const float* w, const float* const* s, int nk, float* q,
                 int64_t p0, int64_t p1, int labels, int lp);
};

const HotLoops& hot_loops();

}  // namespace atrous::crf
