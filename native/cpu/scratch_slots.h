// Per-task scratch carved out of ExecContext::scratch: `count` slots (one per pool thread) of
// `floats` each. A task takes a free slot for its duration; at most threads() tasks run at once,
// so one is always free when count >= threads().
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "graph/kernel.h"

namespace atrous {

class ScratchSlots {
 public:
  ScratchSlots(int count, int64_t floats)
      : count_(count < 1 ? 1 : count),
        floats_((floats + 15) / 16 * 16),
        busy_(std::make_unique<std::atomic<bool>[]>(count_)) {
    for (int i = 0; i < count_; ++i) busy_[i] = false;
  }
  size_t bytes() const { return floats_ ? static_cast<size_t>(count_ * floats_) * sizeof(float) + 64 : 0; }
  int count() const { return count_; }

  // Takes a free slot; released when the returned handle goes out of scope.
  class Lease {
   public:
    Lease(ScratchSlots& s, const ExecContext& ctx) : s_(s) {
      for (;; std::this_thread::yield())
        for (int i = 0; i < s_.count_; ++i)
          if (!s_.busy_[i].exchange(true, std::memory_order_acquire)) {
            index_ = i;
            auto base = (reinterpret_cast<uintptr_t>(ctx.scratch) + 63) & ~uintptr_t(63);
            data_ = reinterpret_cast<float*>(base) + i * s_.floats_;
            return;
          }
    }
    ~Lease() { s_.busy_[index_].store(false, std::memory_order_release); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    float* data() const { return data_; }

   private:
    ScratchSlots& s_;
    int index_ = 0;
    float* data_ = nullptr;
  };

 private:
  int count_;
  int64_t floats_;
  std::unique_ptr<std::atomic<bool>[]> busy_;
};

}  // namespace atrous
