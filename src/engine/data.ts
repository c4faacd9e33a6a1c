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
