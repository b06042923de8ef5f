// Plain, obviously-correct reference kernels: the oracle for every optimized kernel.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "ops/batch_norm.h"
#include "ops/binary.h"
#include "ops/clip.h"
#include "ops/concat.h"
#include "ops/conv2d.h"
#include "ops/inverted_residual.h"
#include "ops/pad.h"
#include "ops/pool2d.h"
#include "ops/resize_bilinear.h"
#include "ops/softmax.h"
#include "ops/space_batch.h"

namespace atrous::ref {

// weight [Cout, KH, KW, Cin/groups]; bias [Cout] or nullptr. op.window must be resolved (infer()).
void conv2d(const Conv2dOp& op, const CFView& x, const float* weight, const float* bias, const FView& y);
void batch_norm(const CFView& x, const float* scale, const float* offset, const float* mean, const float* variance,
                double epsilon, const FView& y);
// Broadcasting: a dimension of size 1 in a or b repeats.
void binary(BinaryOp::Kind kind, const Activation& act, const CFView& a, const CFView& b, const FView& y);
void concat(const std::vector<CFView>& xs, const FView& y);
void pool2d(const Pool2dOp& op, const CFView& x, const FView& y);
void global_avg_pool(const CFView& x, const FView& y);
void resize_bilinear(const ResizeBilinearOp& op, const CFView& x, const FView& y);
// Source coordinate of output index `out_index` (before clamping), as the op's mode defines it.
double resize_source_coordinate(ResizeBilinearOp::Mode mode, int64_t out_index, int64_t in_size, int64_t out_size,
                                double scale);
void pad(const PadOp& op, const CFView& x, const FView& y);
void clip(const Activation& range, const CFView& x, const FView& y);
void softmax(const CFView& x, const FView& y);
void argmax(const CFView& x, const View<int32_t>& y);
void space_batch(const SpaceBatchOp& op, const CFView& x, const FView& y);
// The fused block as its three convs (and the add) one after the other; w: expand, depthwise and
// project weight and bias, in that order.
void inverted_residual(const InvertedResidualOp& op, const CFView& x, const std::vector<const float*>& w, const FView& y);

}  // namespace atrous::ref
