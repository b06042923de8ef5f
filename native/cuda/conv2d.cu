// conv2d with fused bias and clamp. Three kernels, chosen when the weights are packed:
//   depthwise (groups == Cin > 1): one thread per output value, weights [KH*KW][Cout] for coalescing;
//   grouped (other groups > 1): direct, one thread per output value;
//   dense (groups == 1): implicit GEMM, M = N*OH*OW pixels, N = Cout, K = KH*KW*Cin, with a
//   tensor-core TF32 variant (sm_80+) for layers large enough to pay for it.
#include <mma.h>

#include <vector>

#include "cuda/check.cuh"

using namespace atrous_cuda;

enum class ConvKind { kDense, kDepthwise, kGrouped };

struct atrous_cuda_conv_weights {
  atrous_cuda_conv2d p;
  int64_t cin = 0, cout = 0;
  ConvKind kind = ConvKind::kDense;
  float* weight = nullptr;  // device, layout by kind
  float* bias = nullptr;    // device [Cout], zeros when the model had none
};

namespace {

struct Geometry {
  int64_t n, h, w, c, xps;       // input
  int64_t oh, ow, cout, yps;     // output
  int64_t kh, kw, sh, sw, dh, dw, pad_t, pad_l;
  int64_t groups;
  float lo, hi;
};

__global__ void depthwise_kernel(Geometry g, const float* __restrict__ x, const float* __restrict__ wt,
                                 const float* __restrict__ bias, float* __restrict__ y) {
  const int64_t mult = g.cout / g.c;
  const int64_t total = g.n * g.oh * g.ow * g.cout;
  ATROUS_GRID_STRIDE(i, total) {
    const int64_t o = i % g.cout, pix = i / g.cout;
    const int64_t ox = pix % g.ow, oy = (pix / g.ow) % g.oh, n = pix / (g.ow * g.oh);
    const int64_t ci = o / mult;
    float acc = bias[o];
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.sh - g.pad_t + ky * g.dh;
      if (iy < 0 || iy >= g.h) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = ox * g.sw - g.pad_l + kx * g.dw;
        if (ix < 0 || ix >= g.w) continue;
        acc += x[((n * g.h + iy) * g.w + ix) * g.xps + ci] * wt[(ky * g.kw + kx) * g.cout + o];
      }
    }
    y[pix * g.yps + o] = clampf(acc, g.lo, g.hi);
  }
}

__global__ void grouped_kernel(Geometry g, const float* __restrict__ x, const float* __restrict__ wt,
                               const float* __restrict__ bias, float* __restrict__ y) {
  const int64_t cin_g = g.c / g.groups, cout_g = g.cout / g.groups;
  const int64_t total = g.n * g.oh * g.ow * g.cout;
  ATROUS_GRID_STRIDE(i, total) {
    const int64_t o = i % g.cout, pix = i / g.cout;
    const int64_t ox = pix % g.ow, oy = (pix / g.ow) % g.oh, n = pix / (g.ow * g.oh);
    const int64_t c0 = (o / cout_g) * cin_g;
    float acc = bias[o];
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.sh - g.pad_t + ky * g.dh;
      if (iy < 0 || iy >= g.h) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = ox * g.sw - g.pad_l + kx * g.dw;
        if (ix < 0 || ix >= g.w) continue;
        const float* in = x + ((n * g.h + iy) * g.w + ix) * g.xps + c0;
        const float* k = wt + ((o * g.kh + ky) * g.kw + kx) * cin_g;
        for (int64_t c = 0; c < cin_g; ++c) acc += in[c] * k[c];
      }
    }
    y[pix * g.yps + o] = clampf(acc, g.lo, g.hi);
  }
}

// The implicit-GEMM A operand: for output pixel m and reduction index k = (ky*KW + kx)*Cin + ci,
// the input value under that tap (0 in the padding). Each block first computes its 64 pixels'
// origins into shared memory (registers would limit occupancy); pixels past the end get an origin
// far above the image, so every tap falls outside it.
constexpr int kBM = 64, kBN = 64, kBK = 16;
constexpr int kOutside = -(1 << 30);

struct TileOrigins {
  long long image[kBM];  // element offset of image n
  int iy[kBM], ix[kBM];  // top-left tap
};

__device__ __forceinline__ void load_origins(const Geometry& g, int64_t m0, int64_t m_total, TileOrigins& t) {
  for (int i = threadIdx.x; i < kBM; i += blockDim.x) {
    const int64_t m = m0 + i;
    if (m < m_total) {
      const int64_t ox = m % g.ow, oy = (m / g.ow) % g.oh, n = m / (g.ow * g.oh);
      t.image[i] = n * g.h * g.w * g.xps;
      t.iy[i] = static_cast<int>(oy * g.sh - g.pad_t);
      t.ix[i] = static_cast<int>(ox * g.sw - g.pad_l);
    } else {
      t.image[i] = 0, t.iy[i] = kOutside, t.ix[i] = 0;
    }
  }
}

__device__ __forceinline__ float tap_value(const Geometry& g, const float* __restrict__ x, const TileOrigins& t, int i,
                                           bool k_ok, int64_t ky, int64_t kx, int64_t ci) {
  if (!k_ok) return 0.f;
  const int64_t iy = t.iy[i] + ky * g.dh, ix = t.ix[i] + kx * g.dw;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) return 0.f;
  return x[t.image[i] + (iy * g.w + ix) * g.xps + ci];
}

// FP32 SIMT implicit GEMM: 256 threads, each computes a 4x4 block of the 64x64 output tile.
__global__ void __launch_bounds__(256) dense_simt_kernel(Geometry g, const float* __restrict__ x,
                                                         const float* __restrict__ b_mat,
                                                         const float* __restrict__ bias, float* __restrict__ y) {
  __shared__ float as[kBK][kBM + 4];
  __shared__ float bs[kBK][kBN + 4];
  __shared__ TileOrigins origins;
  const int tid = threadIdx.x;
  const int64_t m_total = g.n * g.oh * g.ow, k_total = g.kh * g.kw * g.c;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * kBM, o0 = static_cast<int64_t>(blockIdx.y) * kBN;
  load_origins(g, m0, m_total, origins);
  __syncthreads();

  const int a_k = tid % kBK;  // consecutive threads read consecutive input channels

  const int tx = tid % 16, ty = tid / 16;
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < k_total; k0 += kBK) {
    const int64_t k = k0 + a_k;
    const bool k_ok = k < k_total;
    const int64_t ci = k % g.c, kx = (k / g.c) % g.kw, ky = k / (g.c * g.kw);
    for (int i = 0; i < 4; ++i) {
      const int ml = tid / kBK + 16 * i;
      as[a_k][ml] = tap_value(g, x, origins, ml, k_ok, ky, kx, ci);
    }
    for (int j = 0; j < 4; ++j) {
      const int kk = tid / kBN + 4 * j;
      const int64_t kb = k0 + kk, o = o0 + tid % kBN;
      bs[kk][tid % kBN] = kb < k_total && o < g.cout ? b_mat[kb * g.cout + o] : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kBK; ++kk) {
      float a[4], b[4];
      for (int i = 0; i < 4; ++i) a[i] = as[kk][ty * 4 + i];
      for (int j = 0; j < 4; ++j) b[j] = bs[kk][tx * 4 + j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i) {
    const int64_t m = m0 + ty * 4 + i;
    if (m >= m_total) continue;
    float* out = y + m * g.yps;
    for (int j = 0; j < 4; ++j) {
      const int64_t o = o0 + tx * 4 + j;
      if (o < g.cout) out[o] = clampf(acc[i][j] + bias[o], g.lo, g.hi);
    }
  }
}

// TF32 tensor-core implicit GEMM: 128 threads = 4 warps, each a 32x32 quarter of the 64x64 tile
// (2x2 fragments of 16x16x8). Operands are rounded to TF32 when staged in shared memory.
__global__ void __launch_bounds__(128) dense_tf32_kernel(Geometry g, const float* __restrict__ x,
                                                         const float* __restrict__ b_mat,
                                                         const float* __restrict__ bias, float* __restrict__ y) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  using namespace nvcuda;
  constexpr int kLdA = kBK + 4, kLdB = kBN + 4, kLdC = kBN + 4;
  __shared__ __align__(32) float as[kBM * kLdA];
  __shared__ __align__(32) float bs[kBK * kLdB];
  __shared__ __align__(32) float cs[kBM * kLdC];
  __shared__ TileOrigins origins;
  const int tid = threadIdx.x, warp = tid / 32;
  const int wm = warp / 2, wn = warp % 2;
  const int64_t m_total = g.n * g.oh * g.ow, k_total = g.kh * g.kw * g.c;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * kBM, o0 = static_cast<int64_t>(blockIdx.y) * kBN;
  load_origins(g, m0, m_total, origins);
  __syncthreads();

  const int a_k = tid % kBK;

  wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.f);

  for (int64_t k0 = 0; k0 < k_total; k0 += kBK) {
    const int64_t k = k0 + a_k;
    const bool k_ok = k < k_total;
    const int64_t ci = k % g.c, kx = (k / g.c) % g.kw, ky = k / (g.c * g.kw);
    for (int i = 0; i < 8; ++i) {
      const int ml = tid / kBK + 8 * i;
      as[ml * kLdA + a_k] = wmma::__float_to_tf32(tap_value(g, x, origins, ml, k_ok, ky, kx, ci));
    }
    for (int j = 0; j < 8; ++j) {
      const int kk = tid / kBN + 2 * j;
      const int64_t kb = k0 + kk, o = o0 + tid % kBN;
      bs[kk * kLdB + tid % kBN] = wmma::__float_to_tf32(kb < k_total && o < g.cout ? b_mat[kb * g.cout + o] : 0.f);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kBK; kk += 8) {
      wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a[2];
      wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> b[2];
      for (int i = 0; i < 2; ++i) wmma::load_matrix_sync(a[i], as + (wm * 32 + i * 16) * kLdA + kk, kLdA);
      for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(b[j], bs + kk * kLdB + wn * 32 + j * 16, kLdB);
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      wmma::store_matrix_sync(cs + (wm * 32 + i * 16) * kLdC + wn * 32 + j * 16, acc[i][j], kLdC, wmma::mem_row_major);
  __syncthreads();
  for (int e = tid; e < kBM * kBN; e += 128) {
    const int ml = e / kBN, ol = e % kBN;
    const int64_t m = m0 + ml, o = o0 + ol;
    if (m < m_total && o < g.cout) y[m * g.yps + o] = clampf(cs[ml * kLdC + ol] + bias[o], g.lo, g.hi);
  }
#endif
}

// Whether the image the runtime picked for this device has the tensor-core body (compiled for
// compute_80 or newer): an sm_75-only build runs on newer GPUs through its own code path.
bool tf32_kernel_usable() {
  cudaFuncAttributes attr;
  if (cudaFuncGetAttributes(&attr, dense_tf32_kernel) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return attr.ptxVersion >= 80;
}

// Tensor cores pay when the reduction and the output channels fill whole tiles.
bool use_tf32(atrous_cuda_context* ctx, int64_t k_total, int64_t cout) {
  if (!ctx->tf32 || ctx->compute_major < 8 || k_total < 64 || cout < 32) return false;
  if (ctx->tf32_usable < 0) ctx->tf32_usable = tf32_kernel_usable() ? 1 : 0;
  return ctx->tf32_usable == 1;
}

}  // namespace

int cuda_conv2d_pack(atrous_cuda_context* ctx, const atrous_cuda_conv2d* p, int64_t cin, int64_t cout,
                     const float* weight, const float* bias, atrous_cuda_conv_weights** out) {
  *out = nullptr;
  const atrous_cuda_window& w = p->window;
  if (p->groups < 1 || cin % p->groups || cout % p->groups || w.kh < 1 || w.kw < 1 || w.sh < 1 || w.sw < 1 ||
      w.dh < 1 || w.dw < 1 || !weight)
    return invalid(ctx, "conv2d: bad parameters");
  ATROUS_CUDA_RETURN(use(ctx));
  const int64_t cin_g = cin / p->groups, taps = w.kh * w.kw;
  const int64_t count = cout * taps * cin_g;
  std::vector<float> packed(static_cast<size_t>(count));
  ConvKind kind = p->groups == 1 ? ConvKind::kDense : p->groups == cin ? ConvKind::kDepthwise : ConvKind::kGrouped;
  if (kind == ConvKind::kDense) {
    // B[k][o] = weight[o][k], k = (ky*KW + kx)*Cin + ci: the OHWI layout transposed.
    const int64_t k_total = taps * cin;
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t k = 0; k < k_total; ++k) packed[k * cout + o] = weight[o * k_total + k];
  } else if (kind == ConvKind::kDepthwise) {
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t t = 0; t < taps; ++t) packed[t * cout + o] = weight[o * taps + t];
  } else {
    packed.assign(weight, weight + count);
  }
  std::vector<float> b(static_cast<size_t>(cout), 0.f);
  if (bias) b.assign(bias, bias + cout);

  auto* cw = new (std::nothrow) atrous_cuda_conv_weights();
  if (!cw) return invalid(ctx, "conv2d: out of host memory");
  cw->p = *p;
  cw->cin = cin;
  cw->cout = cout;
  cw->kind = kind;
  cudaError_t e = cudaMalloc(&cw->weight, packed.size() * sizeof(float));
  if (e == cudaSuccess) e = cudaMalloc(&cw->bias, b.size() * sizeof(float));
  if (e == cudaSuccess) e = cudaMemcpy(cw->weight, packed.data(), packed.size() * sizeof(float), cudaMemcpyHostToDevice);
  if (e == cudaSuccess) e = cudaMemcpy(cw->bias, b.data(), b.size() * sizeof(float), cudaMemcpyHostToDevice);
  if (e != cudaSuccess) {
    cuda_conv2d_release(ctx, cw);
    return fail(ctx, e, "conv2d: uploading weights");
  }
  *out = cw;
  return 0;
}

void cuda_conv2d_release(atrous_cuda_context* ctx, atrous_cuda_conv_weights* w) {
  if (!w) return;
  cudaSetDevice(ctx->device);
  cudaStreamSynchronize(ctx->stream);
  cudaFree(w->weight);
  cudaFree(w->bias);
  cudaGetLastError();
  delete w;
}

int cuda_conv2d(atrous_cuda_context* ctx, const atrous_cuda_conv_weights* cw, const atrous_cuda_tensor* xt,
                const atrous_cuda_tensor* yt) {
  ATROUS_CUDA_RETURN(check_tensor(ctx, xt, "conv2d input"));
  ATROUS_CUDA_RETURN(check_tensor(ctx, yt, "conv2d output"));
  if (!cw || xt->c != cw->cin || yt->c != cw->cout || xt->n != yt->n)
    return invalid(ctx, "conv2d: tensor shapes do not match the packed weights");
  const atrous_cuda_window& w = cw->p.window;
  // The dense kernels keep tap origins in 32-bit integers.
  const int64_t kLimit = 1 << 29;
  if (xt->h > kLimit || xt->w > kLimit || yt->h * w.sh > kLimit || yt->w * w.sw > kLimit || w.pad_t > kLimit ||
      w.pad_l > kLimit || w.kh * w.dh > kLimit || w.kw * w.dw > kLimit)
    return invalid(ctx, "conv2d: spatial size too large for the GPU kernel");
  ATROUS_CUDA_RETURN(use(ctx));
  Geometry g{xt->n, xt->h, xt->w, xt->c, xt->pixel_stride, yt->h, yt->w, yt->c, yt->pixel_stride,
             w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.pad_t, w.pad_l, cw->p.groups, cw->p.act_min, cw->p.act_max};
  const float* x = static_cast<const float*>(xt->data);
  float* y = static_cast<float*>(yt->data);
  const int64_t m_total = g.n * g.oh * g.ow;
  switch (cw->kind) {
    case ConvKind::kDepthwise:
      depthwise_kernel<<<grid_for(m_total * g.cout), kThreads, 0, ctx->stream>>>(g, x, cw->weight, cw->bias, y);
      return launched(ctx, "conv2d (depthwise)");
    case ConvKind::kGrouped:
      grouped_kernel<<<grid_for(m_total * g.cout), kThreads, 0, ctx->stream>>>(g, x, cw->weight, cw->bias, y);
      return launched(ctx, "conv2d (grouped)");
    case ConvKind::kDense: {
      const int64_t m_blocks = (m_total + kBM - 1) / kBM, o_blocks = (g.cout + kBN - 1) / kBN;
      if (m_blocks > 0x7fffffff || o_blocks > 65535) return invalid(ctx, "conv2d: tensor too large for one launch");
      dim3 grid(static_cast<unsigned>(m_blocks), static_cast<unsigned>(o_blocks));
      if (use_tf32(ctx, g.kh * g.kw * g.c, g.cout)) {
        dense_tf32_kernel<<<grid, 128, 0, ctx->stream>>>(g, x, cw->weight, cw->bias, y);
        return launched(ctx, "conv2d (dense, tf32)");
      }
      dense_simt_kernel<<<grid, 256, 0, ctx->stream>>>(g, x, cw->weight, cw->bias, y);
      return launched(ctx, "conv2d (dense)");
    }
  }
  return invalid(ctx, "conv2d: unknown kernel kind");
}
