// The dense CRF from JavaScript: denseCrf(...) → Promise, run off the main thread.
#pragma once
#include <napi.h>

namespace atrous {

// Adds `denseCrf` and the internal test hook `crfFilterForTest` to the addon's exports.
void register_crf(Napi::Env env, Napi::Object exports);

}  // namespace atrous
