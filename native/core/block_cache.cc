#include "core/block_cache.h"

#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

namespace atrous {

namespace {

constexpr std::align_val_t kAlign{64};

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
      if (have >= bytes && have - bytes <= bytes / 4 && (best == c.kept.size() || have < c.kept[best].bytes)) best = i;
    }
    if (best < c.kept.size()) {
      void* block = c.kept[best].block;
      c.bytes -= c.kept[best].bytes;
      c.kept.erase(c.kept.begin() + static_cast<std::ptrdiff_t>(best));
      return block;
    }
  }
  return ::operator new(bytes, kAlign);
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
  for (const Kept& k : evicted) ::operator delete(k.block, kAlign);
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
    ::operator delete(k.block, kAlign);
  }
  return bytes;
}

}  // namespace atrous
