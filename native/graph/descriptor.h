// The graph descriptor as it crosses from JavaScript: plain data, converted once by the addon.
// Version 1. Values are numbered; a node's output is a value; nodes are in topological order.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace atrous {

constexpr int kDescriptorVersion = 1;

struct ParamValue {
  enum class Kind { kNumber, kString, kBool, kNumbers } kind = Kind::kNumber;
  double number = 0;
  std::string text;
  bool flag = false;
  std::vector<double> numbers;
};

using ParamMap = std::map<std::string, ParamValue>;

struct NodeDesc {
  std::string op;
  std::string name;
  std::vector<int> inputs;  // value ids
  ParamMap params;
};

enum class ValueKind { kInput, kWeight, kNode };

struct ValueDesc {
  ValueKind kind = ValueKind::kNode;
  std::string name;
  std::vector<int64_t> shape;  // inputs and weights; nodes get theirs by inference
  DType dtype = DType::kFloat32;
  int node = -1;               // for kNode
  int weight = -1;             // for kWeight: index into the weight data list
};

struct OutputDesc {
  std::string name;
  int value = -1;
};

struct Descriptor {
  int version = 0;
  std::vector<ValueDesc> values;
  std::vector<NodeDesc> nodes;
  std::vector<int> inputs;  // value ids of kind kInput, in run() order
  std::vector<OutputDesc> outputs;
};

// Weight data supplied with the descriptor (copied in, owned natively).
struct WeightData {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

}  // namespace atrous
