// Graph rewrites done once at compile.
#include <algorithm>
#include <cmath>

#include "graph/graph.h"
#include "ops/batch_norm.h"
#include "ops/binary.h"
#include "ops/clip.h"
#include "ops/conv2d.h"
#include "ops/inverted_residual.h"

namespace atrous {

namespace {

// The node producing `value` if it is an op of type T that only `value`'s single consumer reads.
template <typename T>
T* sole_producer(Graph* g, int value) {
  const Value& v = g->values[value];
  if (v.producer < 0 || v.consumers.size() != 1 || v.is_graph_output) return nullptr;
  return dynamic_cast<T*>(g->nodes[v.producer].op.get());
}

// Makes `consumer`'s output the producer's output and drops the consumer.
void bypass(Graph* g, int producer, int consumer) {
  g->nodes[producer].output = g->nodes[consumer].output;
  g->nodes[consumer].removed = true;
  g->link();
}

// Adds a constant value (folded weights) and returns its id.
int add_constant(Graph* g, std::shared_ptr<WeightData> data, const std::string& name, Shape4 shape) {
  Value v;
  v.kind = ValueKind::kWeight;
  v.name = name;
  v.weight = std::move(data);
  v.info.shape = shape;
  v.info.weight = v.weight.get();
  g->values.push_back(std::move(v));
  return static_cast<int>(g->values.size()) - 1;
}

// Replaces the conv's weight and bias by those of (scale[o] * conv + shift[o]) and makes the conv
// produce `consumer`'s output, dropping `consumer`.
void fold_affine(Graph* g, int conv_index, int consumer, const std::vector<double>& scale, const std::vector<double>& shift) {
  Node& conv_node = g->nodes[conv_index];
  const Value& w_val = g->values[conv_node.inputs[1]];
  const std::string w_name = w_val.name, bias_name = g->nodes[consumer].op->name + ":folded_bias";
  const Shape4 w_shape = w_val.info.shape;
  auto w = std::make_shared<WeightData>(*w_val.weight);
  auto b = std::make_shared<WeightData>();
  const int64_t cout = static_cast<int64_t>(scale.size()), per_out = static_cast<int64_t>(w->data.size()) / cout;
  b->shape = {cout};
  b->data.assign(cout, 0.f);
  if (conv_node.inputs.size() == 3) b->data = g->values[conv_node.inputs[2]].weight->data;
  for (int64_t o = 0; o < cout; ++o) {
    for (int64_t k = 0; k < per_out; ++k) w->data[o * per_out + k] = static_cast<float>(w->data[o * per_out + k] * scale[o]);
    b->data[o] = static_cast<float>(b->data[o] * scale[o] + shift[o]);
  }
  const int w_id = add_constant(g, w, w_name + ":folded", w_shape);
  const int b_id = add_constant(g, b, bias_name, Shape4{1, 1, 1, cout});
  g->nodes[conv_index].inputs = {g->nodes[conv_index].inputs[0], w_id, b_id};
  bypass(g, conv_index, consumer);
}

// conv → batch_norm, in its affine form (BatchNormOp::affine).
void fold_batch_norms(Graph* g) {
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    Node& bn_node = g->nodes[i];
    auto* bn = bn_node.removed ? nullptr : dynamic_cast<BatchNormOp*>(bn_node.op.get());
    if (!bn) continue;
    const int conv_index = g->values[bn_node.inputs[0]].producer;
    auto* conv = sole_producer<Conv2dOp>(g, bn_node.inputs[0]);
    if (!conv || !conv->activation.is_identity()) continue;
    std::vector<double> scale, shift;
    bn->affine(g->input_infos(bn_node), &scale, &shift);
    fold_affine(g, conv_index, static_cast<int>(i), scale, shift);
  }
}

// A per-channel (or scalar) constant operand of a binary op: its values broadcast over [C].
const WeightData* channel_constant(const Graph& g, const Node& n, int64_t channels, int* activation_input) {
  for (int side = 0; side < 2; ++side) {
    const Value& k = g.values[n.inputs[side]];
    const Value& x = g.values[n.inputs[1 - side]];
    if (!k.info.is_constant() || x.info.is_constant()) continue;
    const Shape4& s = k.info.shape;
    if (s.n != 1 || s.h != 1 || s.w != 1 || (s.c != channels && s.c != 1)) return nullptr;
    *activation_input = 1 - side;
    return k.weight.get();
  }
  return nullptr;
}

// conv → mul / add / sub by a per-channel constant (how TF graphs often spell batch norm) folds into
// the conv's weights and bias: mul scales both, add/sub shift the bias.
void fold_affine_into_conv(Graph* g) {
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    Node& node = g->nodes[i];
    auto* bin = node.removed ? nullptr : dynamic_cast<BinaryOp*>(node.op.get());
    if (!bin || !bin->activation.is_identity()) continue;
    int x_side = -1;
    const int64_t channels = g->values[node.output].info.shape.c;
    const WeightData* k = channel_constant(*g, node, channels, &x_side);
    if (!k) continue;
    // sub with the constant first (k - x) negates x: not an affine fold we do.
    if (bin->kind == BinaryOp::Kind::kSub && x_side != 0) continue;
    const int conv_index = g->values[node.inputs[x_side]].producer;
    auto* conv = sole_producer<Conv2dOp>(g, node.inputs[x_side]);
    if (!conv || !conv->activation.is_identity() || g->values[node.output].info.shape != g->values[node.inputs[x_side]].info.shape)
      continue;
    std::vector<double> scale(conv->out_channels, 1.0), shift(conv->out_channels, 0.0);
    for (int64_t o = 0; o < conv->out_channels; ++o) {
      const double kv = k->data[k->data.size() == 1 ? 0 : o];
      if (bin->kind == BinaryOp::Kind::kMul) scale[o] = kv;
      else shift[o] = bin->kind == BinaryOp::Kind::kAdd ? kv : -kv;
    }
    fold_affine(g, conv_index, static_cast<int>(i), scale, shift);
  }
}

Activation* fusable_activation(Op* op) {
  if (auto* c = dynamic_cast<Conv2dOp*>(op)) return &c->activation;
  if (auto* b = dynamic_cast<BinaryOp*>(op)) return &b->activation;
  return nullptr;
}

void fuse_activations(Graph* g) {
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    Node& clip_node = g->nodes[i];
    if (clip_node.removed || !dynamic_cast<ClipOp*>(clip_node.op.get())) continue;
    const Activation range = static_cast<ClipOp*>(clip_node.op.get())->range;
    int producer = g->values[clip_node.inputs[0]].producer;
    if (!sole_producer<Op>(g, clip_node.inputs[0])) continue;
    Activation* act = fusable_activation(g->nodes[producer].op.get());
    if (!act) continue;
    float lo = std::max(act->min, range.min), hi = std::min(act->max, range.max);
    if (lo > hi) continue;  // disjoint ranges: keep both ops, the result is a constant anyway
    act->min = lo, act->max = hi;
    bypass(g, producer, static_cast<int>(i));
  }
}

// expand 1x1 -> depthwise 3x3 -> project 1x1 (-> + the block input) becomes one
// inverted_residual node, run by one CPU kernel (only the CPU backend has it).
void fuse_inverted_residuals(Graph* g) {
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& dw_node = g->nodes[i];
    auto* dw = dw_node.removed ? nullptr : dynamic_cast<Conv2dOp*>(dw_node.op.get());
    if (!dw || !dw->is_depthwise() || dw_node.inputs.size() != 3) continue;
    auto* expand = sole_producer<Conv2dOp>(g, dw_node.inputs[0]);
    const Value& filtered = g->values[dw_node.output];
    if (!expand || filtered.consumers.size() != 1 || filtered.is_graph_output) continue;
    const int expand_index = g->values[dw_node.inputs[0]].producer, project_index = filtered.consumers[0];
    const Node& expand_node = g->nodes[expand_index];
    const Node& project_node = g->nodes[project_index];
    auto* project = dynamic_cast<Conv2dOp*>(project_node.op.get());
    if (!project || expand_node.inputs.size() != 3 || project_node.inputs.size() < 2 || project_node.inputs[0] != dw_node.output ||
        !InvertedResidualOp::fusable(*expand, *dw, *project))
      continue;
    auto block = std::make_unique<InvertedResidualOp>();
    block->name = expand->name + " .. " + project->name;
    block->expand = *expand, block->depthwise = *dw, block->project = *project;
    const int x = expand_node.inputs[0];
    std::vector<int> inputs = {x, expand_node.inputs[1], expand_node.inputs[2], dw_node.inputs[1], dw_node.inputs[2],
                               project_node.inputs[1]};
    int project_bias = project_node.inputs.size() == 3 ? project_node.inputs[2] : -1;
    std::vector<int> absorbed = {expand_index, static_cast<int>(i), project_index};
    // The node that reads `value` alone, when it is an add.
    auto sole_add = [&](int value) -> int {
      const Value& v = g->values[value];
      if (v.consumers.size() != 1 || v.is_graph_output) return -1;
      auto* add = dynamic_cast<BinaryOp*>(g->nodes[v.consumers[0]].op.get());
      return add && add->kind == BinaryOp::Kind::kAdd ? v.consumers[0] : -1;
    };
    const int64_t cout = project->out_channels;
    const int add_index = sole_add(project_node.output);
    if (add_index >= 0 && g->values[x].info.shape == g->values[project_node.output].info.shape) {
      const Node& add_node = g->nodes[add_index];
      const std::vector<int> pair = {project_node.output, x}, swapped = {x, project_node.output};
      if (add_node.inputs == pair || add_node.inputs == swapped) {
        block->residual = true;
        block->residual_activation = static_cast<BinaryOp*>(add_node.op.get())->activation;
        absorbed.push_back(add_index);
        // TF graphs may add the project's batch-norm offset after the residual: (x + p) + b,
        // taken here as x + (p + b).
        const bool foldable = project_bias < 0 && project->activation.is_identity() && block->residual_activation.is_identity();
        const int bias_index = foldable ? sole_add(add_node.output) : -1;
        int side = -1;
        const WeightData* k = bias_index >= 0 ? channel_constant(*g, g->nodes[bias_index], cout, &side) : nullptr;
        if (k && g->nodes[bias_index].inputs[side] == add_node.output) {
          auto b = std::make_shared<WeightData>();
          b->shape = {cout};
          for (int64_t o = 0; o < cout; ++o) b->data.push_back(k->data[k->data.size() == 1 ? 0 : o]);
          project_bias = add_constant(g, b, g->nodes[bias_index].op->name + ":project_bias", Shape4{1, 1, 1, cout});
          block->residual_activation = static_cast<BinaryOp*>(g->nodes[bias_index].op.get())->activation;
          absorbed.push_back(bias_index);
        }
      }
    }
    if (project_bias < 0) {
      auto b = std::make_shared<WeightData>();
      b->shape = {cout};
      b->data.assign(cout, 0.f);
      project_bias = add_constant(g, b, project->name + ":zero_bias", Shape4{1, 1, 1, cout});
    }
    inputs.push_back(project_bias);
    Node fused;
    fused.op = std::move(block);
    fused.inputs = std::move(inputs);
    const int last = absorbed.back();
    fused.output = g->nodes[last].output;
    for (int n : absorbed) g->nodes[n].removed = true;
    g->nodes[last] = std::move(fused);  // after every producer of its inputs
    g->link();
  }
}

void remove_dead_nodes(Graph* g) {
  std::vector<bool> live(g->values.size(), false);
  for (const OutputDesc& o : g->outputs) live[o.value] = true;
  for (size_t i = g->nodes.size(); i-- > 0;) {
    Node& n = g->nodes[i];
    if (n.removed) continue;
    if (!live[n.output]) {
      n.removed = true;
      continue;
    }
    for (int in : n.inputs) live[in] = true;
  }
  g->link();
}

}  // namespace

Status optimize_graph(Graph* g, bool fuse_cpu_blocks) {
  remove_dead_nodes(g);
  fold_batch_norms(g);
  fold_affine_into_conv(g);
  fuse_activations(g);
  if (fuse_cpu_blocks) fuse_inverted_residuals(g);
  remove_dead_nodes(g);
  return Status::ok();
}

}  // namespace atrous
