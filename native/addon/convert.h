// Plain JS data → native structs (descriptor, weights), checking every type on the way.
#pragma once
#include <napi.h>

#include "graph/descriptor.h"

namespace atrous {

Status descriptor_from_js(const Napi::Value& value, Descriptor* out);
// weights: array of Float32Array, copied.
Status weights_from_js(const Napi::Value& value, std::vector<WeightData>* out);
Napi::Array shape_to_js(Napi::Env env, const Shape4& s);

}  // namespace atrous
