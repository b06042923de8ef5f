// Memory planning: where every activation lives during a run.
#pragma once
#include <vector>

#include "graph/graph.h"

namespace atrous {

struct Placement {
  enum class Where { kNone, kInput, kOutput, kArena } where = Where::kNone;
  int index = 0;              // input / output position
  int64_t offset = 0;         // arena: element offset of the buffer
  int64_t channel_offset = 0; // slice start inside a concat's buffer
  int64_t pixel_stride = 0;
};

struct MemoryPlan {
  std::vector<Placement> values;  // per value id
  int64_t arena_elements = 0;
  std::vector<int> order;         // live node indices in execution order
  // Nodes whose output aliases a concat slice: their kernels must write strided views.
};

// Concat inputs become slices of the concat's buffer where safe; buffers whose lifetimes do not
// overlap share arena space.
Status plan_memory(const Graph& g, MemoryPlan* plan);

}  // namespace atrous
