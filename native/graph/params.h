// Typed, validated access to a node's params. Every error names the node, the op and the param.
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include "graph/descriptor.h"

namespace atrous {

class ParamReader {
 public:
  ParamReader(const NodeDesc& node) : node_(node) {}

  const NodeDesc& node() const { return node_; }
  std::string where() const;  // "node 'name' (op)"

  Status get_int(const char* key, int64_t fallback, int64_t* out, int64_t min_value) const;
  Status get_float(const char* key, double fallback, double* out) const;
  Status get_bool(const char* key, bool fallback, bool* out) const;
  Status get_ints(const char* key, size_t count, std::vector<int64_t> fallback,
                  std::vector<int64_t>* out, int64_t min_value) const;
  Status get_enum(const char* key, std::initializer_list<const char*> allowed, const char* fallback,
                  std::string* out) const;
  bool has(const char* key) const { return node_.params.count(key) != 0; }
  const ParamValue* find(const char* key) const;

  // Rejects params the op does not know, so typos do not pass silently.
  Status only(std::initializer_list<const char*> known) const;

  template <typename... Parts>
  Status invalid(Parts&&... parts) const {
    return error(Code::kInvalidArgument, where(), ": ", std::forward<Parts>(parts)...);
  }

 private:
  const NodeDesc& node_;
};

}  // namespace atrous
