// The portable inner loops (plain C++; 4-lane vectors the compiler maps to SSE / NEON where it
// can) and the dispatch to the ISA tables.
#include "cpu/simd/kernels.h"

#include <algorithm>
#include <cstring>

#include "cpu/simd/kernels_impl.h"

namespace atrous::simd {

#if defined(__x86_64__) && !defined(_MSC_VER)
#define ATROUS_HAVE_X86_KERNELS 1
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();
#endif

namespace portable {
#if defined(__GNUC__) || defined(__clang__)
// GCC / Clang vector extensions: 4 lanes in one SSE / NEON register.
struct V {
  typedef float T __attribute__((vector_size(16)));
  static constexpr int L = 4;
  static T load(const float* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(float* p, T v) { std::memcpy(p, &v, sizeof v); }
  static T load_n(const float* p, int n) {
    T v = zero();
    for (int i = 0; i < n; ++i) v[i] = p[i];
    return v;
  }
  static void store_n(float* p, T v, int n) {
    for (int i = 0; i < n; ++i) p[i] = v[i];
  }
  static T set1(float x) { return T{x, x, x, x}; }
  static T zero() { return T{0, 0, 0, 0}; }
  static T fma(T a, T b, T c) { return a * b + c; }
  static T add(T a, T b) { return a + b; }
  static T sub(T a, T b) { return a - b; }
  static T mul(T a, T b) { return a * b; }
  // Per lane, with x86 semantics (the second operand when either is NaN).
  static T min(T a, T b) {
    for (int i = 0; i < L; ++i) a[i] = a[i] < b[i] ? a[i] : b[i];
    return a;
  }
  static T max(T a, T b) {
    for (int i = 0; i < L; ++i) a[i] = a[i] > b[i] ? a[i] : b[i];
    return a;
  }
};
#else
// Plain C++ (MSVC): 4-lane arrays the optimizer may vectorize.
struct V {
  struct T {
    float v[4];
  };
  static constexpr int L = 4;
  template <class F>
  static T map(F f) {
    T r;
    for (int i = 0; i < L; ++i) r.v[i] = f(i);
    return r;
  }
  static T load(const float* p) { return map([&](int i) { return p[i]; }); }
  static void store(float* p, T v) { std::memcpy(p, v.v, sizeof v.v); }
  static T load_n(const float* p, int n) { return map([&](int i) { return i < n ? p[i] : 0.f; }); }
  static void store_n(float* p, T v, int n) { std::memcpy(p, v.v, n * sizeof(float)); }
  static T set1(float x) { return map([&](int) { return x; }); }
  static T zero() { return set1(0.f); }
  static T fma(T a, T b, T c) { return map([&](int i) { return a.v[i] * b.v[i] + c.v[i]; }); }
  static T add(T a, T b) { return map([&](int i) { return a.v[i] + b.v[i]; }); }
  static T sub(T a, T b) { return map([&](int i) { return a.v[i] - b.v[i]; }); }
  static T mul(T a, T b) { return map([&](int i) { return a.v[i] * b.v[i]; }); }
  static T min(T a, T b) { return map([&](int i) { return a.v[i] < b.v[i] ? a.v[i] : b.v[i]; }); }
  static T max(T a, T b) { return map([&](int i) { return a.v[i] > b.v[i] ? a.v[i] : b.v[i]; }); }
};
#endif

const Kernels& kernels() {
  static const Kernels k = impl::make_kernels<V, 4, 2, 8>(SimdLevel::kPortable);
  return k;
}
}  // namespace portable

const Kernels& kernels_for(SimdLevel level) {
  const SimdLevel best = detect_simd_level();
  if (level > best) level = best;
#ifdef ATROUS_HAVE_X86_KERNELS
  if (level == SimdLevel::kAvx512) return kernels_avx512();
  if (level == SimdLevel::kAvx2) return kernels_avx2();
#endif
  return portable::kernels();
}

}  // namespace atrous::simd
