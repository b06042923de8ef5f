// An op: named params parsed and validated from a node, and shape inference.
// One definition per op (ops/<op>.{h,cc}); kernels live per backend (cpu/<op>.cc, cuda/<op>.cu).
#pragma once
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/descriptor.h"
#include "graph/params.h"

namespace atrous {

// What shape inference and kernels know about one input or output value.
struct TensorInfo {
  DType dtype = DType::kFloat32;
  Shape4 shape;                         // rank <= 4 right-aligned into NHWC
  const WeightData* weight = nullptr;   // non-null for constants
  bool is_constant() const { return weight != nullptr; }
};

class Op {
 public:
  virtual ~Op() = default;
  virtual const char* type() const = 0;
  // Validates the inputs, sets `out`. Called once at compile; the error names the node.
  virtual Status infer(const std::vector<TensorInfo>& inputs, TensorInfo* out) = 0;
  // Which inputs must be constants (weights) known at compile time.
  virtual bool input_must_be_constant(size_t /*index*/) const { return false; }

  std::string name;  // the node's name, for messages
  std::string where() const { return str_cat("node '", name, "' (", type(), ")"); }

  template <typename... Parts>
  Status invalid(Code code, Parts&&... parts) const {
    return error(code, where(), ": ", std::forward<Parts>(parts)...);
  }
};

// A clamp applied to an op's output; conv and binary ops carry one (fused relu / relu6 / clip).
struct Activation {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
  bool is_identity() const {
    return min == -std::numeric_limits<float>::infinity() && max == std::numeric_limits<float>::infinity();
  }
};

Status parse_activation(const ParamReader& r, Activation* act);

// Sliding-window geometry shared by conv and pooling.
struct Window2d {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  std::string padding = "valid";  // same | valid | explicit
  int64_t pad_t = 0, pad_b = 0, pad_l = 0, pad_r = 0;
};

// Reads strides / dilations / padding / pads (and `kernel` when `with_kernel`).
Status parse_window(const ParamReader& r, bool with_kernel, bool with_dilation, Window2d* w);
// Resolves 'same' padding for an input size and returns the output size.
Status resolve_window(const Op& op, int64_t in_h, int64_t in_w, Window2d* w, int64_t* out_h,
                      int64_t* out_w);

// Input count check with a readable message.
Status expect_inputs(const Op& op, const std::vector<TensorInfo>& inputs, size_t min_count,
                     size_t max_count);
Status expect_float_activation(const Op& op, const TensorInfo& t, const char* what);

using OpFactory = Status (*)(const ParamReader&, std::unique_ptr<Op>*);
Status make_op(const NodeDesc& node, std::unique_ptr<Op>* out);

}  // namespace atrous
