#include "graph/planner.h"

#include <algorithm>

#include "ops/concat.h"

namespace atrous {

namespace {
constexpr int64_t kAlign = 16;  // floats (64 bytes)
}

Status plan_memory(const Graph& g, MemoryPlan* plan) {
  const int nv = static_cast<int>(g.values.size());
  plan->values.assign(nv, Placement{});
  plan->order.clear();
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!g.nodes[i].removed) plan->order.push_back(static_cast<int>(i));
  std::vector<int> step_of(g.nodes.size(), -1);
  for (size_t s = 0; s < plan->order.size(); ++s) step_of[plan->order[s]] = static_cast<int>(s);

  // Alias concat inputs into their concat's buffer: parent[v] = concat output, at channel offset.
  std::vector<int> parent(nv, -1);
  std::vector<int64_t> parent_offset(nv, 0);
  for (int ni : plan->order) {
    const Node& n = g.nodes[ni];
    if (!dynamic_cast<const ConcatOp*>(n.op.get())) continue;
    int64_t c = 0;
    for (int in : n.inputs) {
      const Value& v = g.values[in];
      bool once = std::count(n.inputs.begin(), n.inputs.end(), in) == 1;
      if (v.kind == ValueKind::kNode && !v.is_graph_output && parent[in] == -1 && once && v.consumers.size() == 1) {
        parent[in] = n.output;
        parent_offset[in] = c;
      }
      c += v.info.shape.c;
    }
  }
  auto root_of = [&](int v, int64_t* channel) {
    *channel = 0;
    while (parent[v] != -1) {
      *channel += parent_offset[v];
      v = parent[v];
    }
    return v;
  };

  // Output and input values keep their own buffers.
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    Placement& p = plan->values[g.inputs[i]];
    p.where = Placement::Where::kInput, p.index = static_cast<int>(i), p.pixel_stride = g.values[g.inputs[i]].info.shape.c;
  }
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    Placement& p = plan->values[g.outputs[i].value];
    if (p.where != Placement::Where::kNone) continue;  // an input, or listed twice: copied at the end
    p.where = Placement::Where::kOutput, p.index = static_cast<int>(i), p.pixel_stride = g.values[g.outputs[i].value].info.shape.c;
  }

  // Lifetimes of root buffers, in steps.
  std::vector<int> first(nv, 1 << 30), last(nv, -1);
  for (int ni : plan->order) {
    const Node& n = g.nodes[ni];
    int s = step_of[ni];
    int64_t ch;
    int r = root_of(n.output, &ch);
    first[r] = std::min(first[r], s), last[r] = std::max(last[r], s);
    for (int in : n.inputs) {
      r = root_of(in, &ch);
      first[r] = std::min(first[r], s), last[r] = std::max(last[r], s);
    }
  }
  struct Buffer {
    int value;
    int64_t size;
  };
  std::vector<Buffer> buffers;
  for (int v = 0; v < nv; ++v) {
    if (g.values[v].kind != ValueKind::kNode || parent[v] != -1 || last[v] < 0) continue;
    if (plan->values[v].where != Placement::Where::kNone) continue;
    int64_t size = (g.values[v].info.shape.elements() + kAlign - 1) / kAlign * kAlign;
    buffers.push_back({v, size});
  }
  std::sort(buffers.begin(), buffers.end(), [](const Buffer& a, const Buffer& b) {
    return a.size != b.size ? a.size > b.size : a.value < b.value;
  });
  struct Placed {
    int64_t offset, size;
    int first, last;
  };
  std::vector<Placed> placed;
  int64_t arena = 0;
  for (const Buffer& b : buffers) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const Placed& p : placed)
      if (!(p.last < first[b.value] || last[b.value] < p.first)) busy.push_back({p.offset, p.offset + p.size});
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (auto& [lo, hi] : busy) {
      if (offset + b.size <= lo) break;
      offset = std::max(offset, hi);
    }
    placed.push_back({offset, b.size, first[b.value], last[b.value]});
    Placement& p = plan->values[b.value];
    p.where = Placement::Where::kArena, p.offset = offset, p.pixel_stride = g.values[b.value].info.shape.c;
    arena = std::max(arena, offset + b.size);
  }
  // Aliased values take their root's placement with a channel offset and the root's stride.
  for (int v = 0; v < nv; ++v) {
    if (parent[v] == -1) continue;
    int64_t ch;
    int r = root_of(v, &ch);
    plan->values[v] = plan->values[r];
    plan->values[v].channel_offset = plan->values[r].channel_offset + ch;
  }
  plan->arena_elements = arena;
  return Status::ok();
}

}  // namespace atrous
