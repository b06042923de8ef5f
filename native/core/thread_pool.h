// A small fixed-size pool. parallel_for splits [0, n) into chunks taken dynamically by the
// workers and the calling thread. Calls from inside a task run inline (no nested fan-out).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "status.h"

namespace atrous {

// Lowers `target` to `value` when that is smaller, atomically: how parallel chunks agree on the lowest
// index they found (the first bad element, the same whatever the thread count).
inline void lower_atomically(std::atomic<int64_t>& target, int64_t value) {
  int64_t seen = target.load();
  while (value < seen && !target.compare_exchange_weak(seen, value)) {
  }
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // fn(begin, end) over chunks of at least `grain` items. Exceptions inside tasks are caught
  // and returned as a Status.
  Status parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  static int default_threads();

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn = nullptr;
    int64_t n = 0, chunk = 1;
  };
  void worker_loop();
  void run_chunks(const Job& job);

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time per pool
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<bool> stop_{false};
  // Written under mutex_, read without it by spinning threads.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> active_{0};

  Job job_;  // guarded by mutex_
  std::atomic<int64_t> next_{0};
  std::atomic<bool> failed_{false};
  std::string failure_;
  std::mutex failure_mutex_;
};

}  // namespace atrous
