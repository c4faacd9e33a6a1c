// Image files in and out through sharp: decode an upload (PNG, JPEG, WebP, GIF, TIFF) to one gray
// channel, refusing what is not an image or is absurdly large, and encode gray images as PNG.
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { GrayImage } from '../shared/api';
import { MAX_DECODED_SIDE, MAX_IMAGE_FILE_BYTES as MAX_FILE_BYTES, MAX_IMAGE_INPUT_PIXELS as MAX_INPUT_PIXELS } from '../shared/limits';

export class ImageError extends Error {
  override name = 'ImageError';
}

const FORMATS = new Set(['png', 'jpeg', 'webp', 'gif', 'tiff']);

/** Reads and decodes an image file; every refusal is one line that names the file. */
export async function decodeImageFile(path: string): Promise<GrayImage> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new ImageError(`${path}: is a folder, not an image`);
    // A device (/dev/zero) or a named pipe would be read forever: only regular files are images.
    if (!s.isFile()) throw new ImageError(`${path}: is not a regular file`);
    size = s.size;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(e as Error).message})`);
  }
  if (size > MAX_FILE_BYTES) throw new ImageError(`${path}: ${size} bytes is larger than the limit of ${MAX_FILE_BYTES} bytes for an image`);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new ImageError(`${path}: cannot read (${(e as Error).message})`);
  }
  return decodeImageBuffer(buf, path);
}

/**
 * Decodes image bytes to gray 0..255 (not yet normalized: polarity is the digit normalizer's job).
 * Transparency is flattened onto a background opposite to the ink: a dark drawing on a transparent
 * canvas lands on white, a light one on black, so neither vanishes.
 */
export async function decodeImageBuffer(buf: Uint8Array, name: string): Promise<GrayImage> {
  if (buf.length === 0) throw new ImageError(`${name}: empty file, not an image`);
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const, autoOrient: true };
  let meta: Metadata;
  try {
    // Reading the header decodes no pixels, so the size limit is checked below with a clearer message.
    meta = await sharp(buf, { ...options, limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageError(`${name}: not an image (${shortReason(e)})`);
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new ImageError(`${name}: unsupported format ${meta.format ?? 'unknown'} (use PNG, JPEG, WebP, GIF or TIFF)`);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w < 1 || h < 1) throw new ImageError(`${name}: image has no pixels (${w}×${h})`);
  if (w * h > MAX_INPUT_PIXELS) {
    throw new ImageError(`${name}: ${w}×${h} pixels is more than the limit of ${MAX_INPUT_PIXELS / 1e6} megapixels`);
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
    throw new ImageError(`${name}: cannot decode (${shortReason(e)})`);
  }
  const n = info.width * info.height;
  const pixels = new Array<number>(n);
  if (info.channels === 1) {
    for (let i = 0; i < n; i++) pixels[i] = data[i];
    return { width: info.width, height: info.height, pixels };
  }
  if (info.channels !== 4) throw new ImageError(`${name}: unexpected ${info.channels} channels after decoding`);
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
    throw new ImageError(`encodePng: ${gray.width}×${gray.height} image has ${gray.pixels.length} pixels`);
  }
  const bytes = Buffer.from(Uint8Array.from(gray.pixels, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  let img = sharp(bytes, { raw: { width: gray.width, height: gray.height, channels: 1 } });
  if (scale > 1) img = img.resize(gray.width * scale, gray.height * scale, { kernel: 'nearest' });
  return img.png().toBuffer();
}
