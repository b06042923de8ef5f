// The CRF inner loops built with avx2 flags (see hot_loops.inl).
#include "crf/hot_loops.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>  // the masked loads in f8.inl

namespace atrous::crf {

namespace avx2 {
#include "crf/hot_loops.inl"
}  // namespace avx2

const HotLoops& hot_loops_avx2() { return avx2::kLoops; }

}  // namespace atrous::crf
