#include "ops/op.h"

#include <algorithm>
#include <cmath>

namespace atrous {

#define ATROUS_OP(name) Status make_##name(const ParamReader&, std::unique_ptr<Op>*);
#include "ops/op_list.def"
#undef ATROUS_OP

Status make_op(const NodeDesc& node, std::unique_ptr<Op>* out) {
  struct Entry {
    const char* name;
    OpFactory make;
  };
  static const Entry kOps[] = {
#define ATROUS_OP(name) {#name, &make_##name},
#include "ops/op_list.def"
#undef ATROUS_OP
  };
  ParamReader reader(node);
  for (const Entry& e : kOps) {
    if (node.op == e.name) {
      ATROUS_RETURN_IF_ERROR(e.make(reader, out));
      (*out)->name = node.name;
      return Status::ok();
    }
  }
  return error(Code::kUnsupported, "node '", node.name, "': unknown op '", node.op, "'");
}

Status parse_activation(const ParamReader& r, Activation* act) {
  std::string name;
  ATROUS_RETURN_IF_ERROR(r.get_enum("activation", {"none", "relu", "relu6"}, "none", &name));
  *act = Activation{};
  if (name == "relu") act->min = 0;
  if (name == "relu6") act->min = 0, act->max = 6;
  return Status::ok();
}

Status parse_window(const ParamReader& r, bool with_kernel, bool with_dilation, Window2d* w) {
  std::vector<int64_t> v;
  if (with_kernel) {
    ATROUS_RETURN_IF_ERROR(r.get_ints("kernel", 2, {}, &v, 1));
    if (v.size() != 2) return r.invalid("param 'kernel' is required: [height, width]");
    w->kh = v[0], w->kw = v[1];
  }
  ATROUS_RETURN_IF_ERROR(r.get_ints("strides", 2, {1, 1}, &v, 1));
  w->sh = v[0], w->sw = v[1];
  if (with_dilation) {
    ATROUS_RETURN_IF_ERROR(r.get_ints("dilations", 2, {1, 1}, &v, 1));
    w->dh = v[0], w->dw = v[1];
  }
  ATROUS_RETURN_IF_ERROR(r.get_enum("padding", {"same", "valid", "explicit"}, "valid", &w->padding));
  if (w->padding == "explicit") {
    ATROUS_RETURN_IF_ERROR(r.get_ints("pads", 4, {}, &v, 0));
    if (v.size() != 4) return r.invalid("padding 'explicit' needs 'pads': [top, bottom, left, right]");
    w->pad_t = v[0], w->pad_b = v[1], w->pad_l = v[2], w->pad_r = v[3];
  } else if (r.has("pads")) {
    return r.invalid("param 'pads' is only allowed with padding 'explicit'");
  }
  return Status::ok();
}

Status resolve_window(const Op& op, int64_t in_h, int64_t in_w, Window2d* w, int64_t* out_h,
                      int64_t* out_w) {
  const int64_t limit = int64_t(1) << 20;
  if (w->kh > limit || w->kw > limit || w->dh > limit || w->dw > limit || w->sh > limit || w->sw > limit ||
      w->pad_t > limit || w->pad_b > limit || w->pad_l > limit || w->pad_r > limit)
    return op.invalid(Code::kInvalidArgument, "window parameters out of range");
  const int64_t ekh = (w->kh - 1) * w->dh + 1, ekw = (w->kw - 1) * w->dw + 1;
  if (w->padding == "same") {
    *out_h = (in_h + w->sh - 1) / w->sh;
    *out_w = (in_w + w->sw - 1) / w->sw;
    int64_t ph = std::max<int64_t>(0, (*out_h - 1) * w->sh + ekh - in_h);
    int64_t pw = std::max<int64_t>(0, (*out_w - 1) * w->sw + ekw - in_w);
    w->pad_t = ph / 2, w->pad_b = ph - ph / 2;
    w->pad_l = pw / 2, w->pad_r = pw - pw / 2;
    return Status::ok();
  }
  if (w->padding == "valid") w->pad_t = w->pad_b = w->pad_l = w->pad_r = 0;
  const int64_t ph = in_h + w->pad_t + w->pad_b, pw = in_w + w->pad_l + w->pad_r;
  if (ph < ekh || pw < ekw)
    return op.invalid(Code::kShapeMismatch, "window ", ekh, "x", ekw, " (kernel with dilation) is larger than the padded input ",
                      ph, "x", pw);
  *out_h = (ph - ekh) / w->sh + 1;
  *out_w = (pw - ekw) / w->sw + 1;
  return Status::ok();
}

Status expect_inputs(const Op& op, const std::vector<TensorInfo>& inputs, size_t min_count,
                     size_t max_count) {
  if (inputs.size() < min_count || inputs.size() > max_count) {
    if (min_count == max_count)
      return op.invalid(Code::kInvalidArgument, "expects ", min_count, " inputs, got ", inputs.size());
    return op.invalid(Code::kInvalidArgument, "expects ", min_count, " to ", max_count, " inputs, got ",
                      inputs.size());
  }
  return Status::ok();
}

Status expect_float_activation(const Op& op, const TensorInfo& t, const char* what) {
  if (t.dtype != DType::kFloat32)
    return op.invalid(Code::kInvalidArgument, what, " must be float32, got ", dtype_name(t.dtype));
  if (t.shape.elements() <= 0)
    return op.invalid(Code::kShapeMismatch, what, " is empty: shape ", t.shape.str());
  return Status::ok();
}

}  // namespace atrous
