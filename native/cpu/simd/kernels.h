// The inner loops of the optimized CPU kernels, one table per SIMD level. Drivers (packing,
// im2col, threading) are portable C++ in cpu/; only these loops are built per ISA
// (kernels_avx2.cc, kernels_avx512.cc) from the one template body in kernels_impl.h.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace atrous::simd {

// One register tile of C[rows, cols] (+)= A[rows, kc] * B[kc, cols].
// A rows are `lda` floats apart; B is a packed panel [kc][nr] (zero-padded past `cols`).
struct GemmTile {
  int64_t kc = 0;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  float* c = nullptr;
  int64_t ldc = 0;
  int rows = 0, cols = 0;       // valid part of the tile: rows <= mr, cols <= nr
  const float* bias = nullptr;  // nr values; starts the sum when !accumulate (null: zero)
  bool accumulate = false;      // add to what C holds (a previous K block)
  bool last = false;            // final K block: clamp to [lo, hi]
  float lo = 0, hi = 0;
};

// One output row of a depthwise conv (multiplier 1): out[x][c] = sum over taps of
// in[ky][x * sw - pad_l + kx * dw][c] * w[ky][kx][c] + bias[c], clamped.
struct DepthwiseRow {
  const float* const* rows = nullptr;  // kh input rows (pixel 0 of each), null where padding
  int64_t in_w = 0, in_stride = 0;     // input pixels and floats between them
  int64_t channels = 0;
  const float* w = nullptr;  // [kh][kw][channels]
  const float* bias = nullptr;  // channels values or null
  int kh = 0, kw = 0, sw = 1, dw = 1, pad_l = 0;
  float* out = nullptr;
  int64_t out_w = 0, out_stride = 0;
  float lo = 0, hi = 0;
  // Optional second output row, for 3x3 taps, stride 1, dilation 1, 2 or 4 with four input
  // rows present: computed from rows[1..3] in the same pass, sharing the loads of rows 1 and 2.
  float* out2 = nullptr;
};

// The horizontal pass of a bilinear resize over one input row:
// out[x][c] = in[x0[x]][c] + (in[x1[x]][c] - in[x0[x]][c]) * fx[x].
struct ResizeRow {
  const float* in = nullptr;
  int64_t in_stride = 0;
  const int64_t* x0 = nullptr;  // per output pixel: left and right input pixel, horizontal weight
  const int64_t* x1 = nullptr;
  const float* fx = nullptr;
  int64_t channels = 0;
  float* out = nullptr;
  int64_t out_w = 0, out_stride = 0;
};

struct Kernels {
  SimdLevel level = SimdLevel::kPortable;
  int gemm_mr = 1, gemm_nr = 1;  // register tile
  void (*gemm_tile)(const GemmTile&) = nullptr;
  // A narrower, taller tile (nr / 2 columns) for the last few output channels, so narrow
  // layers do not compute mostly zero padding.
  int gemm_narrow_mr = 1;
  void (*gemm_tile_narrow)(const GemmTile&) = nullptr;
  void (*depthwise_row)(const DepthwiseRow&) = nullptr;
  void (*resize_row)(const ResizeRow&) = nullptr;
  // y[i] = a[i] + (b[i] - a[i]) * f over n floats (the vertical pass of a bilinear resize).
  void (*lerp)(const float* a, const float* b, float f, float* y, int64_t n) = nullptr;
  // y[i] = clamp(a[i] + b[i]) over n floats.
  void (*add_clamp)(const float* a, const float* b, float* y, int64_t n, float lo, float hi) = nullptr;
  // acc[i] += x[i] over n floats.
  void (*accumulate)(float* acc, const float* x, int64_t n) = nullptr;
};

// The table for `level`; falls back to the best level built and supported below it.
const Kernels& kernels_for(SimdLevel level);
// The table for the level in use (simd_level()).
inline const Kernels& kernels() { return kernels_for(simd_level()); }

}  // namespace atrous::simd
