// Memory of a device backend (CUDA): activations live there during a run; the executor moves
// inputs in and outputs out through this interface. Host backends have none.
#pragma once
#include <cstddef>
#include <memory>

#include "core/status.h"
#include "core/tensor.h"

namespace atrous {

class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  virtual Status allocate(size_t bytes, void** out) = 0;
  virtual void release(void* ptr) = 0;
  virtual Status upload(void* dst, const void* src, size_t bytes) = 0;    // host → device
  virtual Status download(void* dst, const void* src, size_t bytes) = 0;  // device → host, after queued work
  virtual Status copy(const CFView& src, const FView& dst) = 0;           // device → device, same shape
  virtual Status synchronize() = 0;                                       // waits for queued work
};

// Owns one device allocation; grows on demand, keeps its memory across runs.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : mem_(std::move(o.mem_)), ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr, o.bytes_ = 0; }
  ~DeviceBuffer() { reset(); }

  Status reserve(const std::shared_ptr<DeviceMemory>& mem, size_t bytes) {
    if (ptr_ && bytes_ >= bytes && mem_ == mem) return Status::ok();
    reset();
    void* p = nullptr;
    ATROUS_RETURN_IF_ERROR(mem->allocate(bytes, &p));
    mem_ = mem, ptr_ = p, bytes_ = bytes;
    return Status::ok();
  }
  void reset() {
    if (ptr_) mem_->release(ptr_);
    ptr_ = nullptr, bytes_ = 0;
  }
  void* data() const { return ptr_; }
  float* floats() const { return static_cast<float*>(ptr_); }
  size_t bytes() const { return bytes_; }

 private:
  std::shared_ptr<DeviceMemory> mem_;
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace atrous
