// PASCAL VOC masks are palette PNGs whose indices are class ids (255 = void). sharp decodes them to
// RGB, so the indices are recovered from the standard VOC colour map.
import sharp from 'sharp';

/** The VOC colour of label `i` (the devkit's bit-interleaving colour map). */
export function vocColor(i: number): [number, number, number] {
  let r = 0, g = 0, b = 0;
  for (let bit = 0, c = i; bit < 8; bit++, c >>= 3) {
    r |= ((c >> 0) & 1) << (7 - bit);
    g |= ((c >> 1) & 1) << (7 - bit);
    b |= ((c >> 2) & 1) << (7 - bit);
  }
  return [r, g, b];
}

export interface LabelMap {
  width: number;
  height: number;
  labels: Uint8Array;
}

/** Class ids of a VOC mask (0..20, 255 = void). Throws on a colour outside the map. */
export async function readVocMask(file: string): Promise<LabelMap> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const byColor = new Map<number, number>();
  for (const i of [...Array(21).keys(), 255]) {
    const [r, g, b] = vocColor(i);
    byColor.set((r << 16) | (g << 8) | b, i);
  }
  const labels = new Uint8Array(info.width * info.height);
  for (let p = 0; p < labels.length; p++) {
    const key = ((data[3 * p] as number) << 16) | ((data[3 * p + 1] as number) << 8) | (data[3 * p + 2] as number);
    const id = byColor.get(key);
    if (id === undefined) throw new Error(`${file}: pixel ${p} has colour ${key.toString(16)}, not a VOC label colour`);
    labels[p] = id;
  }
  return { width: info.width, height: info.height, labels };
}
