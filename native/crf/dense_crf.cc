#include "crf/dense_crf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "core/aligned.h"
#include "core/thread_pool.h"
#include "crf/band_splat.h"
#include "crf/filters.h"
#include "crf/grid_gaussian.h"
#include "crf/hot_loops.h"

namespace atrous::crf {

namespace {

constexpr int kLane = 8;  // labels are padded to whole 32-byte vectors
constexpr int kMaxLabels = kMaxPaddedLabels;
constexpr int kMaxKernels = 8;

int64_t default_memory_limit() {
#if defined(__unix__) || defined(__APPLE__)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) return static_cast<int64_t>(pages) * page / 2;
#endif
  return int64_t(8) << 30;
}

// How a kernel is filtered: bilateral ones on the lattice; position-only ones exactly up to σ 1.5 (the separable
// filter costs O(σ) per pixel and label), on the grid beyond; everything by brute force when asked.
enum class FilterKind { kLattice, kSeparable, kGrid, kExact };
FilterKind filter_kind(const PairwiseKernel& k, const CrfOptions& o) {
  if (o.exact_filtering) return FilterKind::kExact;
  if (k.bilateral) return FilterKind::kLattice;
  return k.sxy > GridGaussian::kMinSigma ? FilterKind::kGrid : FilterKind::kSeparable;
}

Status features_of(const CrfImage& im, const PairwiseKernel& k, ThreadPool& pool, AlignedVector<float>* out) {
  const int d = k.bilateral ? 5 : 2;
  out->resize(static_cast<size_t>(int64_t(im.width) * im.height * d));
  float* f = out->data();
  // Locals: k's fields could alias the stores to f, so the loop would reload them and not vectorize.
  const float sxy = k.sxy, srgb = k.srgb;
  const int width = im.width;
  const uint8_t* rgb = im.rgb;
  const bool bilateral = k.bilateral;
  return pool.parallel_for(im.height, 16, [&](int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y) {
      const float fy = y / sxy;
      for (int x = 0; x < width; ++x) {
        const int64_t p = y * width + x;
        float* o = &f[p * d];
        o[0] = x / sxy;
        o[1] = fy;
        if (bilateral)
          for (int c = 0; c < 3; ++c) o[2 + c] = rgb[p * 3 + c] / srgb;
      }
    }
  });
}

// For normalization "none" through the lattice or the grid: the factor that brings its arbitrary gain to
// k(i, i) = 1, measured against exact sums at a fixed sample of pixels.
float calibrated_gain(const AlignedVector<float>& f, int64_t n, int d, const float* approx_ones) {
  const int samples = static_cast<int>(std::min<int64_t>(n, 32));
  double exact = 0, approx = 0;
  for (int s = 0; s < samples; ++s) {
    const int64_t i = (n - 1) * s / std::max(1, samples - 1);
    for (int64_t j = 0; j < n; ++j) {
      double dist = 0;
      for (int k = 0; k < d; ++k) dist += double(f[i * d + k] - f[j * d + k]) * (f[i * d + k] - f[j * d + k]);
      exact += std::exp(-0.5 * dist);
    }
    approx += approx_ones[i];
  }
  return approx > 0 ? static_cast<float>(exact / approx) : 1.f;
}

// One kernel, ready to filter Q: its filter and its per-pixel normalization.
struct Prepared {
  const PairwiseKernel* spec;
  std::unique_ptr<GaussianFilter> filter;
  AlignedVector<float> norm;  // per pixel
  bool scale_in = false, scale_out = false;
  float gain = 1.f;
  AlignedVector<float> filtered;  // n × lp, for kernels filtered outside the mean-field pass (the brute-force oracle)
  AlignedVector<float> slice_weight;  // lattice: n × (d+1) barycentric weights × the kernel's factor and normalization
  AlignedVector<float> rows, rows_to;  // separable: n × lp each, Q filtered along x by the previous pass and this one
  BandSplat bands;  // lattice: its splat regrouped by vertex, band by band
};

// Rows of a band, the unit in which the mean-field pass deals the image to its parts (8 and 16 measured slower).
constexpr int64_t kBandRows = 32;
// Rows of a splat band (BandSplat): its new Q (rows × width × lp floats) should stay in L2 until splatted
// (4, 8 and 16 rows measured alike on the bench image).
constexpr int kSplatBandRows = 8;
static_assert(kBandRows % kSplatBandRows == 0, "a pass band is whole splat bands");
// Splatting band by band pays when a band's points share their vertices: densecrf's bilateral kernel on the bench
// image has 0.06 vertices per point (a band touches ~0.4 vertices per point, against 6 writes point by point: ~20 %
// less time in all); deeplab-v2's bilateral kernel (colour σ 3) has one per point, and there it measured ~7 % slower.
bool band_splat_pays(const Lattice& lattice, int64_t n) { return lattice.vertices() * 4 <= n; }

// The splat's parallelism: a number of image parts fixed by the image size, never by the thread count,
// so that the sums (and the labels) are the same for any number of threads.
int splat_parts(int64_t n) { return n <= (int64_t(1) << 18) ? 2 : n <= (int64_t(1) << 20) ? 4 : 8; }

// ones and filtered: scratch of n floats each.
Status prepare(const CrfImage& im, const PairwiseKernel& k, const CrfOptions& o, int64_t memory_limit, ThreadPool& pool,
               float* ones, float* filtered, Prepared* out) {
  const int64_t n = int64_t(im.width) * im.height;
  const int d = k.bilateral ? 5 : 2;
  out->spec = &k;
  AlignedVector<float> f;
  const FilterKind kind = filter_kind(k, o);
  // Features are needed by the lattice, the brute force, and to calibrate the gain of normalization "none".
  if (kind == FilterKind::kLattice || kind == FilterKind::kExact || k.normalization == Normalization::kNone)
    ATROUS_RETURN_IF_ERROR(features_of(im, k, pool, &f));
  switch (kind) {
    case FilterKind::kExact: out->filter = std::make_unique<ExactFilter>(f.data(), n, d); break;
    case FilterKind::kLattice: ATROUS_RETURN_IF_ERROR(LatticeFilter::make(f.data(), n, d, memory_limit, pool, &out->filter)); break;
    case FilterKind::kSeparable: out->filter = std::make_unique<SeparableGaussian>(im.width, im.height, k.sxy); break;
    case FilterKind::kGrid: out->filter = std::make_unique<GridGaussian>(im.width, im.height, k.sxy); break;
  }

  // The kernel sums n_i: the filter applied to ones (a product of 1-D sums for the separable and grid Gaussians).
  if (SeparableGaussian* sep = out->filter->separable()) {
    sep->kernel_sums(filtered);
  } else if (GridGaussian* grid = out->filter->grid()) {
    grid->kernel_sums(filtered);
  } else {
    ATROUS_RETURN_IF_ERROR(pool.parallel_for(n, 65536, [&](int64_t i0, int64_t i1) { std::fill(ones + i0, ones + i1, 1.f); }));
    ATROUS_RETURN_IF_ERROR(out->filter->apply(ones, nullptr, filtered, 1, pool));
  }
  if (k.normalization == Normalization::kNone) {
    if (!out->filter->exact_scale()) out->gain = calibrated_gain(f, n, d, filtered);
    return Status::ok();
  }
  out->scale_in = k.normalization == Normalization::kSymmetric || k.normalization == Normalization::kBefore;
  out->scale_out = k.normalization == Normalization::kSymmetric || k.normalization == Normalization::kAfter;
  const bool root = k.normalization == Normalization::kSymmetric;
  out->norm.resize(static_cast<size_t>(n));
  return pool.parallel_for(n, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float sum = filtered[i] + 1e-20f;
      out->norm[i] = root ? 1.f / std::sqrt(sum) : 1.f / sum;
    }
  });
}

bool finite_positive(float v) { return std::isfinite(v) && v > 0.f; }

}  // namespace

Status validate(const CrfImage& im, const CrfOptions& o) {
  if (im.width < 1 || im.height < 1)
    return error(Code::kInvalidArgument, "CRF image size must be positive, got ", im.width, "x", im.height);
  if (im.labels < 2 || im.labels > kMaxLabels)
    return error(Code::kInvalidArgument, "the CRF needs 2 to ", kMaxLabels, " labels, got ", im.labels);
  if (o.iterations < 0 || o.iterations > 10000)
    return error(Code::kInvalidArgument, "CRF iterations must be 0 to 10000, got ", o.iterations);
  if (o.kernels.size() > size_t(kMaxKernels))
    return error(Code::kInvalidArgument, "at most ", kMaxKernels, " CRF kernels, got ", o.kernels.size());
  for (size_t i = 0; i < o.kernels.size(); ++i) {
    const PairwiseKernel& k = o.kernels[i];
    const char* name = k.bilateral ? "bilateral" : "gaussian";
    if (!finite_positive(k.sxy)) return error(Code::kInvalidArgument, "CRF ", name, " sxy must be finite and > 0, got ", k.sxy);
    if (k.bilateral && !finite_positive(k.srgb))
      return error(Code::kInvalidArgument, "CRF bilateral srgb must be finite and > 0, got ", k.srgb);
    if (!std::isfinite(k.weight)) return error(Code::kInvalidArgument, "CRF ", name, " weight must be finite, got ", k.weight);
    if (!k.compat.empty()) {
      if (k.compat.size() != size_t(im.labels) * im.labels)
        return error(Code::kShapeMismatch, "CRF ", name, " compatibility has ", k.compat.size(), " entries, ",
                     im.labels, " labels need ", im.labels * im.labels);
      for (float v : k.compat)
        if (!std::isfinite(v)) return error(Code::kInvalidArgument, "CRF ", name, " compatibility holds ", v);
    }
  }
  return Status::ok();
}

static Status bad_score(const CrfImage& im, const CrfOptions& o, int64_t point) {
  for (int64_t i = point * im.labels; i < (point + 1) * im.labels; ++i) {
    const float v = im.scores[i];
    if (!std::isfinite(v))
      return error(Code::kInvalidArgument, "CRF scores must be finite; score ", i, " is ", v);
    if (!o.logits && (v < 0.f || v > 1.f))
      return error(Code::kInvalidArgument, "CRF probabilities must lie in [0, 1]; score ", i, " is ", v,
                   " (pass logits with scores: 'logits')");
  }
  return error(Code::kInternal, "CRF score check disagrees at point ", point);
}

Status dense_crf(const CrfImage& im, const CrfOptions& o, const std::atomic<bool>* abort, int32_t* labels_out,
                 float* probabilities_out) {
  return guarded([&]() -> Status {
    ATROUS_RETURN_IF_ERROR(validate(im, o));
    const int64_t n = int64_t(im.width) * im.height;
    const int L = im.labels, lp = (L + kLane - 1) / kLane * kLane;
    const int parts = splat_parts(n);
    const int64_t limit = o.memory_limit > 0 ? o.memory_limit : default_memory_limit();
    int64_t need = n * L * 4 + n * lp * 4 + n * 4 * 2;  // prior (logits), Q; normalization scratch
    // Per part of the pass: a band of Q, and rows for separable kernels.
    need += parts * (kSplatBandRows + 1 + 3 * static_cast<int64_t>(o.kernels.size())) * im.width * lp * 4;
    for (const PairwiseKernel& k : o.kernels) {
      switch (filter_kind(k, o)) {
        case FilterKind::kLattice:
          need += Lattice::worst_case_bytes(n, 5, lp, parts + 1) + BandSplat::worst_case_bytes(n, 6);
          break;
        case FilterKind::kGrid: need += GridGaussian::buffer_bytes(im.width, im.height, k.sxy, lp, parts + 1); break;
        default: need += n * lp * 4 * 2;
      }
    }
    if (need > limit)
      return error(Code::kOutOfMemory, "the CRF on a ", im.width, "x", im.height, " image with ", L,
                   " labels may need ", need >> 20, " MiB, over the limit of ", limit >> 20, " MiB");

    ThreadPool pool(o.threads > 0 ? o.threads : ThreadPool::default_threads());
    const HotLoops& loops = hot_loops();
    const size_t size = static_cast<size_t>(n * lp);
    // The scores checked, and as probabilities (Q ∝ p ⊙ exp(pairwise) needs no logarithm): probabilities as they
    // are, logits through a softmax. The first bad point (the lowest, whatever the thread count) is reported.
    AlignedVector<float> logit_prior, q;  // not zeroed: first written by the parallel loops
    if (o.logits) logit_prior.resize(static_cast<size_t>(n * L));
    const float* prior = o.logits ? logit_prior.data() : im.scores;
    std::atomic<int64_t> first_bad{n};
    if (o.logits || im.first_bad_score == kScoresUnchecked) {
      ATROUS_RETURN_IF_ERROR(pool.parallel_for(n, 4096, [&](int64_t p0, int64_t p1) {
        const int64_t bad = loops.prior(im.scores, L, o.logits, logit_prior.data(), p0, p1);
        if (bad >= 0) lower_atomically(first_bad, bad);
      }));
    } else if (im.first_bad_score >= 0) {
      first_bad = im.first_bad_score;
    }
    if (first_bad.load() < n) return bad_score(im, o, first_bad.load());

    std::vector<Prepared> kernels(o.kernels.size());
    {
      AlignedVector<float> ones(static_cast<size_t>(n)), scratch(static_cast<size_t>(n));  // not zeroed
      for (size_t k = 0; k < o.kernels.size(); ++k)
        ATROUS_RETURN_IF_ERROR(prepare(im, o.kernels[k], o, limit, pool, ones.data(), scratch.data(), &kernels[k]));
    }

    // The mean-field pass slices each lattice or separable kernel, updates Q and splats it back (filters it
    // along x) in one sweep over the pixels, so Q and the filtered values never go through memory; only the
    // brute-force oracle's kernels are filtered beforehand, from a stored Q.
    std::vector<PassKernel> pass_kernels(kernels.size());
    bool materialized = false, any_parts = false, any_by_rows = false;
    int64_t row_stride = im.width * int64_t(lp);
    for (size_t k = 0; k < kernels.size(); ++k) {
      Prepared& kp = kernels[k];
      PassKernel& pk = pass_kernels[k];
      const bool potts = o.kernels[k].compat.empty();
      pk.factor = (potts ? o.kernels[k].weight : 1.f) * kp.gain;
      pk.norm = kp.scale_out ? kp.norm.data() : nullptr;
      pk.compat = potts ? nullptr : o.kernels[k].compat.data();
      pk.splat_scale = kp.scale_in ? kp.norm.data() : nullptr;
      if (Lattice* lat = kp.filter->lattice()) {
        ATROUS_RETURN_IF_ERROR(lat->reset_values(lp, parts, pool));
        if (o.iterations > 0 && band_splat_pays(*lat, n)) {
          ATROUS_RETURN_IF_ERROR(BandSplat::build(lat->offsets(), lat->weights(), lat->dp1(), pk.splat_scale,
                                                  lat->vertices(), im.width, im.height, kSplatBandRows, lp, pool, &kp.bands));
          pk.bands = &kp.bands;
        }
        pk.offset = lat->offsets();
        pk.weight = lat->weights();
        pk.dp1 = lat->dp1();
        // The slice's weights carry the kernel's factor and each point's output normalization, so that the pass
        // adds the sliced values as they are.
        const float factor = pk.factor * lat->blur_gain();
        const float* norm = pk.norm;
        const float* weight = lat->weights();
        const int dp1 = lat->dp1();
        kp.slice_weight.resize(static_cast<size_t>(n * dp1));
        float* sw = kp.slice_weight.data();
        ATROUS_RETURN_IF_ERROR(pool.parallel_for(n, 16384, [&](int64_t p0, int64_t p1) {
          for (int64_t p = p0; p < p1; ++p) {
            const float s = norm ? factor * norm[p] : factor;
            for (int r = 0; r < dp1; ++r) sw[p * dp1 + r] = weight[p * dp1 + r] * s;
          }
        }));
        pk.slice_weight = sw;
        pk.factor = 1.f;
        pk.norm = nullptr;
        any_parts = true;
      } else if (GridGaussian* grid = kp.filter->grid()) {
        ATROUS_RETURN_IF_ERROR(grid->reset_values(lp, parts, pool));
        pk.grid = &grid->view();
        row_stride = std::max<int64_t>(row_stride, int64_t(grid->view().x.nodes) * lp);
        any_parts = any_by_rows = true;
      } else if (SeparableGaussian* sep = kp.filter->separable()) {
        pk.taps = sep->taps();
        pk.radius = sep->radius();
        kp.rows.resize(size);
        kp.rows_to.resize(size);  // every row is written by the first pass before any is read
        pk.rows = kp.rows.data();
        pk.rows_to = kp.rows_to.data();
        any_by_rows = true;
      } else {
        kp.filtered.resize(size);
        pk.filtered = kp.filtered.data();
        materialized = true;
      }
    }
    if (materialized) q.resize(size);  // Q itself is needed only to filter it outside the pass
    const int64_t width = im.width, height = im.height;
    auto run_pass = [&](bool slice, bool splat, bool last) -> Status {
      MeanFieldPass pass;
      pass.prior = prior;
      pass.kernel_count = static_cast<int>(pass_kernels.size());
      pass.slice = slice;
      pass.splat = splat;
      pass.q = materialized && !last ? q.data() : nullptr;
      pass.probabilities = last ? probabilities_out : nullptr;
      pass.argmax = last ? labels_out : nullptr;
      pass.labels = L;
      pass.lp = lp;
      pass.width = im.width;
      pass.height = im.height;
      pass.band_rows = kSplatBandRows;
      pass.row_stride = row_stride;
      // Rows in bands of kBandRows: bands first, first + step, … up to row `end`; a lattice or grid kernel splats
      // into its buffer `part`.
      auto run_bands = [&](int part, int64_t first, int64_t step, int64_t end) {
        std::vector<PassKernel> mine = pass_kernels;
        for (size_t k = 0; k < kernels.size(); ++k) {
          if (Lattice* lat = kernels[k].filter->lattice()) mine[k].splat_to = lat->part(part);
          if (GridGaussian* grid = kernels[k].filter->grid()) mine[k].splat_to = grid->part(part);
        }
        AlignedVector<float> row_scratch(any_by_rows ? static_cast<size_t>((1 + 3 * kernels.size()) * row_stride) : 0);
        AlignedVector<float> q_band(splat ? static_cast<size_t>(kSplatBandRows * width * lp) : 0);
        MeanFieldPass part_pass = pass;
        part_pass.kernels = mine.data();
        part_pass.row_scratch = row_scratch.data();
        part_pass.q_band = q_band.data();
        for (int64_t b = first; b * kBandRows < end; b += step)
          loops.mean_field(part_pass, b * kBandRows * width, std::min(end, (b + 1) * kBandRows) * width);
      };
      if (!any_parts)
        return pool.parallel_for((height + kBandRows - 1) / kBandRows, 1, [&](int64_t b0, int64_t b1) {
          run_bands(0, b0, 1, std::min(height, b1 * kBandRows));
        });
      // Each lattice or grid part buffer takes the splats of every parts-th band (a fixed share of the image, whatever
      // the thread count; interleaved, because the cost per pixel varies with the image's content).
      return pool.parallel_for(parts, 1, [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; ++j) run_bands(static_cast<int>(j), j, parts, height);
      });
    };

    // Q₀ = the prior normalized (softmax(-U)), splatted for the first iteration.
    ATROUS_RETURN_IF_ERROR(run_pass(false, o.iterations > 0, o.iterations == 0));
    for (int it = 0; it < o.iterations; ++it) {
      if (abort && abort->load()) return error(Code::kAborted, "the CRF was aborted after ", it, " iterations");
      for (size_t k = 0; k < kernels.size(); ++k) {
        Prepared& kp = kernels[k];
        PassKernel& pk = pass_kernels[k];
        if (Lattice* lat = kp.filter->lattice()) {
          ATROUS_RETURN_IF_ERROR(lat->blur(pool, &pk.blurred));
        } else if (GridGaussian* grid = kp.filter->grid()) {
          ATROUS_RETURN_IF_ERROR(grid->blur(pool, &pk.blurred));
        } else if (pk.taps) {  // the rows the last pass wrote are this pass's to slice
          kp.rows.swap(kp.rows_to);
          pk.rows = kp.rows.data();
          pk.rows_to = kp.rows_to.data();
        } else {
          ATROUS_RETURN_IF_ERROR(kp.filter->apply(q.data(), pk.splat_scale, kp.filtered.data(), lp, pool));
        }
      }
      const bool last = it + 1 == o.iterations;
      ATROUS_RETURN_IF_ERROR(run_pass(true, !last, last));
    }

    return Status::ok();
  });
}

int64_t copy_scores(const float* from, float* to, int64_t n, int labels, bool logits) {
  if (labels < 1) return kScoresUnchecked;  // refused by validate
  const HotLoops& loops = hot_loops();
  const int64_t block = std::max<int64_t>(1, 16384 / labels);  // points
  int64_t first_bad = logits ? kScoresUnchecked : -1;
  for (int64_t p0 = 0; p0 < n; p0 += block) {
    const int64_t p1 = std::min(n, p0 + block);
    std::memcpy(to + p0 * labels, from + p0 * labels, sizeof(float) * static_cast<size_t>((p1 - p0) * labels));
    if (first_bad == -1) first_bad = loops.prior(to, labels, false, nullptr, p0, p1);
  }
  return first_bad;
}

Status gaussian_filter_for_test(const float* features, int64_t n, int d, const float* values, int vd, bool exact,
                                float* out) {
  return guarded([&]() -> Status {
    if (n < 1 || d < 1 || d > kMaxLatticeDims || vd < 1)
      return error(Code::kInvalidArgument, "bad filter test sizes n=", n, " d=", d, " vd=", vd);
    ThreadPool pool(ThreadPool::default_threads());
    std::unique_ptr<GaussianFilter> filter;
    if (exact) filter = std::make_unique<ExactFilter>(features, n, d);
    else ATROUS_RETURN_IF_ERROR(LatticeFilter::make(features, n, d, default_memory_limit(), pool, &filter));
    return filter->apply(values, nullptr, out, vd, pool);
  });
}

}  // namespace atrous::crf
