// Status: the only way native code reports failure. Nothing here throws or aborts on user data.
#pragma once
#include <sstream>
#include <string>
#include <utility>

namespace atrous {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kShapeMismatch,
  kUnsupported,
  kParseError,
  kOutOfMemory,
  kAborted,
  kDisposed,
  kDeviceError,
  kInternal,
};

// Stable names; they are the `code` of AtrousError in JavaScript.
inline const char* code_name(Code c) {
  switch (c) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "INVALID_ARGUMENT";
    case Code::kShapeMismatch: return "SHAPE_MISMATCH";
    case Code::kUnsupported: return "UNSUPPORTED";
    case Code::kParseError: return "PARSE_ERROR";
    case Code::kOutOfMemory: return "OUT_OF_MEMORY";
    case Code::kAborted: return "ABORTED";
    case Code::kDisposed: return "DISPOSED";
    case Code::kDeviceError: return "DEVICE_ERROR";
    case Code::kInternal: return "INTERNAL";
  }
  return "INTERNAL";
}

template <typename... Parts>
std::string str_cat(Parts&&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename... Parts>
Status error(Code code, Parts&&... parts) {
  return Status(code, str_cat(std::forward<Parts>(parts)...));
}

#define ATROUS_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::atrous::Status atrous_status_ = (expr);   \
    if (!atrous_status_.is_ok()) return atrous_status_; \
  } while (0)

// Runs `fn` (returning Status) and turns any C++ exception into a Status, so that
// nothing escapes into N-API or a worker thread.
template <typename Fn>
Status guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return error(Code::kOutOfMemory, "out of memory");
  } catch (const std::exception& e) {
    return error(Code::kInternal, "internal error: ", e.what());
  } catch (...) {
    return error(Code::kInternal, "internal error: unknown exception");
  }
}

}  // namespace atrous
