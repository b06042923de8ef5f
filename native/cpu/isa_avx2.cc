// Compiled with -mavx2 -mfma (binding.gyp / CMakeLists.txt build *_avx2.cc files that way).
// Kernels for this level live in cpu/simd/*_avx2.cc; this file keeps the library non-empty.
namespace atrous {
int isa_avx2_built() { return 1; }
}  // namespace atrous
