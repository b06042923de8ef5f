#include "tests/harness.h"

#include <cstring>

namespace atrous::test {

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

int g_failures = 0;

void report(const char* file, int line, const std::string& msg) {
  if (g_failures < 20) std::fprintf(stderr, "  %s:%d: %s\n", file, line, msg.c_str());
  ++g_failures;
}

std::vector<float> random_vector(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace atrous::test

// Usage: atrous_native_tests [group]   (no group: all)
int main(int argc, char** argv) {
  using namespace atrous::test;
  int passed = 0, failed = 0;
  for (const Case& c : registry()) {
    if (argc > 1 && std::strcmp(argv[1], c.group) != 0) continue;
    g_failures = 0;
    c.fn();
    if (g_failures == 0) {
      ++passed;
    } else {
      ++failed;
      std::fprintf(stderr, "FAIL %s.%s (%d failures)\n", c.group, c.name, g_failures);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
