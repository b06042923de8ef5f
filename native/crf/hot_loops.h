// The inner loops of the CRF, compiled once per SIMD level (hot_loops*.cc) and picked at run time.
// Every per-pixel or per-vertex vector holds `lp` floats: the labels padded to a multiple of 8.
#pragma once
#include <cstdint>

#include "crf/band_splat.h"

namespace atrous::crf {

constexpr int kMaxPaddedLabels = 1024;
constexpr float kMinProbability = 1e-30f;  // a label with p = 0 may still gain probability (as with -log p finite)

// One axis of a GridGaussian: pixel i lies between nodes node[i] and node[i] + 1, with weights w0[i] and w1[i]; seen
// from the nodes, node a takes pixels first[a] .. first[a] + taps - 1 with weights tap[a · taps + k] (0 for pixels
// that do not touch it), so that a splat node by node has no data-dependent branches.
struct GridAxisView {
  const int32_t* node = nullptr;
  const float* w0 = nullptr;
  const float* w1 = nullptr;
  int nodes = 0;
  const int32_t* first = nullptr;
  const float* tap = nullptr;
  int taps = 0;
};
struct GridView {
  GridAxisView x, y;
};

// A GridGaussian's blurred nodes are blurred along x only; the blur along y is the reader's: node row j of the full
// blur is B(j) = ¼ X(j - 1) + ½ X(j) + ¼ X(j + 1), X zero outside the grid's `nodes` rows, i.e. rows
// *first .. *first + *count - 1 of X with weights w[0 .. *count).
inline void grid_y_blur_taps(int j, int nodes, int* first, int* count, float* w) {
  *first = j > 0 ? j - 1 : 0;
  const int last = j + 1 < nodes ? j + 1 : nodes - 1;
  *count = last - *first + 1;
  for (int r = *first; r <= last; ++r) w[r - *first] = r == j ? 0.5f : 0.25f;
}

// A pairwise kernel as the mean-field pass sees it: a lattice (slice its blurred vertex values, splat the
// new Q into its part buffer), a separable Gaussian (gather its column taps from the previous pass's rows,
// filter each finished row of the new Q along x for the next pass), a grid (slice its blurred nodes, splat each
// finished row of the new Q into its part buffer) or values filtered beforehand.
struct PassKernel {
  const int32_t* offset = nullptr;  // lattice: each point's dp1 vertex ids; null for a `filtered` kernel
  const float* weight = nullptr;    // lattice: barycentric weights (to splat with)
  const float* slice_weight = nullptr;  // lattice: the weights to slice with (factor and norm included: both 1 here)
  int dp1 = 0;
  const float* blurred = nullptr;   // lattice: (vertices + 1) × lp values to slice (grid: its nodes)
  float* splat_to = nullptr;        // lattice: the part buffer this pass splats into (grid: alike)
  const BandSplat* bands = nullptr;  // lattice: the splat regrouped by vertex, band by band (weights scaled); or null:
                                     // the pass splats point by point
  const float* splat_scale = nullptr;  // per point factor on Q before it is filtered (input normalization); may be null
  const float* taps = nullptr;      // separable: g[0 .. radius]; null for other kernels
  int radius = 0;
  const float* rows = nullptr;      // separable: n × lp, the previous pass's (scaled) Q filtered along x
  float* rows_to = nullptr;         // separable: n × lp, where this pass's rows go
  const GridView* grid = nullptr;   // grid: its axes; blurred and splat_to hold its nodes (y.nodes × x.nodes × lp)
  const float* filtered = nullptr;  // otherwise: n × lp filtered values
  float factor = 1.f;               // on the sliced or filtered values
  const float* norm = nullptr;      // per point factor on them too (output normalization); may be null
  const float* compat = nullptr;    // labels × labels: subtract compat · f; null: Potts, add f
};

// q[p] = p ⊙ exp(Σ_k pairwise_k[p]), normalized (softmax(log p + pairwise)), with p = max(prior[p],
// kMinProbability) — q = p normalized when !slice — then, when
// `splat`, the new q splatted into each lattice kernel (band by band) and filtered along x for each separable
// one; q is also stored where the outputs are not null.
struct MeanFieldPass {
  const float* prior = nullptr;  // n × labels: the scores as probabilities (not normalized; see HotLoops::prior)
  const PassKernel* kernels = nullptr;
  int kernel_count = 0;
  bool slice = false, splat = false;
  float* q = nullptr;  // n × lp; may be null; lanes from `labels` to lp come out 0
  int64_t q_origin = 0;  // point t's q is stored at q + (t - q_origin) · lp
  // The pass runs whole rows of an image `width` wide, `band_rows` at a time; when it splats, each band's q
  // goes to `q_band` (band_rows × width × lp floats). With separable or grid kernels it needs `row_scratch`:
  // 1 + 3 · kernel_count slots of row_stride floats, each at least width × lp and every grid's x.nodes × lp.
  int width = 0, height = 0, band_rows = 1;
  float* q_band = nullptr;
  float* row_scratch = nullptr;
  int64_t row_stride = 0;
  int64_t y = 0;  // the row being run (set by mean_field)
  // The final pass's outputs, each may be null: q as n × labels, and its argmax (the first of equal maxima).
  float* probabilities = nullptr;
  int32_t* argmax = nullptr;
  int labels = 0, lp = 0;
};

struct HotLoops {
  // val[offset[p·dp1+k]] += weight[p·dp1+k] · scale[p] · in[p] for p in [p0, p1), in an order fixed by p0 and p1;
  // scale may be null (1).
  void (*splat)(const int32_t* offset, const float* weight, int dp1, const float* scale, const float* in, float* val,
                int64_t p0, int64_t p1, int lp);
  // dst[v] = src[v] + ½ (src[n1[v]] + src[n2[v]]); absent neighbours point at a row of zeros.
  void (*blur)(const int32_t* n1, const int32_t* n2, const float* src, float* dst, int64_t v0, int64_t v1, int lp);
  // out[p] = alpha · Σ_k weight[p·dp1+k] · val[offset[p·dp1+k]], p in [p0, p1).
  void (*slice)(const int32_t* offset, const float* weight, int dp1, const float* val, float* out, float alpha,
                int64_t p0, int64_t p1, int lp);
  // One image row filtered along x: out[x] = Σ_{|t|≤radius} g[|t|] · in[x+t] (pixels outside are absent).
  // lp must be a multiple of 8, as must `row` below.
  void (*gauss_row)(const float* in, float* out, int width, const float* g, int radius, int lp);
  // Rows [y0, y1) filtered along y: out[y] = Σ_{|t|≤radius} g[|t|] · in[y+t], each row `row` floats.
  void (*gauss_column)(const float* in, float* out, int64_t row, int height, int64_t y0, int64_t y1, const float* g,
                       int radius);
  // One image row of a grid kernel's input (width × lp) splatted along x, s[a] = Σ_x T(x, a) · scale[x] · in[x] (scale
  // may be null: 1), and added to the two grid rows around the image row: lo += wlo · s, hi += whi · s.
  void (*grid_splat_row)(const float* in, const float* scale, const GridAxisView& x, float* lo, float* hi, float wlo,
                         float whi, int lp);
  // r = Σ_k w[k] · rows[k · stride …] over k < count (1 to 3) and `size` floats: a grid's node rows mixed.
  void (*grid_mix_rows)(const float* rows, int64_t stride, int count, const float* w, float* r, int64_t size);
  // One mean-field pass over points [p0, p1), whole rows, in order (see MeanFieldPass).
  void (*mean_field)(const MeanFieldPass& pass, int64_t p0, int64_t p1);
  // val[vertex[k]] += Σ_e weight[e] · q[point[e] …] over e in [entry_begin[k], entry_begin[k+1]), in order, for
  // k < vertices (a band of a BandSplat; point[e] counts floats).
  void (*splat_band)(const int32_t* vertex, const int32_t* entry_begin, int64_t vertices, const int32_t* point,
                     const float* weight, const float* q, float* val, int lp);
  // Checks the scores of points [p0, p1) (labels each) and returns the first point with a score not finite (or, for
  // probabilities, outside [0, 1]), else -1; for logits, writes out[p] = max(softmax(scores[p]), kMinProbability)
  // (labels per point too). Probabilities go to the pass as they are.
  int64_t (*prior)(const float* scores, int labels, bool logits, float* out, int64_t p0, int64_t p1);
  // The lattice embedding of points [0, count) of `features` (d floats each, already scaled by 1/σ): each point's
  // d+1 simplex vertex keys (d ints each) and barycentric weights, eight points at a time. Returns false where
  // there is no such loop (d other than 2 and 5, or compilers without vector extensions).
  bool (*embed)(const float* features, int64_t count, int d, const float* scale, int32_t* keys, float* bary);
};

const HotLoops& hot_loops();

}  // namespace atrous::crf
