// Eight-float vectors for the mean-field pass, included by hot_loops.inl inside its per-ISA namespace
// (so each copy is compiled with that file's flags): GCC / Clang vector extensions, plain arrays elsewhere.
#if defined(__GNUC__) || defined(__clang__)
#if defined(__GNUC__) && !defined(__clang__)
// The portable copy passes these 32-byte vectors between inline functions without AVX: an ABI note only.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
typedef float F8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));

inline F8 load8(const float* p) {
  F8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, F8 v) { std::memcpy(p, &v, sizeof v); }
inline F8 set8(float x) { return F8{x, x, x, x, x, x, x, x}; }
inline F8 max8(F8 a, F8 b) { return a > b ? a : b; }
// The first `count` (1 to 8) floats at p, 0 on the other lanes, reading nothing past p + count.
inline F8 load8_first(const float* p, int count) {
#if defined(__AVX512VL__)
  return (F8)_mm256_maskz_loadu_ps(static_cast<__mmask8>((1u << count) - 1), p);
#elif defined(__AVX2__)
  const I8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
  return (F8)_mm256_maskload_ps(p, (__m256i)(lane < count));
#else
  float v[8] = {};
  std::memcpy(v, p, sizeof(float) * count);
  return load8(v);
#endif
}

#if defined(__clang__) || __GNUC__ >= 12
#define ATROUS_SHUFFLE8(v, a, b, c, d, e, f, g, h) __builtin_shufflevector(v, v, a, b, c, d, e, f, g, h)
#else
#define ATROUS_SHUFFLE8(v, a, b, c, d, e, f, g, h) __builtin_shuffle(v, I8{a, b, c, d, e, f, g, h})
#endif
// Every lane of the result holds the max (sum) of v's lanes.
inline F8 hmax8(F8 v) {
  v = max8(v, ATROUS_SHUFFLE8(v, 4, 5, 6, 7, 0, 1, 2, 3));
  v = max8(v, ATROUS_SHUFFLE8(v, 2, 3, 0, 1, 6, 7, 4, 5));
  return max8(v, ATROUS_SHUFFLE8(v, 1, 0, 3, 2, 5, 4, 7, 6));
}
inline F8 hsum8(F8 v) {
  v = v + ATROUS_SHUFFLE8(v, 4, 5, 6, 7, 0, 1, 2, 3);
  v = v + ATROUS_SHUFFLE8(v, 2, 3, 0, 1, 6, 7, 4, 5);
  return v + ATROUS_SHUFFLE8(v, 1, 0, 3, 2, 5, 4, 7, 6);
}
#undef ATROUS_SHUFFLE8

// exp(x) for x ≤ 0 (after the softmax's max shift): as exp_shifted, lane-wise.
inline F8 exp8(F8 x) {
  x = max8(x, set8(-87.0f));
  const F8 n = (x * 1.44269504089f + 12582912.f) - 12582912.f;  // round to nearest
  const F8 r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  const F8 r2 = r * r;
  const F8 q = (kExpQ0 + kExpQ1 * r) + r2 * (kExpQ2 + kExpQ3 * r);
  const F8 p = (1.0f + r) + r2 * q;
  const I8 bits = (__builtin_convertvector(n, I8) + 127) << 23;
  return p * (F8)bits;  // a vector cast reinterprets the bits
}
#else
struct F8 {
  float v[8];
};
inline F8 load8(const float* p) {
  F8 r;
  std::memcpy(r.v, p, sizeof r.v);
  return r;
}
inline void store8(float* p, F8 v) { std::memcpy(p, v.v, sizeof v.v); }
inline F8 set8(float x) { return F8{{x, x, x, x, x, x, x, x}}; }
inline F8 load8_first(const float* p, int count) {
  F8 r = {};
  std::memcpy(r.v, p, sizeof(float) * count);
  return r;
}
#define ATROUS_LANEWISE8(expr) \
  F8 r;                        \
  for (int i = 0; i < 8; ++i) r.v[i] = expr;  \
  return r
inline F8 operator+(F8 a, F8 b) { ATROUS_LANEWISE8(a.v[i] + b.v[i]); }
inline F8 operator-(F8 a, F8 b) { ATROUS_LANEWISE8(a.v[i] - b.v[i]); }
inline F8 operator*(F8 a, F8 b) { ATROUS_LANEWISE8(a.v[i] * b.v[i]); }
inline F8 operator/(F8 a, F8 b) { ATROUS_LANEWISE8(a.v[i] / b.v[i]); }
inline F8 max8(F8 a, F8 b) { ATROUS_LANEWISE8(a.v[i] > b.v[i] ? a.v[i] : b.v[i]); }
inline F8 exp8(F8 x) { ATROUS_LANEWISE8(exp_shifted(x.v[i])); }
#undef ATROUS_LANEWISE8
inline F8 hmax8(F8 v) {
  float m = v.v[0];
  for (int i = 1; i < 8; ++i) m = v.v[i] > m ? v.v[i] : m;
  return set8(m);
}
inline F8 hsum8(F8 v) {
  float s = 0.f;
  for (int i = 0; i < 8; ++i) s += v.v[i];
  return set8(s);
}
#endif
