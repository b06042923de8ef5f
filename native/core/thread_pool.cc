#include "thread_pool.h"

#include <algorithm>
#include <chrono>

namespace atrous {

namespace {
thread_local bool t_inside_pool_task = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins up to ~200 us for `done()` before the caller falls back to a condition variable: layers
// follow each other within microseconds, and a futex wake-up costs tens of them on a VM.
template <typename Done>
bool spin_until(Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
  }
}
}  // namespace

int ThreadPool::default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 64u));
}

ThreadPool::ThreadPool(int threads) {
  int extra = std::max(1, threads) - 1;
  workers_.reserve(extra);
  for (int i = 0; i < extra; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks(const Job& job) {
  bool was_inside = t_inside_pool_task;
  t_inside_pool_task = true;
  for (;;) {
    int64_t begin = next_.fetch_add(job.chunk);
    if (begin >= job.n || failed_.load(std::memory_order_relaxed)) break;
    int64_t end = std::min(job.n, begin + job.chunk);
    try {
      (*job.fn)(begin, end);
    } catch (const std::bad_alloc&) {
      std::lock_guard<std::mutex> lock(failure_mutex_);
      failed_ = true;
      failure_ = "out of memory";
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(failure_mutex_);
      failed_ = true;
      failure_ = e.what();
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex_);
      failed_ = true;
      failure_ = "unknown exception";
    }
  }
  t_inside_pool_task = was_inside;
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    Job job;
    spin_until([&] { return stop_.load(std::memory_order_relaxed) || generation_.load(std::memory_order_acquire) != seen; });
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      // A late wake-up after the job finished finds it reset: run nothing, or this worker's
      // fetch_add on next_ would steal a chunk of the next job.
      if (!job_.fn) continue;
      job = job_;
      ++active_;
    }
    run_chunks(job);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --active_;
    }
    done_.notify_all();
  }
}

Status ThreadPool::parallel_for(int64_t n, int64_t grain,
                                const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return Status::ok();
  grain = std::max<int64_t>(1, grain);
  if (workers_.empty() || t_inside_pool_task || n <= grain) {
    return guarded([&] {
      fn(0, n);
      return Status::ok();
    });
  }
  std::lock_guard<std::mutex> one_job(job_mutex_);
  int64_t parts = static_cast<int64_t>(threads()) * 4;
  Job job{&fn, n, std::max(grain, (n + parts - 1) / parts)};
  failed_ = false;
  failure_.clear();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    next_ = 0;
    job_ = job;
    ++generation_;
  }
  wake_.notify_all();
  run_chunks(job);
  spin_until([&] { return active_.load(std::memory_order_acquire) == 0; });
  {
    // A worker that has not yet copied this job will find next_ >= n and do nothing.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return active_ == 0; });
    job_ = Job{};
  }
  if (failed_) return error(failure_ == "out of memory" ? Code::kOutOfMemory : Code::kInternal,
                            "worker task failed: ", failure_);
  return Status::ok();
}

}  // namespace atrous
