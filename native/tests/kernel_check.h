// Shared pieces of the kernel sweep tests: strided views over random data, a pool, running a
// Kernel, and comparing against the reference kernel's output.
#pragma once
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "graph/kernel.h"
#include "tests/harness.h"

namespace atrous::test {

// Every SIMD level this machine can run, portable first.
inline std::vector<SimdLevel> available_levels() {
  std::vector<SimdLevel> levels{SimdLevel::kPortable};
  if (detect_simd_level() >= SimdLevel::kAvx2) levels.push_back(SimdLevel::kAvx2);
  if (detect_simd_level() >= SimdLevel::kAvx512) levels.push_back(SimdLevel::kAvx512);
  return levels;
}

inline ThreadPool& test_pool() {
  static ThreadPool pool(2);
  return pool;
}

// A tensor stored with `extra` unused channels around it, so kernels see pixel_stride > C and
// a data pointer in the middle of a pixel (a channel slice, as concat-in-place produces).
struct Strided {
  std::vector<float> storage;
  FView view;
  Strided(Shape4 s, int64_t extra, uint32_t seed) {
    const int64_t stride = s.c + extra, offset = extra / 2;
    storage = random_vector(static_cast<size_t>(s.n * s.h * s.w * stride + 1), seed);
    view = FView{storage.data() + offset, s, stride};
  }
  // Floats outside the view, which a kernel writing the view must leave alone.
  std::vector<float> outside() const {
    std::vector<char> inside(storage.size(), 0);
    const int64_t offset = view.data - storage.data(), pixels = view.shape.n * view.shape.h * view.shape.w;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t c = 0; c < view.shape.c; ++c) inside[offset + p * view.pixel_stride + c] = 1;
    std::vector<float> r;
    for (size_t i = 0; i < storage.size(); ++i)
      if (!inside[i]) r.push_back(storage[i]);
    return r;
  }
};

inline Status run_kernel(Kernel& k, const std::vector<CFView>& in, const FView& out) {
  std::vector<float> scratch(k.scratch_bytes() / sizeof(float) + 16);
  ExecContext ctx;
  ctx.pool = &test_pool();
  ctx.scratch = scratch.data();
  return k.run(ctx, in, out);
}

// Float sums are compared with |got - want| <= tol * (1 + |want|): the kernels sum in float in
// another order (and with FMA) than the references, which sum in double. NaN must meet NaN.
inline int compare(const FView& got, const FView& want, float tol, const std::string& what) {
  int bad = 0;
  const Shape4& s = want.shape;
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x)
        for (int64_t c = 0; c < s.c; ++c) {
          const float g = got.pixel(n, y, x)[c], w = want.pixel(n, y, x)[c];
          const bool ok = std::isnan(w) ? std::isnan(g) : std::fabs(g - w) <= tol * (1 + std::fabs(w));
          if (!ok) {
            if (bad++ == 0)
              report(__FILE__, __LINE__,
                     what + ": at [" + std::to_string(n) + "," + std::to_string(y) + "," + std::to_string(x) + "," +
                         std::to_string(c) + "] got " + std::to_string(g) + " want " + std::to_string(w));
          }
        }
  return bad;
}

// Builds the kernel at every SIMD level this machine runs (`make(level, &kernel)`), runs it on `inputs`
// into a strided output (`out_extra` unused channels around it) and compares that with `want`; the
// kernel must not write outside its output view.
template <class Make>
void check_every_level(const Make& make, const std::vector<CFView>& inputs, int64_t out_extra, uint32_t& seed,
                       const FView& want, const std::string& what_case) {
  for (SimdLevel level : available_levels()) {
    const std::string what = std::string(simd_level_name(level)) + " " + what_case;
    std::unique_ptr<Kernel> k;
    Status s = make(level, &k);
    CHECK_MSG(s.is_ok(), what + ": " + s.message());
    if (!s.is_ok()) continue;
    Strided y(want.shape, out_extra, seed++);
    const std::vector<float> outside_before = y.outside();
    s = run_kernel(*k, inputs, y.view);
    CHECK_MSG(s.is_ok(), what + ": " + s.message());
    compare(y.view, want, 1e-4f, what);
    CHECK_MSG(y.outside() == outside_before, what + ": wrote outside its output view");
  }
}

}  // namespace atrous::test
