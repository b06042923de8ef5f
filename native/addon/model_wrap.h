// The JS-facing compiled model and the abort token.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "graph/executor.h"

namespace atrous {

// Shared between the JS object and in-flight workers, so dispose() never frees under a run.
struct ModelState {
  std::mutex mutex;                       // held for the whole of a run
  std::unique_ptr<CompiledModel> model;   // null once disposed
  std::atomic<bool> disposed{false};
  std::vector<IoInfo> inputs, outputs;
  int threads = 0;
  int64_t arena_bytes = 0, weight_bytes = 0;
  size_t steps = 0;
  std::string backend = "cpu";  // the backend the model runs on
};

class NativeModel : public Napi::ObjectWrap<NativeModel> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit NativeModel(const Napi::CallbackInfo& info);

 private:
  Napi::Value io(const Napi::CallbackInfo& info);
  Napi::Value stats(const Napi::CallbackInfo& info);
  Napi::Value run(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<ModelState> state_;
};

class AbortToken : public Napi::ObjectWrap<AbortToken> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit AbortToken(const Napi::CallbackInfo& info);
  std::shared_ptr<std::atomic<bool>> flag() const { return flag_; }
  // The flag of the AbortToken passed as `value` (none when `value` is not an object).
  static Status flag_of(Napi::Env env, const Napi::Value& value, std::shared_ptr<std::atomic<bool>>* flag);

 private:
  Napi::Value abort(const Napi::CallbackInfo& info);
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

// compile(descriptor, weights, {threads}) → Promise<NativeModel>
Napi::Value compile_model(const Napi::CallbackInfo& info);

}  // namespace atrous
