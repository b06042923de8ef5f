// Shapes and views. Activations are NHWC float32 (int32 for argmax labels); a view may
// address a channel slice of a wider buffer through `pixel_stride` (concat in place).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace atrous {

enum class DType { kFloat32 = 0, kInt32 = 1 };

inline const char* dtype_name(DType d) { return d == DType::kFloat32 ? "float32" : "int32"; }

struct Shape4 {
  int64_t n = 0, h = 0, w = 0, c = 0;
  int64_t elements() const { return n * h * w * c; }
  bool operator==(const Shape4& o) const { return n == o.n && h == o.h && w == o.w && c == o.c; }
  bool operator!=(const Shape4& o) const { return !(*this == o); }
  std::string str() const {
    return "[" + std::to_string(n) + ", " + std::to_string(h) + ", " + std::to_string(w) + ", " +
           std::to_string(c) + "]";
  }
};

inline std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

template <typename T>
struct View {
  T* data = nullptr;
  Shape4 shape;
  int64_t pixel_stride = 0;  // elements between (n,h,w) and (n,h,w+1); >= shape.c

  T* pixel(int64_t n, int64_t y, int64_t x) const {
    return data + ((n * shape.h + y) * shape.w + x) * pixel_stride;
  }
  bool contiguous() const { return pixel_stride == shape.c; }
};

template <typename T>
View<T> make_view(T* data, Shape4 s, int64_t pixel_stride = 0) {
  return View<T>{data, s, pixel_stride ? pixel_stride : s.c};
}

using FView = View<float>;
using CFView = View<const float>;

inline CFView as_const(const FView& v) { return CFView{v.data, v.shape, v.pixel_stride}; }

}  // namespace atrous
