// Turns the drawing pad's strokes into a grayscale image: pure, so it is tested without a DOM.
// Each stroke segment is a capsule of the pen's width; a pixel's ink is its coverage, antialiased
// over one pixel, and overlapping strokes keep the darker value (no double-darkening).
import type { GrayImage } from '../../../shared/api';

export interface Point {
  x: number;
  y: number;
}
export type Stroke = Point[];

/** Distance from p to the segment a-b. */
function segmentDistance(px: number, py: number, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - a.x) * dx + (py - a.y) * dy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = px - (a.x + t * dx);
  const ey = py - (a.y + t * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Rasterizes strokes given in pad coordinates (0..width, 0..height) into a width × height image,
 * ink 255 on background 0, with pixel centres at (i + 0.5, j + 0.5).
 */
export function rasterizeStrokes(strokes: readonly Stroke[], width: number, height: number, penWidth: number): GrayImage {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) throw new Error(`rasterizeStrokes: bad size ${width}x${height}`);
  if (!(penWidth > 0)) throw new Error(`rasterizeStrokes: pen width must be positive, got ${penWidth}`);
  const ink = new Float32Array(width * height);
  const r = penWidth / 2;
  for (const stroke of strokes) {
    // A one-point stroke is a dot: the segment from the point to itself.
    const segments = stroke.length === 1 ? 1 : stroke.length - 1;
    for (let s = 0; s < segments && stroke.length > 0; s++) {
      const a = stroke[s];
      const b = stroke[Math.min(s + 1, stroke.length - 1)];
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 1));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 1));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + r + 1));
      for (let j = y0; j <= y1; j++) {
        for (let i = x0; i <= x1; i++) {
          const d = segmentDistance(i + 0.5, j + 0.5, a, b);
          const cover = r + 0.5 - d;
          if (cover <= 0) continue;
          const v = cover >= 1 ? 1 : cover;
          const k = j * width + i;
          if (v > ink[k]) ink[k] = v;
        }
      }
    }
  }
  const pixels = new Array<number>(width * height);
  for (let k = 0; k < pixels.length; k++) pixels[k] = Math.round(ink[k] * 255);
  return { width, height, pixels };
}

/** The bounding box of the inked pixels, or null for an empty image. */
export function inkBounds(img: GrayImage): { left: number; top: number; right: number; bottom: number } | null {
  let left = img.width;
  let top = img.height;
  let right = -1;
  let bottom = -1;
  for (let j = 0; j < img.height; j++) {
    for (let i = 0; i < img.width; i++) {
      if (img.pixels[j * img.width + i] > 0) {
        if (i < left) left = i;
        if (i > right) right = i;
        if (j < top) top = j;
        if (j > bottom) bottom = j;
      }
    }
  }
  return right < 0 ? null : { left, top, right, bottom };
}

/** MNIST's strokes are about this fraction of its digits' size (2 to 3 pixels of a 20-pixel digit). */
export const STROKE_TO_SIZE = 0.11;

/**
 * The pen width the network's input is drawn with: the user's pen, but never fatter than MNIST's
 * strokes are for a digit of this size. A digit drawn small with a wide pen would otherwise reach the
 * network as a blob once fitted into 20×20 (a small 5 read as an 8).
 */
export function inputPen(strokes: readonly Stroke[], pen: number): number {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of strokes)
    for (const p of s) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
  if (!Number.isFinite(minX)) return pen;
  const extent = Math.max(maxX - minX, maxY - minY) + pen;
  return Math.max(Math.min(pen, STROKE_TO_SIZE * extent), Math.min(pen, 4));
}
