// The CRF inner loops built with avx512 flags (see hot_loops.inl).
#include "crf/hot_loops.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>  // the masked loads in f8.inl

namespace atrous::crf {

namespace avx512 {
#include "crf/hot_loops.inl"
}  // namespace avx512

const HotLoops& hot_loops_avx512() { return avx512::kLoops; }

}  // namespace atrous::crf
