// Module init: context-aware (per-env instance data), no external buffers.
#include <napi.h>

#include <thread>

#include "addon/addon.h"
#include "addon/crf_worker.h"
#include "addon/model_wrap.h"
#include "core/cpu_features.h"
#include "core/thread_pool.h"

namespace atrous {

namespace {

Napi::Value info(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", simd_level_name(simd_level()));
  o.Set("simdDetected", simd_level_name(detect_simd_level()));
  o.Set("hardwareThreads", ThreadPool::default_threads());
  o.Set("descriptorVersion", kDescriptorVersion);
  return o;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->model_constructor = Napi::Persistent(NativeModel::define(env));
  Napi::Function token = AbortToken::define(env);
  data->token_constructor = Napi::Persistent(token);
  env.SetInstanceData<AddonData>(data);
  exports.Set("info", Napi::Function::New(env, info, "info"));
  exports.Set("compile", Napi::Function::New(env, compile_model, "compile"));
  exports.Set("AbortToken", token);
  register_crf(env, exports);
  return exports;
}

}  // namespace

}  // namespace atrous

static Napi::Object InitAtrous(Napi::Env env, Napi::Object exports) { return atrous::init(env, exports); }

NODE_API_MODULE(atrous, InitAtrous)
