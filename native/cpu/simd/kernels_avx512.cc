// The SIMD inner loops built with AVX-512 (16 float lanes, masked tails).
#include <immintrin.h>

#include "cpu/simd/kernels_impl.h"

namespace atrous::simd {

namespace avx512 {
struct V {
  using T = __m512;
  static constexpr int L = 16;
  static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store_n(float* p, T v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static T set1(float x) { return _mm512_set1_ps(x); }
  static T zero() { return _mm512_setzero_ps(); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T min(T a, T b) { return _mm512_min_ps(a, b); }
  static T max(T a, T b) { return _mm512_max_ps(a, b); }
};
}  // namespace avx512

// 8 rows x 32 columns: 16 accumulators, enough independent FMAs to hide their latency;
// the narrow tile is 12 x 16.
const Kernels& kernels_avx512() {
  static const Kernels k = impl::make_kernels<avx512::V, 8, 2, 12>(SimdLevel::kAvx512);
  return k;
}

}  // namespace atrous::simd
