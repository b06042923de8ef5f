// std::vector storage aligned to a cache line, for SIMD loops whose vectors must not straddle two lines
// (a split load or store costs extra and defeats store-to-load forwarding). Big blocks go through the block
// cache (core/block_cache.h), so that a call that needs the same buffers as the last one finds them.
#pragma once
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "core/block_cache.h"

namespace atrous {

constexpr std::size_t kCacheLine = 64;

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  // Elements are default-initialized: resize() leaves floats unwritten, for loops that fill them in parallel.
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  T* allocate(std::size_t n) {
    if (n >= kCachedBlockMin / sizeof(T)) return static_cast<T*>(cached_block_alloc(n * sizeof(T)));
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kCacheLine)));
  }
  void deallocate(T* p, std::size_t n) {
    if (n >= kCachedBlockMin / sizeof(T)) return cached_block_free(p, n * sizeof(T));
    ::operator delete(p, std::align_val_t(kCacheLine));
  }
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const { return false; }
};

template <class T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

}  // namespace atrous
