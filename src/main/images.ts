// Image files in and out through sharp: decode an upload (PNG, JPEG, WebP, GIF, TIFF) to one gray
// channel, refusing what is not an image or is absurdly large, and encode gray images as PNG.
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { GrayImage } from '../shared/api';
import { LabError, type ErrorCode, type ErrorParams } from '../shared/errors';
import { MAX_DECODED_SIDE, MAX_IMAGE_FILE_BYTES as MAX_FILE_BYTES, MAX_IMAGE_INPUT_PIXELS as MAX_INPUT_PIXELS } from '../shared/limits';

export class ImageError extends LabError {
  override name = 'ImageError';
}

/** A refusal naming the file or image it is about. */
function refuse(name: string, code: ErrorCode, params: ErrorParams = {}): ImageError {
  return new ImageError(code, params, name);
}

const FORMATS = new Set(['png', 'jpeg', 'webp', 'gif', 'tiff']);

/** Reads and decodes an image file; every refusal is one line that names the file. */
export async function decodeImageFile(path: string): Promise<GrayImage> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw refuse(path, 'image.folder');
    // A device (/dev/zero) or a named pipe would be read forever: only regular files are images.
    if (!s.isFile()) throw refuse(path, 'image.notFile');
    size = s.size;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? refuse(path, 'image.noFile') : refuse(path, 'image.cannotRead', { detail: (e as Error).message });
  }
  if (size > MAX_FILE_BYTES) throw refuse(path, 'image.tooLarge', { n: size, max: MAX_FILE_BYTES });
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw refuse(path, 'image.cannotRead', { detail: (e as Error).message });
  }
  return decodeImageBuffer(buf, path);
}

/**
 * Decodes image bytes to gray 0..255 (not yet normalized: polarity is the digit normalizer's job).
 * Transparency is flattened onto a background opposite to the ink: a dark drawing on a transparent
 * canvas lands on white, a light one on black, so neither vanishes.
 */
export async function decodeImageBuffer(buf: Uint8Array, name: string): Promise<GrayImage> {
  if (buf.length === 0) throw refuse(name, 'image.empty');
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const, autoOrient: true };
  let meta: Metadata;
  try {
    // Reading the header decodes no pixels, so the size limit is checked below with a clearer message.
    meta = await sharp(buf, { ...options, limitInputPixels: false }).metadata();
  } catch (e) {
    throw refuse(name, 'image.notImage', { detail: shortReason(e) });
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw refuse(name, 'image.format', { format: meta.format ?? 'unknown' });
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w < 1 || h < 1) throw refuse(name, 'image.noPixels', { w, h });
  if (w * h > MAX_INPUT_PIXELS) {
    throw refuse(name, 'image.tooManyPixels', { w, h, max: MAX_INPUT_PIXELS / 1e6 });
  }
  let data: Buffer;
  let info: OutputInfo;
  try {
    let img = sharp(buf, options);
    if (Math.max(w, h) > MAX_DECODED_SIDE) img = img.resize(MAX_DECODED_SIDE, MAX_DECODED_SIDE, { fit: 'inside', kernel: 'mitchell' });
    // sharp's grayscale drops the alpha channel, so images with alpha come out as RGBA and are
    // converted here.
    ({ data, info } = await (meta.hasAlpha ? img.toColourspace('srgb').ensureAlpha() : img.grayscale()).raw().toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw refuse(name, 'image.cannotDecode', { detail: shortReason(e) });
  }
  const n = info.width * info.height;
  const pixels = new Array<number>(n);
  if (info.channels === 1) {
    for (let i = 0; i < n; i++) pixels[i] = data[i];
    return { width: info.width, height: info.height, pixels };
  }
  if (info.channels !== 4) throw refuse(name, 'image.channels', { n: info.channels });
  // Rec. 601 luma, as sharp's own grayscale; the ink's colour is the alpha-weighted mean luma.
  const luma = new Float64Array(n);
  let weighted = 0;
  let alphaSum = 0;
  for (let i = 0; i < n; i++) {
    luma[i] = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2];
    weighted += luma[i] * data[4 * i + 3];
    alphaSum += data[4 * i + 3];
  }
  const background = alphaSum > 0 && weighted / alphaSum > 127 ? 0 : 255;
  for (let i = 0; i < n; i++) {
    const a = data[4 * i + 3] / 255;
    pixels[i] = Math.round(luma[i] * a + background * (1 - a));
  }
  return { width: info.width, height: info.height, pixels };
}

function shortReason(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  return msg
    .split('\n')[0]
    .replace(/^Input (buffer|file) (contains|has) /, '')
    .trim();
}

/** A gray image as PNG bytes; `scale` > 1 enlarges it with hard pixel edges (for small digits). */
export async function encodePng(gray: GrayImage, scale = 1): Promise<Buffer> {
  if (gray.pixels.length !== gray.width * gray.height) {
    throw new Error(`encodePng: ${gray.width}×${gray.height} image has ${gray.pixels.length} pixels`);
  }
  const bytes = Buffer.from(Uint8Array.from(gray.pixels, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  let img = sharp(bytes, { raw: { width: gray.width, height: gray.height, channels: 1 } });
  if (scale > 1) img = img.resize(gray.width * scale, gray.height * scale, { kernel: 'nearest' });
  return img.png().toBuffer();
}
