// Graph rewrites done once at compile.
#include <algorithm>
#include <cmath>

#include "graph/graph.h"
#include "ops/batch_norm.h"
#include "ops/binary.h"
#include "ops/clip.h"
#include "ops/concat.h"
#include "ops/conv2d.h"
#include "ops/inverted_residual.h"
#include "ops/resize_bilinear.h"

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

// Adds a per-output-channel bias constant (stored [Cout], shaped 1x1x1xCout) and returns its id.
int add_bias(Graph* g, std::vector<float> values, const std::string& name) {
  auto b = std::make_shared<WeightData>();
  const int64_t cout = static_cast<int64_t>(values.size());
  b->shape = {cout};
  b->data = std::move(values);
  return add_constant(g, b, name, Shape4{1, 1, 1, cout});
}

// Replaces the conv's weight and bias by those of (scale[o] * conv + shift[o]) and makes the conv
// produce `consumer`'s output, dropping `consumer`.
void fold_affine(Graph* g, int conv_index, int consumer, const std::vector<double>& scale, const std::vector<double>& shift) {
  Node& conv_node = g->nodes[conv_index];
  const Value& w_val = g->values[conv_node.inputs[1]];
  const std::string w_name = w_val.name, bias_name = g->nodes[consumer].op->name + ":folded_bias";
  const Shape4 w_shape = w_val.info.shape;
  auto w = std::make_shared<WeightData>(*w_val.weight);
  const int64_t cout = static_cast<int64_t>(scale.size()), per_out = static_cast<int64_t>(w->data.size()) / cout;
  std::vector<float> bias(static_cast<size_t>(cout), 0.f);
  if (conv_node.inputs.size() == 3) bias = g->values[conv_node.inputs[2]].weight->data;
  for (int64_t o = 0; o < cout; ++o) {
    for (int64_t k = 0; k < per_out; ++k) w->data[o * per_out + k] = static_cast<float>(w->data[o * per_out + k] * scale[o]);
    bias[o] = static_cast<float>(bias[o] * scale[o] + shift[o]);
  }
  const int w_id = add_constant(g, w, w_name + ":folded", w_shape);
  const int b_id = add_bias(g, std::move(bias), bias_name);
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
// inverted_residual node, run by one CPU kernel (only the CPU backend has it). The kernel's
// threads take chains of output rows, and a chain cut short re-expands two input rows; so a
// block is fused only when chains of at least kMinChainRows rows give every thread one (else,
// with many cores, the separate convs keep them all busy).
void fuse_inverted_residuals(Graph* g, int threads) {
  constexpr int64_t kMinChainRows = 8;
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& dw_node = g->nodes[i];
    auto* dw = dw_node.removed ? nullptr : dynamic_cast<Conv2dOp*>(dw_node.op.get());
    if (!dw || !dw->is_depthwise() || dw_node.inputs.size() != 3) continue;
    const Shape4 out = g->values[dw_node.output].info.shape;
    const int64_t phases = dw->window.sh == 1 ? std::min(dw->window.dh, out.h) : 1;
    if (out.n * phases * std::max<int64_t>(1, out.h / phases / kMinChainRows) < threads) continue;
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
    if (g->values[x].info.is_constant()) continue;  // the kernel takes x at run()
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
          std::vector<float> bias;
          for (int64_t o = 0; o < cout; ++o) bias.push_back(k->data[k->data.size() == 1 ? 0 : o]);
          project_bias = add_bias(g, std::move(bias), g->nodes[bias_index].op->name + ":project_bias");
          block->residual_activation = static_cast<BinaryOp*>(g->nodes[bias_index].op.get())->activation;
          absorbed.push_back(bias_index);
        }
      }
    }
    if (project_bias < 0) project_bias = add_bias(g, std::vector<float>(static_cast<size_t>(cout), 0.f), project->name + ":zero_bias");
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

// Adds a node output value and returns its id.
int add_node_value(Graph* g, const std::string& name, const TensorInfo& info) {
  Value v;
  v.kind = ValueKind::kNode;
  v.name = name;
  v.info = info;
  g->values.push_back(std::move(v));
  return static_cast<int>(g->values.size()) - 1;
}

// A 1x1 conv over concat(..., resize(P), ...) where P is a 1x1 map (DeepLab's image pooling:
// resizing copies it to every pixel): W * concat = W_rest * concat(rest) + W_P * P, and the second
// term is one [N,1,1,Cout] vector per image. So the big conv reads only the other branches and a
// 1x1 conv on P plus a broadcast add (with the conv's bias and activation) supply the rest:
// K shrinks by P's channels (half of the DeepLabV3 mobile head's projection).
void split_pooled_projections(Graph* g) {
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    auto* conv = g->nodes[i].removed ? nullptr : dynamic_cast<Conv2dOp*>(g->nodes[i].op.get());
    if (!conv || conv->groups != 1 || !InvertedResidualOp::pointwise(*conv)) continue;
    const int concat_index = g->values[g->nodes[i].inputs[0]].producer;
    if (!sole_producer<ConcatOp>(g, g->nodes[i].inputs[0])) continue;
    const std::vector<int> parts = g->nodes[concat_index].inputs;
    int pooled = -1;  // index into parts
    int64_t pooled_offset = 0, offset = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
      const Value& v = g->values[parts[p]];
      const bool resized = v.producer >= 0 && dynamic_cast<ResizeBilinearOp*>(g->nodes[v.producer].op.get());
      const Shape4 src = resized ? g->values[g->nodes[v.producer].inputs[0]].info.shape : Shape4{};
      const bool map = resized && src.h == 1 && src.w == 1 && !g->values[g->nodes[v.producer].inputs[0]].info.is_constant();
      if (pooled < 0 && map && std::count(parts.begin(), parts.end(), parts[p]) == 1)
        pooled = static_cast<int>(p), pooled_offset = offset;
      offset += v.info.shape.c;
    }
    if (pooled < 0 || parts.size() < 2) continue;
    const Node conv_node = {nullptr, g->nodes[i].inputs, g->nodes[i].output, false};
    const int pooled_map = g->nodes[g->values[parts[pooled]].producer].inputs[0];
    const int64_t cin = conv->in_channels, cout = conv->out_channels, cp = g->values[parts[pooled]].info.shape.c;
    const WeightData& w = *g->values[conv_node.inputs[1]].weight;
    auto w_rest = std::make_shared<WeightData>(), w_pooled = std::make_shared<WeightData>();
    w_rest->shape = {cout, 1, 1, cin - cp};
    w_pooled->shape = {cout, 1, 1, cp};
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t c = 0; c < cin; ++c) {
        const bool in_pooled = c >= pooled_offset && c < pooled_offset + cp;
        (in_pooled ? w_pooled : w_rest)->data.push_back(w.data[o * cin + c]);
      }
    const std::string name = conv->name;
    std::vector<Node> added;
    auto add = [&](std::unique_ptr<Op> op, std::vector<int> inputs, const std::string& out_name) {
      Node n;
      n.op = std::move(op);
      n.op->name = out_name;
      n.inputs = std::move(inputs);
      TensorInfo info;
      std::vector<TensorInfo> infos;
      for (int in : n.inputs) infos.push_back(g->values[in].info);
      (void)n.op->infer(infos, &info);  // the shapes follow from ones already checked
      n.output = add_node_value(g, out_name, info);
      added.push_back(std::move(n));
      return added.back().output;
    };
    std::vector<int> rest;
    for (size_t p = 0; p < parts.size(); ++p)
      if (static_cast<int>(p) != pooled) rest.push_back(parts[p]);
    int rest_in = rest[0];
    if (rest.size() > 1) rest_in = add(std::make_unique<ConcatOp>(), rest, name + ":rest_concat");
    auto rest_conv = std::make_unique<Conv2dOp>(*conv);
    rest_conv->activation = Activation{};
    const int w_rest_id = add_constant(g, w_rest, name + ":rest_weight", Shape4{cout, 1, 1, cin - cp});
    const int rest_out = add(std::move(rest_conv), {rest_in, w_rest_id}, name + ":rest");
    auto pooled_conv = std::make_unique<Conv2dOp>(*conv);
    pooled_conv->activation = Activation{};
    std::vector<int> pooled_inputs = {pooled_map, add_constant(g, w_pooled, name + ":pooled_weight", Shape4{cout, 1, 1, cp})};
    if (conv_node.inputs.size() == 3) pooled_inputs.push_back(conv_node.inputs[2]);
    const int pooled_out = add(std::move(pooled_conv), pooled_inputs, name + ":pooled");
    auto sum = std::make_unique<BinaryOp>();
    sum->kind = BinaryOp::Kind::kAdd;
    sum->activation = conv->activation;
    sum->name = name + ":sum";
    Node sum_node;
    sum_node.op = std::move(sum);
    sum_node.inputs = {rest_out, pooled_out};
    sum_node.output = conv_node.output;
    g->nodes[concat_index].removed = true;  // read only by this conv
    g->nodes[i] = std::move(sum_node);
    const size_t count = added.size();
    g->nodes.insert(g->nodes.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(added.begin()),
                    std::make_move_iterator(added.end()));
    i += count;
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

Status optimize_graph(Graph* g, bool for_cpu, int threads) {
  remove_dead_nodes(g);
  fold_batch_norms(g);
  fold_affine_into_conv(g);
  fuse_activations(g);
  if (for_cpu) {
    fuse_inverted_residuals(g, threads);
    split_pooled_projections(g);
  }
  remove_dead_nodes(g);
  return Status::ok();
}

}  // namespace atrous
