#include "core/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace atrous {

SimdLevel detect_simd_level() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return SimdLevel::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::kAvx2;
#endif
  return SimdLevel::kPortable;
}

SimdLevel simd_level() {
  static const SimdLevel level = [] {
    SimdLevel detected = detect_simd_level();
    const char* forced = std::getenv("ATROUS_SIMD");
    if (forced && std::strcmp(forced, "portable") == 0) return SimdLevel::kPortable;
    if (forced && std::strcmp(forced, "avx2") == 0 && detected >= SimdLevel::kAvx2) return SimdLevel::kAvx2;
    return detected;
  }();
  return level;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kAvx512: return "avx512";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kPortable: return "portable";
  }
  return "portable";
}

}  // namespace atrous
