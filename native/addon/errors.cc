#include "addon/errors.h"

namespace atrous {

Napi::Error make_js_error(Napi::Env env, const Status& status) {
  Napi::Error e = Napi::Error::New(env, status.message());
  e.Set("code", Napi::String::New(env, code_name(status.code())));
  return e;
}

Napi::Value rejected(Napi::Env env, const Status& status) {
  auto d = Napi::Promise::Deferred::New(env);
  d.Reject(make_js_error(env, status).Value());
  return d.Promise();
}

Napi::Value throw_status(Napi::Env env, const Status& status) {
  make_js_error(env, status).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace atrous
