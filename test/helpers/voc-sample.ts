// The 20 shared VOC val images and their masks. Masks are palette PNGs with the standard VOC colour
// map; sharp expands them to RGB, so each colour is mapped back to its palette index (the class id,
// 255 = void). A colour outside the map throws rather than guessing.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

import { vocColor } from '../../lib/segment/colormap';
import { sharedPath } from './data';

export function vocIds(): string[] {
  const dir = sharedPath('data', 'voc-sample', 'images');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).map((f) => f.slice(0, -4)).sort();
}

export function vocImage(id: string): string {
  return sharedPath('data', 'voc-sample', 'images', `${id}.jpg`);
}

const byColor = new Map<number, number>();
for (let i = 0; i < 256; i++) {
  const [r, g, b] = vocColor(i);
  byColor.set((r << 16) | (g << 8) | b, i);
}

export async function vocMask(id: string): Promise<{ ids: Uint8Array; width: number; height: number }> {
  const file = sharedPath('data', 'voc-sample', 'masks', `${id}.png`);
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const ids = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const key = ((data[p * 3] as number) << 16) | ((data[p * 3 + 1] as number) << 8) | (data[p * 3 + 2] as number);
    const id = byColor.get(key);
    if (id === undefined) throw new Error(`${path.basename(file)}: pixel ${p} has colour ${key.toString(16)} outside the VOC palette`);
    ids[p] = id;
  }
  return { ids, width: info.width, height: info.height };
}
