// IDX, the MNIST file format (LeCun): parse and write, over plain bytes that are already gunzipped.
// Layout, big-endian: 0x00 0x00, a type byte (0x08 = unsigned byte), the number of dimensions,
// one u32 per dimension, then the data. Images are 0x00000803 (count, rows, cols), labels 0x00000801.

export class IdxError extends Error {
  override name = 'IdxError';
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes; a view into the input, not a copy. */
  pixels: Uint8Array;
}

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
/** A sanity bound on any one dimension, so a corrupt header is refused before any allocation. */
const MAX_DIM = 100_000_000;

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/** Reads the header and returns the dimensions and a view of the data, checking every length. */
function parse(bytes: Uint8Array, magic: number, what: string, name: string): { dims: number[]; data: Uint8Array } {
  const fail = (msg: string): never => {
    throw new IdxError(`${name}: ${msg}`);
  };
  if (bytes.length === 0) fail(`empty file, expected an IDX ${what} file`);
  if (bytes.length < 4) fail(`truncated IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    const other = got === IDX_IMAGES_MAGIC ? ' (an IDX images file)' : got === IDX_LABELS_MAGIC ? ' (an IDX labels file)' : '';
    fail(`wrong magic number ${hex(got)}${other}, expected ${hex(magic)} for IDX ${what}`);
  }
  const ndim = magic & 0xff;
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) fail(`truncated IDX header (${bytes.length} of ${headerBytes} bytes)`);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d > MAX_DIM) fail(`dimension ${i} is ${d}, larger than the limit of ${MAX_DIM}`);
    dims.push(d);
    size *= d;
  }
  const have = bytes.length - headerBytes;
  if (have < size) fail(`truncated: header promises ${dims.join('×')} = ${size} data bytes, file has ${have}`);
  if (have > size) fail(`${have - size} unexpected bytes after the ${dims.join('×')} data`);
  return { dims, data: bytes.subarray(headerBytes, headerBytes + size) };
}

/**
 * Parses an IDX images file (magic 0x803). With `expectSide`, rows and cols must equal it (28 for
 * MNIST). `name` goes at the start of every error message.
 */
export function parseIdxImages(bytes: Uint8Array, name = 'images', expectSide?: number): IdxImages {
  const { dims, data } = parse(bytes, IDX_IMAGES_MAGIC, 'images', name);
  const [count, rows, cols] = dims;
  if (count === 0) throw new IdxError(`${name}: holds no images`);
  if (rows === 0 || cols === 0) throw new IdxError(`${name}: images are ${rows}×${cols} pixels`);
  if (expectSide !== undefined && (rows !== expectSide || cols !== expectSide)) {
    throw new IdxError(`${name}: images are ${rows}×${cols} pixels, expected ${expectSide}×${expectSide}`);
  }
  return { count, rows, cols, pixels: data };
}

/** Parses an IDX labels file (magic 0x801); every label must be below `classes` (10 digits). */
export function parseIdxLabels(bytes: Uint8Array, name = 'labels', classes = 10): Uint8Array {
  const { dims, data } = parse(bytes, IDX_LABELS_MAGIC, 'labels', name);
  if (dims[0] === 0) throw new IdxError(`${name}: holds no labels`);
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= classes) throw new IdxError(`${name}: label ${i} is ${data[i]}, expected 0..${classes - 1}`);
  }
  return data;
}

/** Refuses an images/labels pair whose counts differ. */
export function checkPair(images: IdxImages, labels: Uint8Array, imagesName: string, labelsName: string): void {
  if (images.count !== labels.length) {
    throw new IdxError(`${imagesName} has ${images.count} images but ${labelsName} has ${labels.length} labels`);
  }
}

/** An IDX header alone, for writers that stream the data after it. */
export function encodeIdxHeader(magic: number, dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/** Writes an IDX images file: count × rows × cols bytes. */
export function encodeIdxImages(pixels: Uint8Array, count: number, rows = 28, cols = 28): Uint8Array {
  if (pixels.length !== count * rows * cols) {
    throw new IdxError(`encodeIdxImages: ${pixels.length} bytes is not ${count}×${rows}×${cols}`);
  }
  const h = encodeIdxHeader(IDX_IMAGES_MAGIC, [count, rows, cols]);
  const out = new Uint8Array(h.length + pixels.length);
  out.set(h);
  out.set(pixels, h.length);
  return out;
}

/** Writes an IDX labels file. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const h = encodeIdxHeader(IDX_LABELS_MAGIC, [labels.length]);
  const out = new Uint8Array(h.length + labels.length);
  out.set(h);
  out.set(labels, h.length);
  return out;
}
