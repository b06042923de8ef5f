#include "ops/inverted_residual.h"

namespace atrous {

Status make_inverted_residual(const ParamReader&, std::unique_ptr<Op>*) {
  return error(Code::kUnsupported, "op 'inverted_residual' is made by the compiler, not read from a descriptor");
}

bool InvertedResidualOp::pointwise(const Conv2dOp& c) {
  const Window2d& w = c.window;
  return w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.pad_t == 0 && w.pad_b == 0 && w.pad_l == 0 && w.pad_r == 0;
}

bool InvertedResidualOp::fusable(const Conv2dOp& expand, const Conv2dOp& depthwise, const Conv2dOp& project) {
  const Window2d& d = depthwise.window;
  return expand.groups == 1 && project.groups == 1 && pointwise(expand) && pointwise(project) && depthwise.is_depthwise() &&
         depthwise.out_channels == depthwise.in_channels && d.kh == 3 && d.kw == 3 && d.sh == d.sw && d.dh == d.dw &&
         (d.sh == 1 || (d.sh == 2 && d.dh == 1));
}

Status InvertedResidualOp::infer(const std::vector<TensorInfo>& in, TensorInfo* out) {
  ATROUS_RETURN_IF_ERROR(expect_inputs(*this, in, 7, 7));
  TensorInfo expanded, filtered;
  ATROUS_RETURN_IF_ERROR(expand.infer({in[0], in[1], in[2]}, &expanded));
  ATROUS_RETURN_IF_ERROR(depthwise.infer({expanded, in[3], in[4]}, &filtered));
  ATROUS_RETURN_IF_ERROR(project.infer({filtered, in[5], in[6]}, out));
  if (residual && out->shape != in[0].shape)
    return invalid(Code::kShapeMismatch, "residual: output ", out->shape.str(), " differs from input ", in[0].shape.str());
  return Status::ok();
}

}  // namespace atrous
