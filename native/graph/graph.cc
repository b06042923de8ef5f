#include "graph/graph.h"

#include <cmath>

namespace atrous {

void Graph::link() {
  for (Value& v : values) {
    v.consumers.clear();
    if (v.kind == ValueKind::kNode) v.producer = -1;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].removed) continue;
    values[nodes[i].output].producer = static_cast<int>(i);
    for (int in : nodes[i].inputs) values[in].consumers.push_back(static_cast<int>(i));
  }
}

std::vector<TensorInfo> Graph::input_infos(const Node& n) const {
  std::vector<TensorInfo> infos;
  for (int in : n.inputs) infos.push_back(values[in].info);
  return infos;
}

namespace {

constexpr int64_t kMaxDim = int64_t(1) << 24;
constexpr int64_t kMaxElements = int64_t(1) << 31;

Status to_shape4(const std::vector<int64_t>& dims, const std::string& what, Shape4* out) {
  if (dims.size() > 4) return error(Code::kShapeMismatch, what, ": rank ", dims.size(), " is not supported (at most 4, NHWC)");
  int64_t d[4] = {1, 1, 1, 1};
  int64_t total = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] <= 0 || dims[i] > kMaxDim)
      return error(Code::kShapeMismatch, what, ": invalid shape ", shape_str(dims), " (dimensions must be 1..", kMaxDim, ")");
    d[4 - dims.size() + i] = dims[i];
    total *= dims[i];
    if (total > kMaxElements) return error(Code::kShapeMismatch, what, ": shape ", shape_str(dims), " is too large");
  }
  *out = {d[0], d[1], d[2], d[3]};
  return Status::ok();
}

}  // namespace

Status build_graph(const Descriptor& desc, std::vector<WeightData>&& weights, Graph* g) {
  if (desc.version != kDescriptorVersion)
    return error(Code::kUnsupported, "graph descriptor version ", desc.version, " is not supported (expected ",
                 kDescriptorVersion, ")");
  if (desc.outputs.empty()) return error(Code::kInvalidArgument, "graph has no outputs");
  const int nv = static_cast<int>(desc.values.size());
  g->values.resize(nv);
  std::vector<bool> weight_used(weights.size(), false);
  for (int i = 0; i < nv; ++i) {
    const ValueDesc& d = desc.values[i];
    Value& v = g->values[i];
    v.kind = d.kind;
    v.name = d.name;
    if (d.kind == ValueKind::kInput) {
      if (d.shape.size() != 4)
        return error(Code::kShapeMismatch, "input '", d.name, "': shape ", shape_str(d.shape), " must be [N, H, W, C]");
      ATROUS_RETURN_IF_ERROR(to_shape4(d.shape, str_cat("input '", d.name, "'"), &v.info.shape));
      if (d.dtype != DType::kFloat32) return error(Code::kInvalidArgument, "input '", d.name, "' must be float32");
    } else if (d.kind == ValueKind::kWeight) {
      if (d.weight < 0 || d.weight >= static_cast<int>(weights.size()) || weight_used[d.weight])
        return error(Code::kInvalidArgument, "weight '", d.name, "' has no data");
      weight_used[d.weight] = true;
      WeightData& w = weights[d.weight];
      if (w.shape != d.shape)
        return error(Code::kShapeMismatch, "weight '", d.name, "': data shape ", shape_str(w.shape), " differs from declared ",
                     shape_str(d.shape));
      ATROUS_RETURN_IF_ERROR(to_shape4(d.shape, str_cat("weight '", d.name, "'"), &v.info.shape));
      if (static_cast<int64_t>(w.data.size()) != v.info.shape.elements())
        return error(Code::kShapeMismatch, "weight '", d.name, "': ", w.data.size(), " values for shape ", shape_str(d.shape),
                     " (", v.info.shape.elements(), " expected)");
      for (size_t k = 0; k < w.data.size(); ++k)
        if (!std::isfinite(w.data[k]))
          return error(Code::kInvalidArgument, "weight '", d.name, "' holds a non-finite value (", w.data[k], ") at index ", k);
      v.weight = std::make_shared<WeightData>(std::move(w));
      v.info.weight = v.weight.get();
    }
  }
  for (int in : desc.inputs) {
    if (in < 0 || in >= nv || g->values[in].kind != ValueKind::kInput)
      return error(Code::kInvalidArgument, "graph input list refers to value ", in, ", which is not an input");
    g->inputs.push_back(in);
  }
  g->nodes.resize(desc.nodes.size());
  std::vector<bool> defined(nv, false);
  for (int i = 0; i < nv; ++i) defined[i] = g->values[i].kind != ValueKind::kNode;
  for (int i = 0; i < nv; ++i) {
    const ValueDesc& d = desc.values[i];
    if (d.kind != ValueKind::kNode) continue;
    if (d.node < 0 || d.node >= static_cast<int>(desc.nodes.size()) || g->nodes[d.node].output != -1)
      return error(Code::kInvalidArgument, "value ", i, " refers to node ", d.node, ", which does not exist or already has an output");
    g->nodes[d.node].output = i;
  }
  for (size_t ni = 0; ni < desc.nodes.size(); ++ni) {
    const NodeDesc& nd = desc.nodes[ni];
    Node& node = g->nodes[ni];
    if (node.output < 0) return error(Code::kInvalidArgument, "node '", nd.name, "' has no output value");
    ATROUS_RETURN_IF_ERROR(make_op(nd, &node.op));
    for (size_t k = 0; k < nd.inputs.size(); ++k) {
      int in = nd.inputs[k];
      if (in < 0 || in >= nv || !defined[in])
        return error(Code::kInvalidArgument, node.op->where(), ": input ", k, " refers to value ", in,
                     ", which is not defined before this node");
      if (node.op->input_must_be_constant(k) && !g->values[in].info.is_constant())
        return error(Code::kUnsupported, node.op->where(), ": input ", k, " must be a constant weight");
      node.inputs.push_back(in);
    }
    TensorInfo out;
    ATROUS_RETURN_IF_ERROR(node.op->infer(g->input_infos(node), &out));
    if (out.shape.elements() <= 0 || out.shape.elements() > kMaxElements || out.shape.h > kMaxDim || out.shape.w > kMaxDim)
      return error(Code::kShapeMismatch, node.op->where(), ": output shape ", out.shape.str(), " is empty or too large");
    out.weight = nullptr;
    g->values[node.output].info = out;
    g->values[node.output].name = nd.name;
    defined[node.output] = true;
  }
  for (const OutputDesc& o : desc.outputs) {
    if (o.value < 0 || o.value >= nv || g->values[o.value].kind == ValueKind::kWeight)
      return error(Code::kInvalidArgument, "output '", o.name, "' does not refer to an input or node value");
    g->values[o.value].is_graph_output = true;
    g->outputs.push_back(o);
  }
  g->link();
  return Status::ok();
}

}  // namespace atrous
