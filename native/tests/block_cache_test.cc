// The block cache behind AlignedVector: freed big blocks come back for requests of about their size, and no
// more than kCachedBytesMax is kept.
#include <cstdint>
#include <vector>

#include "core/aligned.h"
#include "core/block_cache.h"
#include "tests/harness.h"

namespace atrous {

ATROUS_TEST(block_cache, reuses_a_freed_block_of_about_the_size) {
  release_cached_blocks();
  const std::size_t mb = std::size_t(1) << 20;
  void* a = cached_block_alloc(mb);
  CHECK(reinterpret_cast<std::uintptr_t>(a) % 64 == 0);
  cached_block_free(a, mb);
  void* b = cached_block_alloc(mb - mb / 8);  // within a quarter: the same block
  CHECK(b == a);
  cached_block_free(b, mb - mb / 8);  // kept as the smaller size it was asked for
  void* c = cached_block_alloc(mb);   // so it no longer serves a request this big
  CHECK(c != b);
  void* d = cached_block_alloc(mb / 2);  // nor one far smaller
  CHECK(d != b);
  cached_block_free(c, mb);
  cached_block_free(d, mb / 2);
  CHECK(release_cached_blocks() == mb - mb / 8 + mb + mb / 2);
  CHECK(release_cached_blocks() == 0);
}

ATROUS_TEST(block_cache, keeps_at_most_its_bound) {
  release_cached_blocks();
  const std::size_t block = kCachedBytesMax / 3 + 1;
  std::vector<void*> blocks;
  for (int i = 0; i < 4; ++i) blocks.push_back(cached_block_alloc(block));
  for (void* p : blocks) cached_block_free(p, block);
  CHECK(release_cached_blocks() == 2 * block);
  void* huge = cached_block_alloc(kCachedBytesMax + 64);
  cached_block_free(huge, kCachedBytesMax + 64);  // too big to keep at all
  CHECK(release_cached_blocks() == 0);
}

ATROUS_TEST(block_cache, aligned_vectors_find_the_last_ones_buffer) {
  release_cached_blocks();
  const float* first = nullptr;
  {
    AlignedVector<float> v(1 << 20);
    first = v.data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % kCacheLine == 0);
  }
  AlignedVector<float> w(1 << 20);
  CHECK(w.data() == first);
  AlignedVector<float> small(16);  // small ones are not cached
  CHECK(small.data() != first);
  release_cached_blocks();
}

}  // namespace atrous
