#include "ops/space_batch.h"

namespace atrous {

namespace {
Status make_space_batch(const ParamReader& r, bool to_batch, std::unique_ptr<Op>* out) {
  auto op = std::make_unique<SpaceBatchOp>();
  op->to_batch = to_batch;
  const char* edges = to_batch ? "pads" : "crops";
  ATROUS_RETURN_IF_ERROR(r.only({"blockShape", edges}));
  std::vector<int64_t> v;
  ATROUS_RETURN_IF_ERROR(r.get_ints("blockShape", 2, {}, &v, 1));
  if (v.size() != 2) return r.invalid("param 'blockShape' is required: [height, width]");
  if (v[0] > 4096 || v[1] > 4096) return r.invalid("param 'blockShape' is too large");
  op->bh = v[0], op->bw = v[1];
  ATROUS_RETURN_IF_ERROR(r.get_ints(edges, 4, {0, 0, 0, 0}, &v, 0));
  for (int64_t e : v)
    if (e > (1 << 16)) return r.invalid("param '", edges, "' value ", e, " is too large");
  op->t = v[0], op->b = v[1], op->l = v[2], op->r = v[3];
  *out = std::move(op);
  return Status::ok();
}
}  // namespace

Status make_space_to_batch(const ParamReader& r, std::unique_ptr<Op>* out) { return make_space_batch(r, true, out); }
Status make_batch_to_space(const ParamReader& r, std::unique_ptr<Op>* out) { return make_space_batch(r, false, out); }

Status SpaceBatchOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 1, 1));
  ATROUS_RETURN_IF_ERROR(expect_float_activation(*this, in[0], "input"));
  const Shape4& x = in[0].shape;
  out->dtype = DType::kFloat32;
  if (to_batch) {
    int64_t ph = x.h + t + b, pw = x.w + l + r;
    if (ph % bh || pw % bw)
      return invalid(Code::kShapeMismatch, "padded size ", ph, "x", pw, " is not divisible by blockShape ", bh, "x", bw);
    out->shape = {x.n * bh * bw, ph / bh, pw / bw, x.c};
  } else {
    if (x.n % (bh * bw))
      return invalid(Code::kShapeMismatch, "batch ", x.n, " is not divisible by blockShape ", bh, "x", bw);
    int64_t oh = x.h * bh - t - b, ow = x.w * bw - l - r;
    if (oh <= 0 || ow <= 0) return invalid(Code::kShapeMismatch, "crops remove the whole ", x.h * bh, "x", x.w * bw, " output");
    out->shape = {x.n / (bh * bw), oh, ow, x.c};
  }
  return Status::ok();
}

}  // namespace atrous
