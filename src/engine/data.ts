// The dataset representation shared by the engine, workers and services: images stay bytes
// (count × 784, row-major 28×28, 0 = background .. 255 = ink) until a mini-batch needs floats.

export interface DataSplit {
  /** count × 784 bytes; in the main process backed by a SharedArrayBuffer so workers share it. */
  images: Uint8Array;
  /** count digits 0..9. */
  labels: Uint8Array;
  count: number;
}

export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** The images of `split` whose label is one of `digits`, in order (a copy). */
export function onlyDigits(split: DataSplit, digits: readonly number[]): DataSplit {
  const keep = new Set(digits);
  let count = 0;
  for (let i = 0; i < split.count; i++) if (keep.has(split.labels[i])) count++;
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  let o = 0;
  for (let i = 0; i < split.count; i++) {
    if (!keep.has(split.labels[i])) continue;
    images.set(split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), o * IMAGE_PIXELS);
    labels[o++] = split.labels[i];
  }
  return { images, labels, count };
}
