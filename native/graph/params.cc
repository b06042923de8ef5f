#include "graph/params.h"

#include <cmath>

namespace atrous {

namespace {
std::string numbers_str(const std::vector<double>& v) {
  std::string r = "[";
  for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + str_cat(v[i]);
  return r + "]";
}
bool is_integer(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9e15; }
}  // namespace

std::string ParamReader::where() const { return str_cat("node '", node_.name, "' (", node_.op, ")"); }

const ParamValue* ParamReader::find(const char* key) const {
  auto it = node_.params.find(key);
  return it == node_.params.end() ? nullptr : &it->second;
}

Status ParamReader::only(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : node_.params) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return invalid("unknown param '", key, "'");
  }
  return Status::ok();
}

Status ParamReader::get_int(const char* key, int64_t fallback, int64_t* out, int64_t min_value) const {
  const ParamValue* v = find(key);
  if (!v) {
    *out = fallback;
    return Status::ok();
  }
  if (v->kind != ParamValue::Kind::kNumber || !is_integer(v->number))
    return invalid("param '", key, "' must be an integer");
  if (v->number < static_cast<double>(min_value))
    return invalid("param '", key, "' must be >= ", min_value, ", got ", v->number);
  *out = static_cast<int64_t>(v->number);
  return Status::ok();
}

Status ParamReader::get_float(const char* key, double fallback, double* out) const {
  const ParamValue* v = find(key);
  if (!v) {
    *out = fallback;
    return Status::ok();
  }
  if (v->kind != ParamValue::Kind::kNumber || std::isnan(v->number))
    return invalid("param '", key, "' must be a number");
  *out = v->number;
  return Status::ok();
}

Status ParamReader::get_bool(const char* key, bool fallback, bool* out) const {
  const ParamValue* v = find(key);
  if (!v) {
    *out = fallback;
    return Status::ok();
  }
  if (v->kind != ParamValue::Kind::kBool) return invalid("param '", key, "' must be a boolean");
  *out = v->flag;
  return Status::ok();
}

Status ParamReader::get_ints(const char* key, size_t count, std::vector<int64_t> fallback,
                             std::vector<int64_t>* out, int64_t min_value) const {
  const ParamValue* v = find(key);
  if (!v) {
    *out = std::move(fallback);
    return Status::ok();
  }
  if (v->kind != ParamValue::Kind::kNumbers || (count && v->numbers.size() != count))
    return invalid("param '", key, "' must be a list of ", count, " integers");
  out->clear();
  for (double d : v->numbers) {
    if (!is_integer(d) || d < static_cast<double>(min_value))
      return invalid("param '", key, "' must hold integers >= ", min_value, ", got ",
                     numbers_str(v->numbers));
    out->push_back(static_cast<int64_t>(d));
  }
  return Status::ok();
}

Status ParamReader::get_enum(const char* key, std::initializer_list<const char*> allowed,
                             const char* fallback, std::string* out) const {
  const ParamValue* v = find(key);
  if (!v) {
    *out = fallback;
    return Status::ok();
  }
  std::string names;
  for (const char* a : allowed) {
    if (v->kind == ParamValue::Kind::kString && v->text == a) {
      *out = a;
      return Status::ok();
    }
    names += names.empty() ? a : std::string(", ") + a;
  }
  return invalid("param '", key, "' must be one of ", names,
                 v->kind == ParamValue::Kind::kString ? str_cat(", got '", v->text, "'") : "");
}

}  // namespace atrous
