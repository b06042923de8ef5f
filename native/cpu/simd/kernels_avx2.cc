// The SIMD inner loops built with AVX2 + FMA (8 float lanes, masked tails).
#include <immintrin.h>

#include "cpu/simd/kernels_impl.h"

namespace atrous::simd {

namespace avx2 {
struct V {
  using T = __m256;
  static constexpr int L = 8;
  static __m256i mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T load_n(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store_n(float* p, T v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static T set1(float x) { return _mm256_set1_ps(x); }
  static T zero() { return _mm256_setzero_ps(); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T min(T a, T b) { return _mm256_min_ps(a, b); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }
};
}  // namespace avx2

// 6 rows x 16 columns: 12 accumulators + 2 B vectors + 1 broadcast fit the 16 ymm registers;
// the narrow tile is 12 x 8.
const Kernels& kernels_avx2() {
  static const Kernels k = impl::make_kernels<avx2::V, 6, 2, 12>(SimdLevel::kAvx2);
  return k;
}

}  // namespace atrous::simd
