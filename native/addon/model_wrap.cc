#include "addon/model_wrap.h"

#include <cstring>

#include "addon/addon.h"
#include "addon/convert.h"
#include "addon/errors.h"

namespace atrous {

namespace {

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, Descriptor desc, std::vector<WeightData> weights, CompileOptions options)
      : Napi::AsyncWorker(env, "atrous:compile"),
        deferred_(Napi::Promise::Deferred::New(env)),
        desc_(std::move(desc)),
        weights_(std::move(weights)),
        options_(options) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    status_ = CompiledModel::compile(desc_, std::move(weights_), options_, &model_);
    desc_ = Descriptor();
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!status_.is_ok()) {
      deferred_.Reject(make_js_error(env, status_).Value());
      return;
    }
    auto* state = new ModelState();
    state->inputs = model_->inputs();
    state->outputs = model_->outputs();
    state->threads = model_->threads();
    state->arena_bytes = model_->arena_bytes();
    state->weight_bytes = model_->weight_bytes();
    state->steps = model_->steps();
    state->backend = model_->backend_name();
    state->model = std::move(model_);
    auto* data = env.GetInstanceData<AddonData>();
    Napi::Object obj = data->model_constructor.New({Napi::External<ModelState>::New(env, state)});
    deferred_.Resolve(obj);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Descriptor desc_;
  std::vector<WeightData> weights_;
  CompileOptions options_;
  Status status_;
  std::unique_ptr<CompiledModel> model_;
};

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<ModelState> state, std::vector<std::vector<float>> inputs,
            std::vector<Napi::ObjectReference> output_refs, std::vector<void*> outputs,
            std::shared_ptr<std::atomic<bool>> abort, bool profile)
      : Napi::AsyncWorker(env, "atrous:run"),
        deferred_(Napi::Promise::Deferred::New(env)),
        state_(std::move(state)),
        inputs_(std::move(inputs)),
        output_refs_(std::move(output_refs)),
        outputs_(std::move(outputs)),
        abort_(std::move(abort)),
        profile_(profile) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->model || state_->disposed) {
      status_ = error(Code::kDisposed, "the model was disposed");
    } else {
      std::vector<const float*> in;
      for (auto& v : inputs_) in.push_back(v.data());
      status_ = state_->model->run(in, outputs_, abort_.get(), profile_ ? &timings_ : nullptr);
    }
    if (state_->disposed) state_->model.reset();  // dispose() came during the run
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!status_.is_ok()) {
      deferred_.Reject(make_js_error(env, status_).Value());
      return;
    }
    if (!profile_) {
      deferred_.Resolve(env.Undefined());
      return;
    }
    Napi::Array t = Napi::Array::New(env, timings_.size());
    for (size_t i = 0; i < timings_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("node", timings_[i].node);
      o.Set("op", timings_[i].op);
      o.Set("ms", timings_[i].ms);
      t.Set(static_cast<uint32_t>(i), o);
    }
    deferred_.Resolve(t);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<ModelState> state_;
  std::vector<std::vector<float>> inputs_;
  std::vector<Napi::ObjectReference> output_refs_;  // keep the JS output buffers alive
  std::vector<void*> outputs_;
  std::shared_ptr<std::atomic<bool>> abort_;
  bool profile_;
  Status status_;
  std::vector<StepTiming> timings_;
};

Napi::Object io_to_js(Napi::Env env, const IoInfo& io) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", io.name);
  o.Set("dtype", dtype_name(io.dtype));
  o.Set("shape", shape_to_js(env, io.shape));
  return o;
}


}  // namespace

Napi::Function NativeModel::define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {InstanceMethod("io", &NativeModel::io), InstanceMethod("stats", &NativeModel::stats),
                      InstanceMethod("run", &NativeModel::run), InstanceMethod("dispose", &NativeModel::dispose)});
}

NativeModel::NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    make_js_error(info.Env(), error(Code::kInvalidArgument, "NativeModel is created by compile()"))
        .ThrowAsJavaScriptException();
    return;
  }
  state_.reset(info[0].As<Napi::External<ModelState>>().Data());
}

Napi::Value NativeModel::io(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  Napi::Array in = Napi::Array::New(env), out = Napi::Array::New(env);
  if (state_) {
    for (size_t i = 0; i < state_->inputs.size(); ++i) in.Set(static_cast<uint32_t>(i), io_to_js(env, state_->inputs[i]));
    for (size_t i = 0; i < state_->outputs.size(); ++i) out.Set(static_cast<uint32_t>(i), io_to_js(env, state_->outputs[i]));
  }
  o.Set("inputs", in);
  o.Set("outputs", out);
  return o;
}

Napi::Value NativeModel::stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (!state_) return o;
  o.Set("threads", state_->threads);
  o.Set("arenaBytes", static_cast<double>(state_->arena_bytes));
  o.Set("weightBytes", static_cast<double>(state_->weight_bytes));
  o.Set("steps", static_cast<double>(state_->steps));
  o.Set("backend", state_->backend);
  return o;
}

// run(inputs: Float32Array[], outputs: (Float32Array|Int32Array)[], token?: AbortToken, profile?: boolean)
Napi::Value NativeModel::run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_ || state_->disposed) return rejected(env, error(Code::kDisposed, "the model was disposed"));
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
    return rejected(env, error(Code::kInvalidArgument, "run() expects arrays of inputs and outputs"));
  Napi::Array in = info[0].As<Napi::Array>(), out = info[1].As<Napi::Array>();
  if (in.Length() != state_->inputs.size())
    return rejected(env, error(Code::kInvalidArgument, "expected ", state_->inputs.size(), " inputs, got ", in.Length()));
  if (out.Length() != state_->outputs.size())
    return rejected(env, error(Code::kInvalidArgument, "expected ", state_->outputs.size(), " outputs, got ", out.Length()));
  std::vector<std::vector<float>> inputs;
  for (uint32_t i = 0; i < in.Length(); ++i) {
    const IoInfo& io = state_->inputs[i];
    Napi::Value v = in.Get(i);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return rejected(env, error(Code::kInvalidArgument, "input '", io.name, "' must be a Float32Array"));
    Napi::Float32Array f = v.As<Napi::Float32Array>();
    if (static_cast<int64_t>(f.ElementLength()) != io.shape.elements())
      return rejected(env, error(Code::kShapeMismatch, "input '", io.name, "' has ", f.ElementLength(), " values, shape ",
                                 io.shape.str(), " needs ", io.shape.elements()));
    inputs.emplace_back(f.Data(), f.Data() + f.ElementLength());
  }
  std::vector<Napi::ObjectReference> refs;
  std::vector<void*> outputs;
  for (uint32_t i = 0; i < out.Length(); ++i) {
    const IoInfo& io = state_->outputs[i];
    Napi::Value v = out.Get(i);
    napi_typedarray_type want = io.dtype == DType::kInt32 ? napi_int32_array : napi_float32_array;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want)
      return rejected(env, error(Code::kInvalidArgument, "output '", io.name, "' must be a ",
                                 io.dtype == DType::kInt32 ? "Int32Array" : "Float32Array"));
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    if (static_cast<int64_t>(t.ElementLength()) != io.shape.elements())
      return rejected(env, error(Code::kShapeMismatch, "output '", io.name, "' has room for ", t.ElementLength(),
                                 " values, needs ", io.shape.elements()));
    outputs.push_back(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset());
    refs.push_back(Napi::Persistent(t.As<Napi::Object>()));
  }
  std::shared_ptr<std::atomic<bool>> abort;
  if (info.Length() > 2) {
    Status s = AbortToken::flag_of(env, info[2], &abort);
    if (!s.is_ok()) return rejected(env, s);
  }
  bool profile = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  auto* worker = new RunWorker(env, state_, std::move(inputs), std::move(refs), std::move(outputs), abort, profile);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Value NativeModel::dispose(const Napi::CallbackInfo& info) {
  if (state_ && !state_->disposed.exchange(true)) {
    // Free now unless a run holds the model; that run frees it when it ends.
    std::unique_lock<std::mutex> lock(state_->mutex, std::try_to_lock);
    if (lock.owns_lock()) state_->model.reset();
  }
  return info.Env().Undefined();
}

Napi::Function AbortToken::define(Napi::Env env) {
  return DefineClass(env, "AbortToken", {InstanceMethod("abort", &AbortToken::abort)});
}

AbortToken::AbortToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AbortToken>(info) {}

Status AbortToken::flag_of(Napi::Env env, const Napi::Value& value, std::shared_ptr<std::atomic<bool>>* flag) {
  flag->reset();
  if (!value.IsObject()) return Status::ok();
  Napi::Object token = value.As<Napi::Object>();
  if (!token.InstanceOf(env.GetInstanceData<AddonData>()->token_constructor.Value()))
    return error(Code::kInvalidArgument, "the abort token must be an AbortToken");
  *flag = AbortToken::Unwrap(token)->flag();
  return Status::ok();
}

Napi::Value AbortToken::abort(const Napi::CallbackInfo& info) {
  flag_->store(true);
  return info.Env().Undefined();
}

Napi::Value compile_model(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Descriptor desc;
  std::vector<WeightData> weights;
  CompileOptions options;
  Status s = descriptor_from_js(info.Length() > 0 ? info[0] : env.Undefined(), &desc);
  if (s.is_ok()) s = weights_from_js(info.Length() > 1 ? info[1] : env.Undefined(), &weights);
  if (s.is_ok() && info.Length() > 2 && info[2].IsObject()) {
    Napi::Value dv = info[2].As<Napi::Object>().Get("device");
    if (dv.IsString()) {
      std::string d = dv.As<Napi::String>().Utf8Value();
      if (d == "cpu" || d == "cuda" || d == "auto")
        options.device = d == "cpu" ? Device::kCpu : d == "cuda" ? Device::kCuda : Device::kAuto;
      else
        s = error(Code::kInvalidArgument, "option 'device' must be 'auto', 'cpu' or 'cuda', got '", d, "'");
    }
    Napi::Value t = info[2].As<Napi::Object>().Get("threads");
    if (s.is_ok() && t.IsNumber()) {
      double d = t.As<Napi::Number>().DoubleValue();
      if (!(d >= 0 && d <= 256 && d == static_cast<int>(d)))
        s = error(Code::kInvalidArgument, "option 'threads' must be an integer from 0 to 256, got ", d);
      else
        options.threads = static_cast<int>(d);
    }
  }
  if (!s.is_ok()) return rejected(env, s);
  auto* worker = new CompileWorker(env, std::move(desc), std::move(weights), options);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace atrous
