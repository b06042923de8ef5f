// Module init: context-aware (per-env instance data), no external buffers.
#include <napi.h>

#include <thread>

#include "addon/addon.h"
#include "addon/crf_worker.h"
#include "addon/model_wrap.h"
#include "core/cpu_features.h"
#include "core/plugin_loader.h"
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
  const CudaPlugin& cuda = cuda_plugin();
  Napi::Object c = Napi::Object::New(env);
  c.Set("available", cuda.available);
  if (!cuda.available) c.Set("reason", cuda.reason);
  if (!cuda.path.empty()) c.Set("plugin", cuda.path);
  if (!cuda.device.empty()) c.Set("device", cuda.device);
  if (cuda.driver_version) c.Set("driver", cuda_version_string(cuda.driver_version));
  if (cuda.runtime_version) c.Set("runtime", cuda_version_string(cuda.runtime_version));
  o.Set("cuda", c);
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
