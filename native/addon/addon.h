#pragma once
#include <napi.h>

namespace atrous {

// Per-environment data: each Node context (main, worker_threads, Electron renderer) gets its own.
struct AddonData {
  Napi::FunctionReference model_constructor;
  Napi::FunctionReference token_constructor;
};

}  // namespace atrous
