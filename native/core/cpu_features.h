// Which SIMD level this CPU offers; optimized kernels dispatch on it at run time.
#pragma once

namespace atrous {

enum class SimdLevel { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };

SimdLevel detect_simd_level();
// The level in use: detected, lowered by env ATROUS_SIMD=portable|avx2 (for tests).
SimdLevel simd_level();
const char* simd_level_name(SimdLevel level);

}  // namespace atrous
