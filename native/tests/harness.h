// A tiny test harness: ATROUS_TEST(group, name) registers a test; the runner takes a group name.
#pragma once
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace atrous::test {

struct Case {
  const char* group;
  const char* name;
  std::function<void()> fn;
};
std::vector<Case>& registry();
struct Registrar {
  Registrar(const char* group, const char* name, std::function<void()> fn) { registry().push_back({group, name, std::move(fn)}); }
};

// Failures recorded by the current test.
extern int g_failures;
void report(const char* file, int line, const std::string& msg);

// Seeded uniform values in [lo, hi).
std::vector<float> random_vector(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f);

}  // namespace atrous::test

#define ATROUS_TEST(group, name)                                                          \
  static void group##_##name();                                                           \
  static ::atrous::test::Registrar group##_##name##_registrar(#group, #name, group##_##name); \
  static void group##_##name()

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) ::atrous::test::report(__FILE__, __LINE__, "CHECK failed: " #cond); \
  } while (0)

#define CHECK_MSG(cond, msg)                                                          \
  do {                                                                                \
    if (!(cond)) ::atrous::test::report(__FILE__, __LINE__, std::string(#cond) + ": " + (msg)); \
  } while (0)
