// Weight layout conversions into atrous's OHWI ([Cout, KH, KW, Cin/groups]).

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Generic 4-D permutation: out[o,h,w,i] = src at the index `at(o, h, w, i)`. */
function permute(target: readonly number[], at: (o: number, h: number, w: number, i: number) => number, src: Float32Array): Float32Array {
  const [O, H, W, I] = target as [number, number, number, number];
  const out = new Float32Array(O * H * W * I);
  let k = 0;
  for (let o = 0; o < O; o++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let i = 0; i < I; i++) out[k++] = src[at(o, h, w, i)] as number;
  return out;
}

/** PyTorch OIHW → OHWI. */
export function fromOihw(src: Float32Array, srcShape: readonly number[], target: readonly number[]): Float32Array | undefined {
  const [O, H, W, I] = target as [number, number, number, number];
  if (!same(srcShape, [O, I, H, W])) return undefined;
  return permute(target, (o, h, w, i) => ((o * I + i) * H + h) * W + w, src);
}

/** TF HWIO → OHWI; a depthwise target [C·M, H, W, 1] reads TF's HWCM [H, W, C, M]. */
export function fromHwio(src: Float32Array, srcShape: readonly number[], target: readonly number[]): Float32Array | undefined {
  const [O, H, W, I] = target as [number, number, number, number];
  if (same(srcShape, [H, W, I, O])) return permute(target, (o, h, w, i) => ((h * W + w) * I + i) * O + o, src);
  if (I === 1 && srcShape.length === 4 && srcShape[0] === H && srcShape[1] === W) {
    const [, , C, M] = srcShape as [number, number, number, number];
    if (C * M === O) return permute(target, (o, h, w) => (h * W + w) * O + o, src); // HWCM flattens c·M+m = o
  }
  return undefined;
}

/** TFLite: conv already OHWI; depthwise [1, H, W, C·M]. */
export function fromTflite(src: Float32Array, srcShape: readonly number[], target: readonly number[]): Float32Array | undefined {
  const [O, H, W, I] = target as [number, number, number, number];
  if (same(srcShape, target)) return src;
  if (I === 1 && same(srcShape, [1, H, W, O])) return permute(target, (o, h, w) => (h * W + w) * O + o, src);
  return undefined;
}

/** 1-D (and any equal-shape) tensors pass through. */
export function passThrough(src: Float32Array, srcShape: readonly number[], target: readonly number[]): Float32Array | undefined {
  if (same(srcShape, target)) return src;
  const n = target.reduce((a, b) => a * b, 1);
  return target.length === 1 && srcShape.reduce((a, b) => a * b, 1) === n && srcShape.filter((d) => d !== 1).length <= 1 ? src : undefined;
}
