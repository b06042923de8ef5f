#include "crf/hot_loops.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/cpu_features.h"

namespace atrous::crf {

namespace portable {
#include "crf/hot_loops.inl"
}  // namespace portable

#if defined(__x86_64__) && !defined(_MSC_VER)
const HotLoops& hot_loops_avx2();
const HotLoops& hot_loops_avx512();
#endif

const HotLoops& hot_loops() {
#if defined(__x86_64__) && !defined(_MSC_VER)
  switch (simd_level()) {
    case SimdLevel::kAvx512: return hot_loops_avx512();
    case SimdLevel::kAvx2: return hot_loops_avx2();
    case SimdLevel::kPortable: break;
  }
#endif
  return portable::kLoops;
}

}  // namespace atrous::crf
