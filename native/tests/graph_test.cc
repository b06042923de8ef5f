// Graph-level checks that need no N-API: planner aliasing, BN folding, bad descriptors.
#include "graph/executor.h"
#include "tests/harness.h"

namespace atrous {

namespace {
ParamValue num(double v) { ParamValue p; p.kind = ParamValue::Kind::kNumber; p.number = v; return p; }
ParamValue text(const char* s) { ParamValue p; p.kind = ParamValue::Kind::kString; p.text = s; return p; }
ParamValue nums(std::vector<double> v) { ParamValue p; p.kind = ParamValue::Kind::kNumbers; p.numbers = std::move(v); return p; }
}  // namespace

ATROUS_TEST(graph, rejects_negative_dilation) {
  Descriptor d;
  d.version = kDescriptorVersion;
  d.values.push_back({ValueKind::kInput, "x", {1, 4, 4, 1}, DType::kFloat32, -1, -1});
  d.values.push_back({ValueKind::kWeight, "w", {1, 3, 3, 1}, DType::kFloat32, -1, 0});
  d.values.push_back({ValueKind::kNode, "y", {}, DType::kFloat32, 0, -1});
  d.inputs = {0};
  NodeDesc n{"conv2d", "conv", {0, 1}, {}};
  n.params["dilations"] = nums({-1, 2});
  n.params["padding"] = text("same");
  d.nodes.push_back(n);
  d.outputs.push_back({"y", 2});
  std::vector<WeightData> w(1);
  w[0].shape = {1, 3, 3, 1};
  w[0].data.assign(9, 1.f);
  std::unique_ptr<CompiledModel> m;
  Status s = CompiledModel::compile(d, std::move(w), {}, &m);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_MSG(s.message().find("dilations") != std::string::npos, s.message());
  (void)num;
}

}  // namespace atrous
