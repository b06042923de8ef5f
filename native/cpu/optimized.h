// Builders of the optimized CPU kernels for a given SIMD level, so tests can compare each level
// with the reference kernels. The backend uses simd_level().
#pragma once
#include <memory>

#include "core/cpu_features.h"
#include "graph/kernel.h"

namespace atrous {

Status make_conv2d_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out);
Status make_resize_bilinear_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out);
// add / sub / mul (same-shape add is the SIMD path; broadcasts run the reference per row).
Status make_binary_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out);
Status make_inverted_residual_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out);
Status make_global_avg_pool_kernel(const KernelRequest& req, SimdLevel level, std::unique_ptr<Kernel>* out);

}  // namespace atrous
