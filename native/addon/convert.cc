#include "addon/convert.h"

#include <cmath>
#include <cstring>

namespace atrous {

namespace {

Status parse_error(const std::string& where, const std::string& what) {
  return error(Code::kInvalidArgument, "graph descriptor: ", where, " ", what);
}

Status get_int(const Napi::Object& o, const char* key, const std::string& where, int64_t* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return parse_error(where, str_cat("needs an integer '", key, "'"));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9e15)
    return parse_error(where, str_cat("'", key, "' must be an integer"));
  *out = static_cast<int64_t>(d);
  return Status::ok();
}

Status get_string(const Napi::Object& o, const char* key, const std::string& where, std::string* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) return parse_error(where, str_cat("needs a string '", key, "'"));
  *out = v.As<Napi::String>().Utf8Value();
  return Status::ok();
}

Status get_int_array(const Napi::Value& v, const std::string& where, std::vector<int64_t>* out) {
  if (!v.IsArray()) return parse_error(where, "must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > (1u << 20)) return parse_error(where, "is too long");
  out->clear();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) return parse_error(where, "must be an array of integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9e15) return parse_error(where, "must hold integers");
    out->push_back(static_cast<int64_t>(d));
  }
  return Status::ok();
}

Status param_from_js(const Napi::Value& v, const std::string& where, ParamValue* out) {
  if (v.IsNumber()) {
    out->kind = ParamValue::Kind::kNumber;
    out->number = v.As<Napi::Number>().DoubleValue();
  } else if (v.IsBoolean()) {
    out->kind = ParamValue::Kind::kBool;
    out->flag = v.As<Napi::Boolean>().Value();
  } else if (v.IsString()) {
    out->kind = ParamValue::Kind::kString;
    out->text = v.As<Napi::String>().Utf8Value();
  } else if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    if (a.Length() > 4096) return parse_error(where, "is too long");
    out->kind = ParamValue::Kind::kNumbers;
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value e = a.Get(i);
      if (!e.IsNumber()) return parse_error(where, "must be a number, boolean, string or array of numbers");
      out->numbers.push_back(e.As<Napi::Number>().DoubleValue());
    }
  } else {
    return parse_error(where, "must be a number, boolean, string or array of numbers");
  }
  return Status::ok();
}

}  // namespace

Status descriptor_from_js(const Napi::Value& value, Descriptor* out) {
  if (!value.IsObject()) return error(Code::kInvalidArgument, "graph descriptor must be an object");
  Napi::Object o = value.As<Napi::Object>();
  int64_t version = 0;
  ATROUS_RETURN_IF_ERROR(get_int(o, "version", "", &version));
  out->version = static_cast<int>(version);
  if (out->version != kDescriptorVersion)
    return error(Code::kUnsupported, "graph descriptor version ", version, " is not supported (expected ", kDescriptorVersion, ")");

  Napi::Value values = o.Get("values"), nodes = o.Get("nodes"), outputs = o.Get("outputs");
  if (!values.IsArray() || !nodes.IsArray() || !outputs.IsArray())
    return parse_error("", "needs arrays 'values', 'nodes' and 'outputs'");
  Napi::Array va = values.As<Napi::Array>();
  for (uint32_t i = 0; i < va.Length(); ++i) {
    std::string where = str_cat("values[", i, "]");
    if (!va.Get(i).IsObject()) return parse_error(where, "must be an object");
    Napi::Object v = va.Get(i).As<Napi::Object>();
    ValueDesc d;
    std::string kind;
    ATROUS_RETURN_IF_ERROR(get_string(v, "kind", where, &kind));
    if (v.Get("name").IsString()) d.name = v.Get("name").As<Napi::String>().Utf8Value();
    if (kind == "input" || kind == "weight") {
      d.kind = kind == "input" ? ValueKind::kInput : ValueKind::kWeight;
      ATROUS_RETURN_IF_ERROR(get_int_array(v.Get("shape"), where + ".shape", &d.shape));
      if (kind == "weight") {
        int64_t w = 0;
        ATROUS_RETURN_IF_ERROR(get_int(v, "weight", where, &w));
        if (w < 0 || w > (1 << 30)) return parse_error(where, "'weight' index out of range");
        d.weight = static_cast<int>(w);
      } else {
        std::string dtype = "float32";
        if (v.Has("dtype")) ATROUS_RETURN_IF_ERROR(get_string(v, "dtype", where, &dtype));
        if (dtype != "float32") return error(Code::kInvalidArgument, "input '", d.name, "': dtype '", dtype, "' is not supported (float32)");
        out->inputs.push_back(static_cast<int>(i));
      }
    } else if (kind == "node") {
      d.kind = ValueKind::kNode;
      int64_t node = 0;
      ATROUS_RETURN_IF_ERROR(get_int(v, "node", where, &node));
      if (node < 0 || node > (1 << 30)) return parse_error(where, "'node' index out of range");
      d.node = static_cast<int>(node);
    } else {
      return parse_error(where, str_cat("has unknown kind '", kind, "'"));
    }
    out->values.push_back(std::move(d));
  }
  Napi::Array na = nodes.As<Napi::Array>();
  for (uint32_t i = 0; i < na.Length(); ++i) {
    std::string where = str_cat("nodes[", i, "]");
    if (!na.Get(i).IsObject()) return parse_error(where, "must be an object");
    Napi::Object n = na.Get(i).As<Napi::Object>();
    NodeDesc d;
    ATROUS_RETURN_IF_ERROR(get_string(n, "op", where, &d.op));
    ATROUS_RETURN_IF_ERROR(get_string(n, "name", where, &d.name));
    std::vector<int64_t> inputs;
    ATROUS_RETURN_IF_ERROR(get_int_array(n.Get("inputs"), where + ".inputs", &inputs));
    for (int64_t in : inputs) {
      if (in < 0 || in > (1 << 30)) return parse_error(where, "input index out of range");
      d.inputs.push_back(static_cast<int>(in));
    }
    Napi::Value params = n.Get("params");
    if (!params.IsUndefined()) {
      if (!params.IsObject() || params.IsArray()) return parse_error(where, "'params' must be an object");
      Napi::Object p = params.As<Napi::Object>();
      Napi::Array keys = p.GetPropertyNames();
      for (uint32_t k = 0; k < keys.Length(); ++k) {
        std::string key = keys.Get(k).As<Napi::String>().Utf8Value();
        Napi::Value pv = p.Get(key);
        if (pv.IsUndefined()) continue;
        ParamValue param;
        ATROUS_RETURN_IF_ERROR(param_from_js(pv, str_cat("node '", d.name, "' param '", key, "'"), &param));
        d.params[key] = std::move(param);
      }
    }
    out->nodes.push_back(std::move(d));
  }
  Napi::Array oa = outputs.As<Napi::Array>();
  for (uint32_t i = 0; i < oa.Length(); ++i) {
    std::string where = str_cat("outputs[", i, "]");
    if (!oa.Get(i).IsObject()) return parse_error(where, "must be an object");
    Napi::Object od = oa.Get(i).As<Napi::Object>();
    OutputDesc d;
    ATROUS_RETURN_IF_ERROR(get_string(od, "name", where, &d.name));
    int64_t v = 0;
    ATROUS_RETURN_IF_ERROR(get_int(od, "value", where, &v));
    if (v < 0 || v > (1 << 30)) return parse_error(where, "'value' index out of range");
    d.value = static_cast<int>(v);
    out->outputs.push_back(std::move(d));
  }
  return Status::ok();
}

Status weights_from_js(const Napi::Value& value, std::vector<WeightData>* out) {
  if (!value.IsArray()) return error(Code::kInvalidArgument, "weights must be an array of Float32Array");
  Napi::Array a = value.As<Napi::Array>();
  out->resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsObject()) return error(Code::kInvalidArgument, "weights[", i, "] must be an object {shape, data}");
    Napi::Object w = e.As<Napi::Object>();
    ATROUS_RETURN_IF_ERROR(get_int_array(w.Get("shape"), str_cat("weights[", i, "].shape"), &(*out)[i].shape));
    Napi::Value data = w.Get("data");
    if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return error(Code::kInvalidArgument, "weights[", i, "].data must be a Float32Array");
    Napi::Float32Array f = data.As<Napi::Float32Array>();
    (*out)[i].data.resize(f.ElementLength());
    if (f.ElementLength()) std::memcpy((*out)[i].data.data(), f.Data(), f.ElementLength() * sizeof(float));
  }
  return Status::ok();
}

Napi::Array shape_to_js(Napi::Env env, const Shape4& s) {
  Napi::Array a = Napi::Array::New(env, 4);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(s.n)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(s.h)));
  a.Set(2u, Napi::Number::New(env, static_cast<double>(s.w)));
  a.Set(3u, Napi::Number::New(env, static_cast<double>(s.c)));
  return a;
}

}  // namespace atrous
