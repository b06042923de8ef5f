// The lattice embedding (Lattice::build) of eight points at once, lane by lane the steps of the scalar `embed`
// in lattice.cc: included by hot_loops.inl after f8.inl, GCC / Clang only (it needs integer vectors).
template <int kD>
inline void embed8(const float* f, const float* scale, int32_t* keys, float* bary) {
  constexpr int d = kD;
  constexpr float down = 1.f / (d + 1), up = static_cast<float>(d + 1);
  F8 elevated[d + 1];
  F8 sm = set8(0.f);
  for (int j = d; j > 0; --j) {
    const F8 x = F8{f[j - 1], f[d + j - 1], f[2 * d + j - 1], f[3 * d + j - 1],
                    f[4 * d + j - 1], f[5 * d + j - 1], f[6 * d + j - 1], f[7 * d + j - 1]};
    const F8 cf = x * scale[j - 1];
    elevated[j] = sm - static_cast<float>(j) * cf;
    sm = sm + cf;
  }
  elevated[0] = sm;
  // The nearest remainder-0 point (rounding half away from zero), then the ranks of the differential.
  I8 rem0[d + 1], rank[d + 1], sum = I8{} + 0;
  F8 diff[d + 1];
  for (int i = 0; i <= d; ++i) {
    const F8 x = down * elevated[i];
    const I8 toward_zero = __builtin_convertvector(x, I8);
    const F8 frac = x - __builtin_convertvector(toward_zero, F8);
    const I8 rd = toward_zero - (I8)(frac >= 0.5f) + (I8)(frac <= -0.5f);  // comparisons give -1 for true
    rem0[i] = __builtin_convertvector(__builtin_convertvector(rd, F8) * up, I8);
    sum = sum + rd;
    rank[i] = I8{} + 0;
    diff[i] = elevated[i] - __builtin_convertvector(rem0[i], F8);
  }
  for (int i = 0; i < d; ++i)
    for (int j = i + 1; j <= d; ++j) {
      const I8 less = (I8)(diff[i] < diff[j]);  // -1 where rank i goes up
      rank[i] = rank[i] - less;
      rank[j] = rank[j] + 1 + less;
    }
  F8 u[d + 1];
  for (int k = 0; k <= d; ++k) u[k] = set8(0.f);
  for (int i = 0; i <= d; ++i) {
    rank[i] = rank[i] + sum;
    const I8 wrap = (I8)(rank[i] > d) - (I8)(rank[i] < 0);  // +1 below 0, -1 above d
    rank[i] = rank[i] + wrap * (d + 1);
    rem0[i] = rem0[i] + wrap * (d + 1);
    const F8 v = (elevated[i] - __builtin_convertvector(rem0[i], F8)) * down;
    for (int k = 0; k <= d; ++k) u[k] = rank[i] == d - k ? v : u[k];
  }
  // Barycentric weights b[k] = u[k] - u[k-1], b[0] = 1 + u[0] - u[d] (as the scalar embed sums them).
  alignas(32) float b[d + 1][8];
  store8(b[0], u[0] + (1.f - u[d]));
  for (int k = 1; k <= d; ++k) store8(b[k], u[k] - u[k - 1]);
  alignas(32) int32_t key[d + 1][d][8];
  for (int r = 0; r <= d; ++r)
    for (int i = 0; i < d; ++i) {
      const I8 k = rem0[i] + r + (I8)(rank[i] > d - r) * (d + 1);
      std::memcpy(key[r][i], &k, sizeof k);
    }
  for (int p = 0; p < 8; ++p)
    for (int r = 0; r <= d; ++r) {
      bary[p * (d + 1) + r] = b[r][p];
      for (int i = 0; i < d; ++i) keys[(p * (d + 1) + r) * d + i] = key[r][i][p];
    }
}

// Points [0, count) of `f` (d = 2 or 5): keys (d+1) × d and weights d+1 per point, as the scalar embed writes
// them. Returns false for other d (the caller embeds point by point).
bool embed_block(const float* f, int64_t count, int d, const float* scale, int32_t* keys, float* bary) {
  auto run = [&](auto dims) {
    constexpr int kD = decltype(dims)::value;
    int64_t p = 0;
    for (; p + 8 <= count; p += 8) embed8<kD>(f + p * kD, scale, keys + p * (kD + 1) * kD, bary + p * (kD + 1));
    if (p == count) return;
    float tail[8 * kD];  // the last few points, padded with copies of the last
    int32_t tail_keys[8 * (kD + 1) * kD];
    float tail_bary[8 * (kD + 1)];
    for (int q = 0; q < 8; ++q)
      for (int i = 0; i < kD; ++i) tail[q * kD + i] = f[(p + q < count ? p + q : count - 1) * kD + i];
    embed8<kD>(tail, scale, tail_keys, tail_bary);
    std::memcpy(keys + p * (kD + 1) * kD, tail_keys, sizeof(int32_t) * (count - p) * (kD + 1) * kD);
    std::memcpy(bary + p * (kD + 1), tail_bary, sizeof(float) * (count - p) * (kD + 1));
  };
  if (d == 2) return run(Lanes<2>()), true;
  if (d == 5) return run(Lanes<5>()), true;
  return false;
}
