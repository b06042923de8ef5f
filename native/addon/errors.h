// Status → JavaScript Error with a stable `code` (lib/errors.ts turns it into AtrousError).
#pragma once
#include <napi.h>

#include "core/status.h"

namespace atrous {

Napi::Error make_js_error(Napi::Env env, const Status& status);

// A promise already rejected with `status` (argument checks of promise-returning functions).
Napi::Value rejected(Napi::Env env, const Status& status);

// Throws (as a pending JS exception) and returns an empty value, for argument checks.
Napi::Value throw_status(Napi::Env env, const Status& status);

}  // namespace atrous
