#include "core/block_cache.h"

#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace atrous {

namespace {

constexpr std::align_val_t kAlign{64};
constexpr std::size_t kHugePage = std::size_t(2) << 20;
// Blocks of a huge page or more start on one, so that all their whole huge pages can be used.
std::align_val_t alignment_for(std::size_t bytes) { return bytes >= kHugePage ? std::align_val_t{kHugePage} : kAlign; }

struct Kept {
  void* block;
  std::size_t bytes;
};

struct Cache {
  std::mutex mutex;
  std::vector<Kept> kept;  // oldest first
  std::size_t bytes = 0;
};

// Never destroyed: blocks may still be freed while static objects are torn down at exit.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

void* cached_block_alloc(std::size_t bytes) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    std::size_t best = c.kept.size();
    for (std::size_t i = 0; i < c.kept.size(); ++i) {
      const std::size_t have = c.kept[i].bytes;
      // (the same alignment too: the block is freed with the size asked now)
      if (have >= bytes && have - bytes <= bytes / 4 && alignment_for(have) == alignment_for(bytes) &&
          (best == c.kept.size() || have < c.kept[best].bytes))
        best = i;
    }
    if (best < c.kept.size()) {
      void* block = c.kept[best].block;
      c.bytes -= c.kept[best].bytes;
      c.kept.erase(c.kept.begin() + static_cast<std::ptrdiff_t>(best));
      return block;
    }
  }
  void* block = ::operator new(bytes, alignment_for(bytes));
  advise_huge_pages(block, bytes);
  return block;
}

void cached_block_free(void* block, std::size_t bytes) {
  if (!block) return;
  std::vector<Kept> evicted;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (bytes > kCachedBytesMax) {
      evicted.push_back(Kept{block, bytes});
    } else {
      c.kept.push_back(Kept{block, bytes});
      c.bytes += bytes;
      std::size_t drop = 0;
      while (c.bytes > kCachedBytesMax) c.bytes -= c.kept[drop++].bytes;
      evicted.assign(c.kept.begin(), c.kept.begin() + static_cast<std::ptrdiff_t>(drop));
      c.kept.erase(c.kept.begin(), c.kept.begin() + static_cast<std::ptrdiff_t>(drop));
    }
  }
  for (const Kept& k : evicted) ::operator delete(k.block, alignment_for(k.bytes));
}

void advise_huge_pages(void* block, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto begin = (reinterpret_cast<std::uintptr_t>(block) + kHugePage - 1) / kHugePage * kHugePage;
  const auto end = (reinterpret_cast<std::uintptr_t>(block) + bytes) / kHugePage * kHugePage;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only: errors ignored
#else
  (void)block;
  (void)bytes;
#endif
}

std::size_t release_cached_blocks() {
  std::vector<Kept> all;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    all.swap(c.kept);
    c.bytes = 0;
  }
  std::size_t bytes = 0;
  for (const Kept& k : all) {
    bytes += k.bytes;
    ::operator delete(k.block, alignment_for(k.bytes));
  }
  return bytes;
}

}  // namespace atrous
