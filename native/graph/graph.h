// The in-memory graph built from a descriptor: values (inputs, constants, node outputs) and
// nodes with parsed ops, shape-inferred, then optimized by passes.cc.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/descriptor.h"
#include "ops/op.h"

namespace atrous {

struct Value {
  ValueKind kind = ValueKind::kNode;
  std::string name;
  TensorInfo info;
  std::shared_ptr<WeightData> weight;  // constants
  int producer = -1;                   // node index
  std::vector<int> consumers;          // node indices (recomputed by link())
  bool is_graph_output = false;
};

struct Node {
  std::unique_ptr<Op> op;
  std::vector<int> inputs;  // value ids
  int output = -1;
  bool removed = false;
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;
  std::vector<OutputDesc> outputs;

  void link();  // recompute producers/consumers of live nodes
  std::vector<TensorInfo> input_infos(const Node& n) const;
};

// Validates the descriptor, checks every weight (shape, size, finite values) and infers shapes.
Status build_graph(const Descriptor& desc, std::vector<WeightData>&& weights, Graph* g);

// BN folding into conv, activation fusion into conv / binary ops, dead-node removal; `for_cpu`
// adds the rewrites that pay on the CPU (with `threads` threads): MobileNetV2 blocks become
// inverted_residual nodes (a CPU-only kernel), image pooling leaves the head's projection conv.
Status optimize_graph(Graph* g, bool for_cpu = false, int threads = 1);

}  // namespace atrous
