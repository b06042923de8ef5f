// Native micro-benchmark of the optimized conv kernels: GFLOP/s per SIMD level on DeepLab-like
// shapes (2 threads). Built and run by `node bench/conv-micro.mjs` against build-tests/.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "cpu/optimized.h"
#include "ops/conv2d.h"
#include "tests/harness.h"

namespace atrous::test {
std::vector<Case>& registry() {
  static std::vector<Case> c;
  return c;
}
int g_failures = 0;
void report(const char*, int, const std::string&) {}
}  // namespace atrous::test

using namespace atrous;

static bool g_cpu_time = false;

static double now_ms() {
  if (g_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Shape {
  const char* name;
  Shape4 x;
  int64_t cout, k, groups, dilation, stride;
};

static double bench(const Shape& s, SimdLevel level, ThreadPool& pool, double* gflops) {
  Conv2dOp op;
  op.name = s.name;
  op.groups = s.groups;
  op.window.kh = op.window.kw = s.k;
  op.window.dh = op.window.dw = s.dilation;
  op.window.sh = op.window.sw = s.stride;
  op.window.padding = "same";
  op.activation.min = 0, op.activation.max = 6;
  const int64_t cin_g = s.x.c / s.groups;
  WeightData w{{s.cout, s.k, s.k, cin_g}, std::vector<float>(s.cout * s.k * s.k * cin_g, 0.01f)};
  WeightData b{{s.cout}, std::vector<float>(s.cout, 0.1f)};
  KernelRequest req;
  req.op = &op;
  req.inputs = {TensorInfo{DType::kFloat32, s.x, nullptr}, TensorInfo{DType::kFloat32, {s.cout, s.k, s.k, cin_g}, &w},
                TensorInfo{DType::kFloat32, {1, 1, 1, s.cout}, &b}};
  req.threads = pool.threads();
  if (!op.infer(req.inputs, &req.output).is_ok()) return -1;
  std::unique_ptr<Kernel> k;
  if (!make_conv2d_kernel(req, level, &k).is_ok()) return -1;
  std::vector<float> x(s.x.elements(), 0.5f), y(req.output.shape.elements());
  std::vector<float> scratch(k->scratch_bytes() / 4 + 16);
  ExecContext ctx;
  ctx.pool = &pool;
  ctx.scratch = scratch.data();
  std::vector<CFView> in{make_view<const float>(x.data(), s.x)};
  FView out = make_view(y.data(), req.output.shape);
  std::vector<double> ms;
  for (int i = 0; i < 25; ++i) {
    const double t0 = now_ms();
    (void)k->run(ctx, in, out);
    ms.push_back(now_ms() - t0);
  }
  std::sort(ms.begin() + 3, ms.end());
  // Wall-clock median; with --cpu (1 thread) the best thread CPU time, steadier on a busy machine.
  const double median = g_cpu_time ? ms[3] : ms[3 + (ms.size() - 3) / 2];
  const double flops = 2.0 * req.output.shape.elements() * s.k * s.k * cin_g;
  *gflops = flops / median / 1e6;
  return median;
}

int main(int argc, char** argv) {
  g_cpu_time = argc > 1 && std::string(argv[1]) == "--cpu";
  const int threads = g_cpu_time ? 1 : argc > 1 ? std::atoi(argv[1]) : 2;
  ThreadPool pool(threads);
  const Shape shapes[] = {
      {"1x1 65x65x320->1280", {1, 65, 65, 320}, 1280, 1, 1, 1, 1},
      {"1x1 129x129x16->96", {1, 129, 129, 16}, 96, 1, 1, 1, 1},
      {"1x1 33x33x192->32", {1, 33, 33, 192}, 32, 1, 1, 1, 1},
      {"1x1 17x17x320->256", {1, 17, 17, 320}, 256, 1, 1, 1, 1},
      {"1x1 65x65x960->320", {1, 65, 65, 960}, 320, 1, 1, 1, 1},
      {"1x1 65x65x160->960", {1, 65, 65, 160}, 960, 1, 1, 1, 1},
      {"1x1 65x65x72->12", {1, 65, 65, 72}, 12, 1, 1, 1, 1},
      {"1x1 129x129x8->48", {1, 129, 129, 8}, 48, 1, 1, 1, 1},
      {"dw3x3 129x129x96", {1, 129, 129, 96}, 96, 3, 96, 1, 1},
      {"dw3x3 65x65x192 d2", {1, 65, 65, 192}, 192, 3, 192, 2, 1},
      {"dw3x3 65x65x960 d4", {1, 65, 65, 960}, 960, 3, 960, 4, 1},
      {"dw3x3 65x65x576 d2", {1, 65, 65, 576}, 576, 3, 576, 2, 1},
      {"dw3x3 65x65x384 d2", {1, 65, 65, 384}, 384, 3, 384, 2, 1},
      {"dw3x3 33x33x96", {1, 33, 33, 96}, 96, 3, 96, 1, 1},
      {"dw3x3 17x200x32", {1, 17, 200, 32}, 32, 3, 32, 1, 1},
      {"dw3x3 17x17x512", {1, 17, 17, 512}, 512, 3, 512, 1, 1},
      {"dw3x3 129x129x96 s2", {1, 129, 129, 96}, 96, 3, 96, 1, 2},
      {"3x3 65x65x256->256 d6", {1, 65, 65, 256}, 256, 3, 1, 6, 1},
      {"3x3 33x33x512->256 d18", {1, 33, 33, 512}, 256, 3, 1, 18, 1},
      {"3x3 257x257x3->16 s2", {1, 257, 257, 3}, 16, 3, 1, 1, 2},
      {"1x1 129x129x27->16 (stem GEMM)", {1, 129, 129, 27}, 16, 1, 1, 1, 1},
  };
  std::printf("%d threads%s\n", threads, g_cpu_time ? ", best thread CPU time" : ", median wall time");
  const char* only = argc > 2 ? argv[2] : nullptr;  // run shapes whose name contains this
  for (const Shape& s : shapes) {
    if (only && !std::strstr(s.name, only)) continue;
    std::printf("%-26s", s.name);
    for (SimdLevel level : {SimdLevel::kPortable, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
      if (level > detect_simd_level()) continue;
      double gf = 0;
      const double ms = bench(s, level, pool, &gf);
      std::printf("  %s %7.3f ms %6.1f GFLOP/s", simd_level_name(level), ms, gf);
    }
    std::printf("\n");
  }
}
