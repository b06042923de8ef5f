// The mean-field pass (HotLoops::mean_field, splat_band, grid_splat_row): included by hot_loops.inl inside its per-ISA
// namespace, after f8.inl.
// The simplex sizes of the CRF's two kernels (d = 2 and 5) get their own copy of the loops over a
// point's vertices, so they unroll; others take the generic copy.
template <typename Fn>
inline void with_simplex(int dp1, Fn&& fn) {
  switch (dp1) {
    case 3: return fn(Lanes<3>());
    case 6: return fn(Lanes<6>());
    default: return fn(Lanes<0>());
  }
}

// The loops over points, chunks and simplex vertices below have compile-time bounds (for the common sizes);
// unrolled, the per-point arrays of vectors stay in registers (measured: -8 % per pass).
#if defined(__clang__)
#define ATROUS_UNROLL _Pragma("unroll 8")
#elif defined(__GNUC__)
#define ATROUS_UNROLL _Pragma("GCC unroll 8")
#else
#define ATROUS_UNROLL
#endif

// to[c] += Σ_r wt[r] · blurred[off[r]][c]: a point's slice of a lattice kernel over its simplex (kDp1 vertices when
// known at compile time, else dp1) and its 8-lane chunks (kC when known, else nc).
template <int kC, int kDp1>
inline void add_slice(F8* to, const int32_t* off, const float* wt, const float* blurred, int dp1, int nc) {
  const int n1 = kDp1 ? kDp1 : dp1, chunks = kC ? kC : nc;
  const int64_t lp = chunks * 8;
  ATROUS_UNROLL for (int r = 0; r < n1; ++r) {
    const float* v = blurred + off[r] * lp;
    const F8 w = set8(wt[r]);
    ATROUS_UNROLL for (int c = 0; c < chunks; ++c) to[c] = to[c] + w * load8(v + 8 * c);
  }
}

// The softmax's starting sums: 0 on the label lanes, so low on the padding lanes that they never are the max.
inline void padded_start(int labels, int nc, F8* start) {
  for (int c = 0; c < nc; ++c) {
    alignas(32) float v[8];
    for (int j = 0; j < 8; ++j) v[j] = c * 8 + j < labels ? 0.f : -3e38f;
    start[c] = load8(v);
  }
}

// The floor of the prior on each lane: kMinProbability on the label lanes, 0 on the padding ones.
inline void prior_floor(int labels, int nc, F8* floor) {
  for (int c = 0; c < nc; ++c) {
    alignas(32) float v[8];
    for (int j = 0; j < 8; ++j) v[j] = c * 8 + j < labels ? kMinProbability : 0.f;
    floor[c] = load8(v);
  }
}

// Chunk c (of nc) of point t's prior: its `labels` floats at prior + t · labels (rows not padded, so the last chunk
// reads only the point's own labels), clamped below by floor. A macro: as a function returning an F8 that GCC does
// not inline, the portable copy draws an ABI warning.
#define ATROUS_PRIOR_CHUNK(prior, t, c, nc, labels, floor)                                                      \
  max8((c) + 1 < (nc) || (labels) % 8 == 0 ? load8((prior) + (t) * (labels) + 8 * (c))                          \
                                           : load8_first((prior) + (t) * (labels) + 8 * (c), (labels) - 8 * (c)), \
       (floor)[c])

// The last pass's outputs for point t from its q (lp floats): probabilities (labels floats) and the argmax (the
// first of equal maxima); either may be null.
inline void store_outputs(const float* q, int labels, int64_t t, float* probabilities, int32_t* argmax) {
  if (probabilities) std::memcpy(probabilities + t * labels, q, sizeof(float) * labels);
  if (argmax) {
    int best = 0;
    for (int l = 1; l < labels; ++l) best = q[l] > q[best] ? l : best;
    argmax[t] = best;
  }
}

// Points ts[0 .. kG) of a mean-field pass, their stages interleaved: one point's work is a long chain
// (slice, max, exp, sum, divide[, splat]) that the core cannot overlap with the next point's by itself.
// kC: the lanes in 8-float chunks (nc), known at compile time for the common label counts.
template <int kC, int kG>
inline void pass_points(const MeanFieldPass& pass, const int64_t* ts, int nc, const F8* start, const F8* floor,
                        float* scratch) {
  constexpr int kN = kC ? kC : kMaxPaddedLabels / 8;
  const int lp = nc * 8;
  const int labels = pass.labels;
  F8 acc[kG][kN], f[kG][kN];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = start[c];
  for (int i = 0; pass.slice && i < pass.kernel_count; ++i) {
    const PassKernel& kn = pass.kernels[i];
    const int dp1 = kn.dp1;
    const float* blurred = kn.blurred;
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      if (kn.taps) {  // this row's column taps, gathered by mean_field before the row
        const float* column = pass.row_scratch + (1 + i) * pass.row_stride + (ts[g] - pass.y * pass.width) * lp;
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = load8(column + 8 * c);
        continue;
      }
      if (kn.grid) {  // between two nodes of this row's grid nodes, mixed by mean_field before the row
        const int64_t x = ts[g] - pass.y * pass.width;
        const float* a = pass.row_scratch + (1 + i) * pass.row_stride + int64_t(kn.grid->x.node[x]) * lp;
        const F8 w0 = set8(kn.grid->x.w0[x]), w1 = set8(kn.grid->x.w1[x]);
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = w0 * load8(a + 8 * c) + w1 * load8(a + lp + 8 * c);
        continue;
      }
      if (!kn.offset) {
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = load8(kn.filtered + ts[g] * lp + 8 * c);
        continue;
      }
      with_simplex(dp1, [&](auto simplex) {
        constexpr int kDp1 = decltype(simplex)::value;
        const int64_t at = ts[g] * (kDp1 ? kDp1 : dp1);
        // Potts: the weights are scaled already, so the sliced values add straight into acc.
        if (!kn.compat) return add_slice<kC, kDp1>(acc[g], kn.offset + at, kn.slice_weight + at, blurred, dp1, nc);
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) f[g][c] = set8(0.f);
        add_slice<kC, kDp1>(f[g], kn.offset + at, kn.slice_weight + at, blurred, dp1, nc);
      });
    }
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      if (kn.offset && !kn.compat) continue;  // added while sliced
      const F8 s = set8(kn.norm ? kn.factor * kn.norm[ts[g]] : kn.factor);
      if (!kn.compat) {
        ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] + s * f[g][c];
        continue;
      }
      float* fx = scratch;  // a matrix kernel: compat · f lane by lane
      float* sum = scratch + kMaxPaddedLabels;
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
        store8(fx + 8 * c, f[g][c]);
        store8(sum + 8 * c, set8(0.f));
      }
      for (int l = 0; l < labels; ++l) {
        float v = 0.f;
        for (int m = 0; m < labels; ++m) v += kn.compat[l * labels + m] * fx[m];
        sum[l] = v;
      }
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] - s * load8(sum + 8 * c);
    }
  }
  // q = prior ⊙ exp(acc - max acc), normalized, in acc (the padding lanes start at -huge and have a prior of 0).
  // Without the pairwise terms, q is the prior normalized.
  F8 mx[kG], sum[kG];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    mx[g] = acc[g][0];
    for (int c = 1; c < nc; ++c) mx[g] = max8(mx[g], acc[g][c]);
    mx[g] = hmax8(mx[g]);
    sum[g] = set8(0.f);
  }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
      const F8 prior = ATROUS_PRIOR_CHUNK(pass.prior, ts[g], c, nc, labels, floor);
      acc[g][c] = pass.slice ? exp8(acc[g][c] - mx[g]) * prior : prior;
      sum[g] = sum[g] + acc[g][c];
    }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    const F8 inv = set8(1.f) / hsum8(sum[g]);
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) acc[g][c] = acc[g][c] * inv;
  }
  if (pass.q)
    ATROUS_UNROLL for (int g = 0; g < kG; ++g)
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(pass.q + (ts[g] - pass.q_origin) * lp + 8 * c, acc[g][c]);
  if (pass.probabilities || pass.argmax)
    ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(scratch + 8 * c, acc[g][c]);
      store_outputs(scratch, labels, ts[g], pass.probabilities, pass.argmax);
    }
  // Lattice kernels without a BandSplat (few points per vertex: little to sum before writing) splat point by point.
  for (int i = 0; pass.splat && i < pass.kernel_count; ++i) {
    const PassKernel& kn = pass.kernels[i];
    if (!kn.offset || kn.bands) continue;
    const int dp1 = kn.dp1;
    float* to = kn.splat_to;
    const float* scale = kn.splat_scale;
    with_simplex(dp1, [&](auto simplex) {
      constexpr int kDp1 = decltype(simplex)::value;
      const int n1 = kDp1 ? kDp1 : dp1;
      ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
        const float sp = scale ? scale[ts[g]] : 1.f;
        const int32_t* off = kn.offset + ts[g] * n1;
        const float* wt = kn.weight + ts[g] * n1;
        ATROUS_UNROLL for (int r = 0; r < n1; ++r) {
          float* o = to + static_cast<int64_t>(off[r]) * lp;
          const F8 w = set8(wt[r] * sp);
          ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(o + 8 * c, load8(o + 8 * c) + w * acc[g][c]);
        }
      }
    });
  }
}

// Points [t, t + count)'s vertex rows, for lattice kernels splatted point by point (their lattices have about one
// vertex per point, too many for the caches): the rows to slice and those to splat into, both cache lines of each.
constexpr int kPointsAhead = 16;
inline void prefetch_rows(const MeanFieldPass& pass, int64_t t, int count) {
  const int64_t lp = pass.lp;
  for (int i = 0; i < pass.kernel_count; ++i) {
    const PassKernel& kn = pass.kernels[i];
    if (!kn.offset || kn.bands) continue;
    for (int64_t e = t * kn.dp1; e < (t + count) * kn.dp1; ++e) {
      const int64_t row = static_cast<int64_t>(kn.offset[e]) * lp;
      if (pass.slice) prefetch_row<false>(kn.blurred + row, lp);
      if (pass.splat) prefetch_row<true>(kn.splat_to + row, lp);
    }
  }
}

// Points [t, t + count)'s stretch of a per-point stream (per_point elements each). The pass fetches its streams — the
// prior, each lattice kernel's simplex and slice weights — kStreamAhead points early: the hardware's prefetchers do
// not keep up with them interleaved with everything else (densecrf's kernels: 1 thread -9 % for the prior alone,
// -12 % with the lattice's).
constexpr int kStreamAhead = 64;
template <typename T>
inline void prefetch_points(const T* stream, int per_point, int64_t t, int count) {
  prefetch_stream(stream + t * per_point, int64_t(count) * per_point);
}

template <int kC, int kG>
void mean_field_chunks(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const int64_t points = int64_t(pass.width) * pass.height;
  const int nc = kC ? kC : pass.lp / 8;
  F8 start[kMaxPaddedLabels / 8], floor[kMaxPaddedLabels / 8];
  padded_start(pass.labels, nc, start);
  prior_floor(pass.labels, nc, floor);
  alignas(32) float scratch[2 * kMaxPaddedLabels];
  int64_t ts[kG];
  int64_t t = t0;
  for (; t + kG <= t1; t += kG) {
    for (int g = 0; g < kG; ++g) ts[g] = t + g;
    if (t + kPointsAhead + kG <= t1) prefetch_rows(pass, t + kPointsAhead, kG);
    if (t + kStreamAhead + kG <= points) {  // across the end of a row or band, where the next one starts
      const int64_t ahead = t + kStreamAhead;
      prefetch_points(pass.prior, pass.labels, ahead, kG);
      for (int i = 0; i < pass.kernel_count; ++i) {
        const PassKernel& kn = pass.kernels[i];
        if (!kn.offset) continue;
        prefetch_points(kn.offset, kn.dp1, ahead, kG);
        if (pass.slice) prefetch_points(kn.slice_weight, kn.dp1, ahead, kG);
      }
    }
    pass_points<kC, kG>(pass, ts, nc, start, floor, scratch);
  }
  for (; t < t1; ++t) pass_points<kC, 1>(pass, &t, nc, start, floor, scratch);
}

// The common pass of the iterations — a Potts lattice kernel splatted by bands beside a Potts grid kernel, only the
// band's q to store (densecrf's kernels) — with what pass_points decides per point known beforehand: the simplex
// size at compile time, every pointer in a local. Runs one image row (the grid's nodes are mixed per row).
struct LatticeAndGrid {
  const int32_t* offset;  // the lattice: simplex vertices, slice weights, blurred values
  const float* slice_weight;
  const float* blurred;
  const float* grid_row;  // the grid's nodes mixed for this row, x.nodes × lp
  GridAxisView grid_x;
  const float* grid_norm;  // the grid's output scale: grid_factor · grid_norm[t] (grid_norm may be null)
  float grid_factor;
  int64_t row_start;  // the row's first point
  int64_t points;     // in the image
  const float* prior;
  float* q;  // point t's q at q + t · lp (the iterations but the last)
  float* probabilities;  // the last pass's outputs (see MeanFieldPass)
  int32_t* argmax;
  int labels;
};

template <int kC, int kG, int kDp1, bool kLast>
inline void lattice_grid_points(const LatticeAndGrid& k, int64_t t, const F8* start, const F8* floor) {
  constexpr int kLp = kC * 8;
  F8 acc[kG][kC];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) acc[g][c] = start[c];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    add_slice<kC, kDp1>(acc[g], k.offset + (t + g) * kDp1, k.slice_weight + (t + g) * kDp1, k.blurred, kDp1, kC);
    const int64_t x = t + g - k.row_start;
    const float s = k.grid_norm ? k.grid_factor * k.grid_norm[t + g] : k.grid_factor;
    const float* a = k.grid_row + int64_t(k.grid_x.node[x]) * kLp;
    const F8 w0 = set8(k.grid_x.w0[x] * s), w1 = set8(k.grid_x.w1[x] * s);
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) acc[g][c] = acc[g][c] + w0 * load8(a + 8 * c) + w1 * load8(a + kLp + 8 * c);
  }
  F8 mx[kG], sum[kG];
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    mx[g] = acc[g][0];
    ATROUS_UNROLL for (int c = 1; c < kC; ++c) mx[g] = max8(mx[g], acc[g][c]);
    mx[g] = hmax8(mx[g]);
    sum[g] = set8(0.f);
  }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g)
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) {
      acc[g][c] = exp8(acc[g][c] - mx[g]) * ATROUS_PRIOR_CHUNK(k.prior, t + g, c, kC, k.labels, floor);
      sum[g] = sum[g] + acc[g][c];
    }
  ATROUS_UNROLL for (int g = 0; g < kG; ++g) {
    const F8 inv = set8(1.f) / hsum8(sum[g]);
    if (!kLast) {
      ATROUS_UNROLL for (int c = 0; c < kC; ++c) store8(k.q + (t + g) * kLp + 8 * c, acc[g][c] * inv);
      continue;
    }
    alignas(32) float q[kLp];
    ATROUS_UNROLL for (int c = 0; c < kC; ++c) store8(q + 8 * c, acc[g][c] * inv);
    store_outputs(q, k.labels, t + g, k.probabilities, k.argmax);
  }
}

template <int kC, int kG, int kDp1, bool kLast>
void lattice_grid_run(const LatticeAndGrid& k, int64_t t0, int64_t t1, const F8* start, const F8* floor) {
  int64_t t = t0;
  for (; t + kG <= t1; t += kG) {
    if (t + kStreamAhead + kG <= k.points) {  // across the end of the row, where the next one starts
      prefetch_points(k.prior, k.labels, t + kStreamAhead, kG);
      prefetch_points(k.offset, kDp1, t + kStreamAhead, kG);
      prefetch_points(k.slice_weight, kDp1, t + kStreamAhead, kG);
    }
    lattice_grid_points<kC, kG, kDp1, kLast>(k, t, start, floor);
  }
  for (; t < t1; ++t) lattice_grid_points<kC, 1, kDp1, kLast>(k, t, start, floor);
}

// Runs the pass through lattice_grid_points when it is that case (for the common label and simplex sizes): an
// iteration that splats, or the last one, which writes the outputs instead.
bool lattice_grid_pass(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const bool last = pass.probabilities || pass.argmax;
  if (!pass.slice || pass.splat == last || (pass.splat && !pass.q) || pass.kernel_count != 2) return false;
  const int lattice = pass.kernels[0].offset ? 0 : 1;
  const PassKernel& lat = pass.kernels[lattice];
  const PassKernel& grid = pass.kernels[1 - lattice];
  if (!lat.offset || !lat.bands || lat.compat || !grid.grid || grid.compat) return false;
  const LatticeAndGrid k{lat.offset,
                         lat.slice_weight,
                         lat.blurred,
                         pass.row_scratch + (2 - lattice) * pass.row_stride,
                         grid.grid->x,
                         grid.norm,
                         grid.factor,
                         pass.y * pass.width,
                         int64_t(pass.width) * pass.height,
                         pass.prior,
                         pass.q ? pass.q - pass.q_origin * pass.lp : nullptr,
                         pass.probabilities,
                         pass.argmax,
                         pass.labels};
  F8 start[4], floor[4];  // lp ≤ 32 below
  padded_start(pass.labels, pass.lp / 8 < 4 ? pass.lp / 8 : 4, start);
  prior_floor(pass.labels, pass.lp / 8 < 4 ? pass.lp / 8 : 4, floor);
  auto run = [&](auto lanes) {
    constexpr int kC = decltype(lanes)::value;
    // Four points interleaved: with their streams prefetched, the points' dependency chains are what the pass waits
    // on (24 lanes: 4 measured 4.5 % faster than 3 and 9 % faster than 2, 1 thread).
    constexpr int kG = 4;
    auto go = [&](auto run_last, auto run_splat) { (last ? run_last : run_splat)(k, t0, t1, start, floor); return true; };
    if (lat.dp1 == 6) return go(lattice_grid_run<kC, kG, 6, true>, lattice_grid_run<kC, kG, 6, false>);
    if (lat.dp1 == 3) return go(lattice_grid_run<kC, kG, 3, true>, lattice_grid_run<kC, kG, 3, false>);
    return false;
  };
  switch (pass.lp) {
    case 8: return run(Lanes<1>());
    case 16: return run(Lanes<2>());
    case 24: return run(Lanes<3>());
    case 32: return run(Lanes<4>());
    default: return false;
  }
}

void mean_field_points(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  if (lattice_grid_pass(pass, t0, t1)) return;
  // Points interleaved: four while a point's chunks fit in registers alongside, fewer beyond (24 lanes: two
  // measured ~15 % faster than four on the bench image, identical output; 8 and 16 lanes: four stays best).
  switch (pass.lp) {
    case 8: return mean_field_chunks<1, 4>(pass, t0, t1);
    case 16: return mean_field_chunks<2, 4>(pass, t0, t1);
    case 24: return mean_field_chunks<3, 2>(pass, t0, t1);
    case 32: return mean_field_chunks<4, 2>(pass, t0, t1);
    default: return mean_field_chunks<0, 1>(pass, t0, t1);
  }
}

// The splat of one band (see BandSplat): per vertex, its points' weighted q summed in registers (two sums, so
// the chain of additions is half as long), then added to the vertex's row once.
template <int kC>
void splat_band_chunks(const int32_t* vertex, const int32_t* entry_begin, int64_t vertices, const int32_t* point,
                       const float* weight, const float* q, float* val, int nc_any) {
  constexpr int kN = kC ? kC : kMaxPaddedLabels / 8;
  const int nc = kC ? kC : nc_any;
  const int64_t lp = nc * 8;
  for (int64_t k = 0; k < vertices; ++k) {
    if (k + kPrefetch < vertices)  // the rows are spread over a buffer larger than L2: start their loads early
      prefetch_row<true>(val + static_cast<int64_t>(vertex[k + kPrefetch]) * lp, lp);
    F8 a[kN], b[kN];
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) a[c] = b[c] = set8(0.f);
    int32_t e = entry_begin[k];
    const int32_t end = entry_begin[k + 1];
    for (; e + 1 < end; e += 2) {
      const float* x = q + point[e];
      const float* y = q + point[e + 1];
      const F8 wx = set8(weight[e]), wy = set8(weight[e + 1]);
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) {
        a[c] = a[c] + wx * load8(x + 8 * c);
        b[c] = b[c] + wy * load8(y + 8 * c);
      }
    }
    if (e < end) {
      const float* x = q + point[e];
      const F8 wx = set8(weight[e]);
      ATROUS_UNROLL for (int c = 0; c < nc; ++c) a[c] = a[c] + wx * load8(x + 8 * c);
    }
    float* o = val + static_cast<int64_t>(vertex[k]) * lp;
    ATROUS_UNROLL for (int c = 0; c < nc; ++c) store8(o + 8 * c, load8(o + 8 * c) + (a[c] + b[c]));
  }
}

void splat_band(const int32_t* vertex, const int32_t* entry_begin, int64_t vertices, const int32_t* point,
                const float* weight, const float* q, float* val, int lp) {
  switch (lp) {
    case 8: return splat_band_chunks<1>(vertex, entry_begin, vertices, point, weight, q, val, 1);
    case 16: return splat_band_chunks<2>(vertex, entry_begin, vertices, point, weight, q, val, 2);
    case 24: return splat_band_chunks<3>(vertex, entry_begin, vertices, point, weight, q, val, 3);
    case 32: return splat_band_chunks<4>(vertex, entry_begin, vertices, point, weight, q, val, 4);
    default: return splat_band_chunks<0>(vertex, entry_begin, vertices, point, weight, q, val, lp / 8);
  }
}

// A grid kernel's splat of one image row, node by node, each over its run of taps (see GridAxisView), its 8-lane
// chunks summed in registers (kC chunks at once when known at compile time, else one by one).
template <int kC>
void grid_splat_chunks(const float* in, const float* scale, const GridAxisView& x_axis, float* lo, float* hi, float wlo,
                       float whi, int lp) {
  constexpr int kN = kC ? kC : 1;
  const int taps = x_axis.taps;
  const F8 to_lo = set8(wlo), to_hi = set8(whi);
  for (int a = 0; a < x_axis.nodes; ++a) {
    const float* q = in + int64_t(x_axis.first[a]) * lp;
    const float* sc = scale ? scale + x_axis.first[a] : nullptr;
    const float* t = x_axis.tap + int64_t(a) * taps;
    float* l = lo + int64_t(a) * lp;
    float* h = hi + int64_t(a) * lp;
    for (int c0 = 0; c0 < lp; c0 += 8 * kN) {
      F8 even[kN], odd[kN];  // two sums, so the chain of additions is half as long
      ATROUS_UNROLL for (int c = 0; c < kN; ++c) even[c] = odd[c] = set8(0.f);
      int k = 0;
      for (; k + 1 < taps; k += 2) {
        const F8 w0 = set8(sc ? t[k] * sc[k] : t[k]), w1 = set8(sc ? t[k + 1] * sc[k + 1] : t[k + 1]);
        ATROUS_UNROLL for (int c = 0; c < kN; ++c) {
          even[c] = even[c] + w0 * load8(q + int64_t(k) * lp + c0 + 8 * c);
          odd[c] = odd[c] + w1 * load8(q + int64_t(k + 1) * lp + c0 + 8 * c);
        }
      }
      if (k < taps) {
        const F8 w0 = set8(sc ? t[k] * sc[k] : t[k]);
        ATROUS_UNROLL for (int c = 0; c < kN; ++c) even[c] = even[c] + w0 * load8(q + int64_t(k) * lp + c0 + 8 * c);
      }
      ATROUS_UNROLL for (int c = 0; c < kN; ++c) {
        const F8 sum = even[c] + odd[c];
        store8(l + c0 + 8 * c, load8(l + c0 + 8 * c) + to_lo * sum);
        store8(h + c0 + 8 * c, load8(h + c0 + 8 * c) + to_hi * sum);
      }
    }
  }
}

void grid_splat_row(const float* in, const float* scale, const GridAxisView& x_axis, float* lo, float* hi, float wlo,
                    float whi, int lp) {
  switch (lp) {
    case 8: return grid_splat_chunks<1>(in, scale, x_axis, lo, hi, wlo, whi, lp);
    case 16: return grid_splat_chunks<2>(in, scale, x_axis, lo, hi, wlo, whi, lp);
    case 24: return grid_splat_chunks<3>(in, scale, x_axis, lo, hi, wlo, whi, lp);
    case 32: return grid_splat_chunks<4>(in, scale, x_axis, lo, hi, wlo, whi, lp);
    default: break;
  }
  if (lp % 8 == 0) return grid_splat_chunks<0>(in, scale, x_axis, lo, hi, wlo, whi, lp);
  for (int a = 0; a < x_axis.nodes; ++a) {  // lanes not in whole vectors (the filter's tests)
    const float* q = in + int64_t(x_axis.first[a]) * lp;
    const float* sc = scale ? scale + x_axis.first[a] : nullptr;
    const float* t = x_axis.tap + int64_t(a) * x_axis.taps;
    for (int k = 0; k < x_axis.taps; ++k) {
      const float w = sc ? t[k] * sc[k] : t[k];
      for (int c = 0; c < lp; ++c) {
        lo[int64_t(a) * lp + c] += wlo * w * q[int64_t(k) * lp + c];
        hi[int64_t(a) * lp + c] += whi * w * q[int64_t(k) * lp + c];
      }
    }
  }
}

// Two node rows of a grid kernel blurred along y, B(k) and B(k + 1) (see grid_y_blur_taps), kept while image rows
// between them are sliced: `k` (-1: none yet), and which of the two buffers holds B(k).
struct GridRowPair {
  int k = -1;
  bool second_lower = false;
};

// The grid's nodes mixed for image row y's slice into `slot`: w0 · B(k) + w1 · B(k + 1), k the row's node row, from the
// pair in pair[0 ..) and pair[stride ..) (B(k) is the pair's old B(k + 1) when the rows move on by one node row).
inline void grid_row_for_slice(const GridView& grid, const float* blurred, int64_t y, int lp, float* pair, int64_t stride,
                               GridRowPair* cached, float* slot) {
  const GridAxisView& gy = grid.y;
  const int64_t row = int64_t(grid.x.nodes) * lp;
  const int k = gy.node[y];
  if (cached->k != k) {
    const bool move_on = cached->k >= 0 && cached->k == k - 1;
    if (move_on) cached->second_lower = !cached->second_lower;
    for (int j = move_on ? k + 1 : k; j <= k + 1; ++j) {
      int first, count;
      float w[3];
      grid_y_blur_taps(j, gy.nodes, &first, &count, w);
      const bool second = (j == k) == cached->second_lower;
      grid_mix_rows(blurred + first * row, row, count, w, pair + (second ? stride : 0), row);
    }
    cached->k = k;
  }
  const float* lo = pair + (cached->second_lower ? stride : 0);
  const float* hi = pair + (cached->second_lower ? 0 : stride);
  const float w[2] = {gy.w0[y], gy.w1[y]};
  grid_mix_rows(lo, hi - lo, 2, w, slot, row);
}

// Band by band of pass.band_rows rows: the band's new q is stored (when the pass splats), then splatted into
// each lattice kernel. With separable or grid kernels the band runs row by row: before a row, a separable kernel's
// column taps over the previous pass's rows are gathered (streaming through 2r+1 rows), a grid kernel's node rows
// around it mixed (grid_row_for_slice); once the row's new q is complete, it is filtered along x (from the row in
// cache, one store per output) for the next pass, or splatted along x and added to the grid's two node rows.
void mean_field(const MeanFieldPass& pass, int64_t t0, int64_t t1) {
  const int64_t width = pass.width;
  const int lp = pass.lp;
  bool by_rows = false, banded = false;
  for (int i = 0; i < pass.kernel_count; ++i) {
    by_rows |= pass.kernels[i].taps != nullptr || pass.kernels[i].grid != nullptr;
    banded |= pass.kernels[i].bands != nullptr;
  }
  const bool splat_rows = pass.splat && by_rows, splat_bands = pass.splat && banded;
  float* scaled = pass.row_scratch;  // slot 0: a row of scaled q for separable kernels
  GridRowPair cached[8];  // per grid kernel (kernel_count ≤ 8), in slots 1 + kernel_count + 2i and the next
  for (int64_t y0 = t0 / width; y0 * width < t1; y0 += pass.band_rows) {
    const int64_t y1 = y0 + pass.band_rows < t1 / width ? y0 + pass.band_rows : t1 / width;
    MeanFieldPass band = pass;
    if (splat_rows || splat_bands) {
      band.q = pass.q_band;
      band.q_origin = y0 * width;
    }
    if (!by_rows) mean_field_points(band, y0 * width, y1 * width);
    for (int64_t y = y0; by_rows && y < y1; ++y) {
      band.y = y;
      for (int i = 0; pass.slice && i < pass.kernel_count; ++i) {
        const PassKernel& kn = pass.kernels[i];
        float* slot = pass.row_scratch + (1 + i) * pass.row_stride;
        if (kn.taps) gauss_column_row(kn.rows, slot, width * lp, pass.height, y, kn.taps, kn.radius);
        if (!kn.grid) continue;
        float* pair = pass.row_scratch + (1 + pass.kernel_count + 2 * i) * pass.row_stride;
        grid_row_for_slice(*kn.grid, kn.blurred, y, lp, pair, pass.row_stride, &cached[i], slot);
      }
      mean_field_points(band, y * width, (y + 1) * width);
      const float* q_row = band.q + (y * width - band.q_origin) * lp;
      for (int i = 0; splat_rows && i < pass.kernel_count; ++i) {
        const PassKernel& kn = pass.kernels[i];
        const float* scale = kn.splat_scale ? kn.splat_scale + y * width : nullptr;
        if (kn.grid) {
          const GridAxisView& gy = kn.grid->y;
          float* lo = kn.splat_to + gy.node[y] * int64_t(kn.grid->x.nodes) * lp;
          grid_splat_row(q_row, scale, kn.grid->x, lo, lo + int64_t(kn.grid->x.nodes) * lp, gy.w0[y], gy.w1[y], lp);
          continue;
        }
        if (!kn.taps) continue;
        const float* in = q_row;
        if (scale) {
          for (int64_t x = 0; x < width; ++x)
            for (int c = 0; c < lp; ++c) scaled[x * lp + c] = q_row[x * lp + c] * scale[x];
          in = scaled;
        }
        gauss_row(in, kn.rows_to + y * width * lp, static_cast<int>(width), kn.taps, kn.radius, lp);
      }
    }
    for (int i = 0; splat_bands && i < pass.kernel_count; ++i) {
      const PassKernel& kn = pass.kernels[i];
      if (!kn.bands) continue;
      const SplatBand b = kn.bands->band_at_row(y0);
      splat_band(b.vertex, b.entry_begin, b.vertices, b.point, b.weight, band.q, kn.splat_to, lp);
    }
  }
}

#undef ATROUS_UNROLL
#undef ATROUS_PRIOR_CHUNK
