#include "addon/crf_worker.h"

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "addon/errors.h"
#include "core/aligned.h"
#include "addon/model_wrap.h"
#include "crf/dense_crf.h"

namespace atrous {

namespace {

class CrfWorker : public Napi::AsyncWorker {
 public:
  CrfWorker(Napi::Env env, std::vector<uint8_t> rgb, AlignedVector<float> scores, crf::CrfImage image,
            crf::CrfOptions options, Napi::ObjectReference labels_ref, int32_t* labels,
            Napi::ObjectReference probs_ref, float* probs, std::shared_ptr<std::atomic<bool>> abort)
      : Napi::AsyncWorker(env, "atrous:crf"),
        deferred_(Napi::Promise::Deferred::New(env)),
        rgb_(std::move(rgb)),
        scores_(std::move(scores)),
        image_(image),
        options_(std::move(options)),
        labels_ref_(std::move(labels_ref)),
        probs_ref_(std::move(probs_ref)),
        labels_(labels),
        probs_(probs),
        abort_(std::move(abort)) {
    image_.rgb = rgb_.data();
    image_.scores = scores_.data();
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override { status_ = crf::dense_crf(image_, options_, abort_.get(), labels_, probs_); }
  void OnOK() override {
    if (status_.is_ok()) deferred_.Resolve(Env().Undefined());
    else deferred_.Reject(make_js_error(Env(), status_).Value());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> rgb_;
  AlignedVector<float> scores_;
  crf::CrfImage image_;
  crf::CrfOptions options_;
  Napi::ObjectReference labels_ref_, probs_ref_;  // keep the JS outputs alive
  int32_t* labels_;
  float* probs_;
  std::shared_ptr<std::atomic<bool>> abort_;
  Status status_;
};


Status number_field(Napi::Object o, const char* key, double* out, bool required) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() && !required) return Status::ok();
  if (!v.IsNumber()) return error(Code::kInvalidArgument, "CRF option '", key, "' must be a number");
  *out = v.As<Napi::Number>().DoubleValue();
  return Status::ok();
}

Status integer_in(double v, const char* what, double lo, double hi, int* out) {
  if (!(v >= lo && v <= hi && v == static_cast<double>(static_cast<int64_t>(v))))
    return error(Code::kInvalidArgument, what, " must be an integer from ", lo, " to ", hi, ", got ", v);
  *out = static_cast<int>(v);
  return Status::ok();
}

Status kernel_from_js(Napi::Value v, crf::PairwiseKernel* k) {
  if (!v.IsObject()) return error(Code::kInvalidArgument, "each CRF kernel must be an object");
  Napi::Object o = v.As<Napi::Object>();
  std::string type = o.Get("type").IsString() ? o.Get("type").As<Napi::String>().Utf8Value() : "";
  if (type != "gaussian" && type != "bilateral")
    return error(Code::kInvalidArgument, "CRF kernel type must be 'gaussian' or 'bilateral', got '", type, "'");
  k->bilateral = type == "bilateral";
  double sxy = 0, srgb = 1, weight = 1;
  ATROUS_RETURN_IF_ERROR(number_field(o, "sxy", &sxy, true));
  ATROUS_RETURN_IF_ERROR(number_field(o, "srgb", &srgb, k->bilateral));
  ATROUS_RETURN_IF_ERROR(number_field(o, "weight", &weight, false));
  k->sxy = static_cast<float>(sxy);
  k->srgb = static_cast<float>(srgb);
  k->weight = static_cast<float>(weight);
  std::string norm = o.Get("normalization").IsString() ? o.Get("normalization").As<Napi::String>().Utf8Value() : "symmetric";
  if (norm == "symmetric") k->normalization = crf::Normalization::kSymmetric;
  else if (norm == "before") k->normalization = crf::Normalization::kBefore;
  else if (norm == "after") k->normalization = crf::Normalization::kAfter;
  else if (norm == "none") k->normalization = crf::Normalization::kNone;
  else return error(Code::kInvalidArgument, "CRF normalization must be symmetric, before, after or none, got '", norm, "'");
  Napi::Value compat = o.Get("compat");
  if (!compat.IsUndefined()) {
    if (!compat.IsTypedArray() || compat.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return error(Code::kInvalidArgument, "a CRF compatibility matrix must be a Float32Array");
    Napi::Float32Array f = compat.As<Napi::Float32Array>();
    k->compat.assign(f.Data(), f.Data() + f.ElementLength());
  }
  return Status::ok();
}

// denseCrf(rgb: Uint8Array, width, height, scores: Float32Array, labels, options, outLabels: Int32Array,
//          outProbabilities: Float32Array, token?: AbortToken) → Promise<void>
Napi::Value dense_crf_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) return rejected(env, error(Code::kInvalidArgument, "denseCrf expects 8 or 9 arguments"));
  if (!info[0].IsTypedArray() || (info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array &&
                                     info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_clamped_array))
    return rejected(env, error(Code::kInvalidArgument, "the CRF image must be a Uint8Array of RGB pixels"));
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return rejected(env, error(Code::kInvalidArgument, "the CRF scores must be a Float32Array"));
  if (!info[1].IsNumber() || !info[2].IsNumber() || !info[4].IsNumber() || !info[5].IsObject())
    return rejected(env, error(Code::kInvalidArgument, "denseCrf: width, height and labels must be numbers, options an object"));
  crf::CrfImage image;
  crf::CrfOptions options;
  Status s = integer_in(info[1].As<Napi::Number>().DoubleValue(), "CRF width", 1, 1 << 20, &image.width);
  if (s.is_ok()) s = integer_in(info[2].As<Napi::Number>().DoubleValue(), "CRF height", 1, 1 << 20, &image.height);
  if (s.is_ok()) s = integer_in(info[4].As<Napi::Number>().DoubleValue(), "CRF label count", 0, 1 << 20, &image.labels);
  if (!s.is_ok()) return rejected(env, s);
  const int64_t n = int64_t(image.width) * image.height;
  Napi::TypedArray rgb = info[0].As<Napi::TypedArray>();
  Napi::Float32Array scores = info[3].As<Napi::Float32Array>();
  if (static_cast<int64_t>(rgb.ElementLength()) != n * 3)
    return rejected(env, error(Code::kShapeMismatch, "the CRF image has ", rgb.ElementLength(), " bytes, ", image.width,
                               "x", image.height, " RGB needs ", n * 3));
  if (static_cast<int64_t>(scores.ElementLength()) != n * image.labels)
    return rejected(env, error(Code::kShapeMismatch, "the CRF scores hold ", scores.ElementLength(), " values, ",
                               image.width, "x", image.height, "x", image.labels, " needs ", n * image.labels));
  Napi::Object opts = info[5].As<Napi::Object>();
  double v = 5;
  s = number_field(opts, "iterations", &v, false);
  if (s.is_ok()) s = integer_in(v, "CRF iterations", 0, 10000, &options.iterations);
  v = 0;
  if (s.is_ok()) s = number_field(opts, "threads", &v, false);
  if (s.is_ok()) s = integer_in(v, "CRF threads", 0, 256, &options.threads);
  v = 0;
  if (s.is_ok()) s = number_field(opts, "memoryLimit", &v, false);
  if (s.is_ok() && !(v >= 0)) s = error(Code::kInvalidArgument, "CRF memoryLimit must be >= 0");
  options.memory_limit = static_cast<int64_t>(v);
  options.logits = opts.Get("logits").ToBoolean().Value();
  options.exact_filtering = opts.Get("exactFilteringForTest").ToBoolean().Value();
  Napi::Value kernels = opts.Get("kernels");
  if (s.is_ok() && !kernels.IsUndefined()) {
    if (!kernels.IsArray()) s = error(Code::kInvalidArgument, "CRF kernels must be an array");
    else {
      Napi::Array a = kernels.As<Napi::Array>();
      options.kernels.resize(a.Length() > 64 ? 64 : a.Length());
      if (a.Length() > 64) s = error(Code::kInvalidArgument, "too many CRF kernels");
      for (uint32_t i = 0; s.is_ok() && i < options.kernels.size(); ++i) s = kernel_from_js(a.Get(i), &options.kernels[i]);
    }
  }
  if (!s.is_ok()) return rejected(env, s);

  if (!info[6].IsTypedArray() || info[6].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      static_cast<int64_t>(info[6].As<Napi::TypedArray>().ElementLength()) != n)
    return rejected(env, error(Code::kInvalidArgument, "the CRF labels output must be an Int32Array of ", n));
  if (!info[7].IsTypedArray() || info[7].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      static_cast<int64_t>(info[7].As<Napi::TypedArray>().ElementLength()) != n * image.labels)
    return rejected(env, error(Code::kInvalidArgument, "the CRF probabilities output must be a Float32Array of ", n * image.labels));
  std::shared_ptr<std::atomic<bool>> abort;
  if (info.Length() > 8) {
    Status token_status = AbortToken::flag_of(env, info[8], &abort);
    if (!token_status.is_ok()) return rejected(env, token_status);
  }
  // Copies, so JS may reuse its buffers while the CRF runs; probabilities are checked as they are copied (the
  // error, if any, comes from the worker: the options are validated first).
  std::vector<uint8_t> rgb_copy(static_cast<const uint8_t*>(rgb.ArrayBuffer().Data()) + rgb.ByteOffset(),
                                static_cast<const uint8_t*>(rgb.ArrayBuffer().Data()) + rgb.ByteOffset() + n * 3);
  AlignedVector<float> scores_copy(scores.ElementLength());
  image.first_bad_score = crf::copy_scores(scores.Data(), scores_copy.data(), n, image.labels, options.logits);
  Napi::TypedArray labels = info[6].As<Napi::TypedArray>(), probs = info[7].As<Napi::TypedArray>();
  auto* labels_ptr = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(labels.ArrayBuffer().Data()) + labels.ByteOffset());
  auto* probs_ptr = reinterpret_cast<float*>(static_cast<uint8_t*>(probs.ArrayBuffer().Data()) + probs.ByteOffset());
  auto* worker = new CrfWorker(env, std::move(rgb_copy), std::move(scores_copy), image, std::move(options),
                               Napi::Persistent(labels.As<Napi::Object>()), labels_ptr,
                               Napi::Persistent(probs.As<Napi::Object>()), probs_ptr, abort);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// INTERNAL, for tests: crfFilterForTest(features: Float32Array, n, d, values: Float32Array, vd, exact: boolean)
// → Float32Array of the raw (unnormalized) filter output. Synchronous.
Napi::Value filter_for_test(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsTypedArray() || !info[3].IsTypedArray() || !info[1].IsNumber() ||
      !info[2].IsNumber() || !info[4].IsNumber())
    return throw_status(env, error(Code::kInvalidArgument, "crfFilterForTest(features, n, d, values, vd, exact)"));
  Napi::Float32Array f = info[0].As<Napi::Float32Array>(), v = info[3].As<Napi::Float32Array>();
  const int64_t n = info[1].As<Napi::Number>().Int64Value();
  const int d = info[2].As<Napi::Number>().Int32Value(), vd = info[4].As<Napi::Number>().Int32Value();
  if (n < 1 || d < 1 || vd < 1 || static_cast<int64_t>(f.ElementLength()) != n * d ||
      static_cast<int64_t>(v.ElementLength()) != n * vd)
    return throw_status(env, error(Code::kShapeMismatch, "crfFilterForTest: sizes do not match"));
  Napi::Float32Array out = Napi::Float32Array::New(env, static_cast<size_t>(n * vd));
  Status s = crf::gaussian_filter_for_test(f.Data(), n, d, v.Data(), vd, info[5].ToBoolean().Value(), out.Data());
  if (!s.is_ok()) return throw_status(env, s);
  return out;
}

}  // namespace

void register_crf(Napi::Env env, Napi::Object exports) {
  exports.Set("denseCrf", Napi::Function::New(env, dense_crf_js, "denseCrf"));
  exports.Set("crfFilterForTest", Napi::Function::New(env, filter_for_test, "crfFilterForTest"));
}

}  // namespace atrous
