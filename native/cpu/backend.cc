// The CPU backend: every op has a CPU kernel (cpu/<op>.cc), found through op_list.def.
#include <cstring>

#include "graph/kernel.h"

namespace atrous {

#define ATROUS_OP(name) Status cpu_##name(const KernelRequest&, std::unique_ptr<Kernel>*);
#include "ops/op_list.def"
#undef ATROUS_OP

namespace {

class CpuBackend : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  bool supports(const KernelRequest& request) const override { return find(request.op->type()) != nullptr; }
  Status make_kernel(const KernelRequest& request, std::unique_ptr<Kernel>* out) override {
    auto make = find(request.op->type());
    if (!make) return error(Code::kUnsupported, request.op->where(), ": no CPU kernel");
    return make(request, out);
  }

 private:
  using Factory = Status (*)(const KernelRequest&, std::unique_ptr<Kernel>*);
  static Factory find(const char* type) {
    struct Entry {
      const char* name;
      Factory make;
    };
    static const Entry kKernels[] = {
#define ATROUS_OP(name) {#name, &cpu_##name},
#include "ops/op_list.def"
#undef ATROUS_OP
    };
    for (const Entry& e : kKernels)
      if (std::strcmp(e.name, type) == 0) return e.make;
    return nullptr;
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace atrous
