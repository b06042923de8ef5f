// Segmentation metrics over a set of images: one confusion matrix accumulated over all pixels.
// void (255 in VOC masks) is ignored; mIoU = mean IoU over the classes present in the ground
// truth or in the prediction (union > 0), as ../shared/data/MANIFEST.md computes it.
export class ConfusionMatrix {
  readonly counts: Float64Array;
  constructor(readonly classes: number, readonly ignore = 255) {
    this.counts = new Float64Array(classes * classes);
  }

  /** Adds one image: `truth` and `predicted` are class ids per pixel, same length. */
  add(truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
    if (truth.length !== predicted.length) throw new Error(`size mismatch: truth ${truth.length}, predicted ${predicted.length}`);
    const C = this.classes;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i] as number;
      if (t === this.ignore) continue;
      const p = predicted[i] as number;
      if (t >= C || p >= C || t < 0 || p < 0) throw new Error(`class id out of range at pixel ${i}: truth ${t}, predicted ${p}`);
      this.counts[t * C + p] = (this.counts[t * C + p] as number) + 1;
    }
  }

  /** IoU per class (NaN where the class is in neither truth nor prediction). */
  iou(): number[] {
    const C = this.classes;
    const out: number[] = [];
    for (let c = 0; c < C; c++) {
      let tp = 0, row = 0, col = 0;
      tp = this.counts[c * C + c] as number;
      for (let k = 0; k < C; k++) {
        row += this.counts[c * C + k] as number;
        col += this.counts[k * C + c] as number;
      }
      const union = row + col - tp;
      out.push(union > 0 ? tp / union : NaN);
    }
    return out;
  }

  meanIoU(): number {
    const present = this.iou().filter((x) => !Number.isNaN(x));
    return present.reduce((a, b) => a + b, 0) / present.length;
  }

  pixelAccuracy(): number {
    const C = this.classes;
    let tp = 0, all = 0;
    for (let c = 0; c < C; c++) tp += this.counts[c * C + c] as number;
    for (const v of this.counts) all += v;
    return tp / all;
  }
}
