// Compiled with -mavx512f/bw/vl/dq (binding.gyp / CMakeLists.txt build *_avx512.cc that way).
namespace atrous {
int isa_avx512_built() { return 1; }
}  // namespace atrous
