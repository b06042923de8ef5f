// Big blocks are kept for reuse when freed, up to a bound. Memory fresh from the OS costs a page fault and a
// zeroed page per 4 KiB on first touch (about 2.7 µs each on our 2-core VM), and glibc hands blocks this big
// back to the OS when they are freed: a dense CRF on a 500×375 image touched ~20 MB of fresh memory per call,
// ~7 % of its CPU time, and its working set is the same from one image to the next.
#pragma once
#include <cstddef>

namespace atrous {

constexpr std::size_t kCachedBlockMin = std::size_t(256) << 10;  // smaller blocks go to operator new and back
constexpr std::size_t kCachedBytesMax = std::size_t(256) << 20;  // the most kept at once (the oldest go first)

// A block of `bytes` (≥ kCachedBlockMin), aligned to 64 bytes: a kept one of at least that size and at most a
// quarter more, else a new one. Throws std::bad_alloc like operator new.
void* cached_block_alloc(std::size_t bytes);
// Takes back a block from cached_block_alloc (`bytes` as asked for).
void cached_block_free(void* block, std::size_t bytes);
// Frees every kept block; returns how many bytes that was.
std::size_t release_cached_blocks();

}  // namespace atrous
