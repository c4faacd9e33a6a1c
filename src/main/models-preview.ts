// The augmentation preview for the UI: one digit, then `count` random transforms of it (the same
// kernels and seeding as training), as one PNG sheet in base64.
import { Augmenter } from '../engine/augment';
import type { Augmentation } from '../engine/hyperparams';
import { Rng } from '../engine/rng';
import { encodePng } from './images';

const GAP = 2;
const SCALE = 3;

export async function augmentPreviewPng(digit: Uint8Array, augment: Augmentation, count: number, seed: number): Promise<string> {
  const tiles = count + 1;
  const cols = Math.ceil(Math.sqrt(tiles));
  const rows = Math.ceil(tiles / cols);
  const width = cols * 28 + (cols - 1) * GAP;
  const height = rows * 28 + (rows - 1) * GAP;
  const sheet = new Array<number>(width * height).fill(0);
  const augmenter = new Augmenter(augment);
  const rng = new Rng(seed);
  const tile = new Uint8Array(784);
  for (let t = 0; t < tiles; t++) {
    if (t === 0) tile.set(digit);
    else augmenter.transform(tile, 0, digit, 0, rng);
    const ox = (t % cols) * (28 + GAP);
    const oy = Math.floor(t / cols) * (28 + GAP);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) sheet[(oy + y) * width + ox + x] = tile[y * 28 + x];
  }
  const png = await encodePng({ width, height, pixels: sheet }, SCALE);
  return png.toString('base64');
}
