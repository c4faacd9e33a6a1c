// MNIST from disk: IDX files (gzip or raw) read once per process into SharedArrayBuffers, so every
// worker shares the same bytes, and cut into the book's split (50,000 / 10,000 / 10,000 test).
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { DataSplit } from '../engine/data';
import { IMAGE_PIXELS, IMAGE_SIDE } from '../engine/data';
import { IdxError, checkPair, parseIdxImages, parseIdxLabels } from '../engine/idx';
import { mnistDir } from './paths';
import { MAX_IDX_BYTES } from '../shared/limits';

export type { DataSplit } from '../engine/data';
export { IdxError } from '../engine/idx';

export interface Mnist {
  train: DataSplit;
  validation: DataSplit;
  test: DataSplit;
}

/** The book's split of the 60,000 training images. */
export const BOOK_TRAIN = 50_000;
export const BOOK_VALIDATION = 10_000;

const gunzipAsync = promisify(gunzip);

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readError(path: string, e: unknown): IdxError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new IdxError(`${path}: no such file`);
  if (err.code === 'EISDIR') return new IdxError(`${path}: is a folder, expected an IDX file`);
  if (err.code === 'EACCES') return new IdxError(`${path}: permission denied`);
  return new IdxError(`${path}: cannot read (${err.message})`);
}

function gunzipError(path: string, e: unknown): IdxError {
  if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return new IdxError(`${path}: decompresses to more than ${MAX_IDX_BYTES} bytes, refused`);
  return new IdxError(`${path}: corrupt gzip data (${(e as Error).message})`);
}

/** The bytes of an IDX file, gunzipped when it starts with the gzip magic 1f 8b. */
export function readIdxBytesSync(path: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw readError(path, e);
  }
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_IDX_BYTES });
  } catch (e) {
    throw gunzipError(path, e);
  }
}

export async function readIdxBytes(path: string): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (e) {
    throw readError(path, e);
  }
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: MAX_IDX_BYTES });
  } catch (e) {
    throw gunzipError(path, e);
  }
}

/** Copies bytes into a SharedArrayBuffer, so worker_threads can receive them without copying. */
export function toShared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

/** A split from the bytes of an images file and a labels file (28×28, counts must agree). */
export function splitFromIdx(imageBytes: Uint8Array, labelBytes: Uint8Array, imagesName: string, labelsName: string): DataSplit {
  const images = parseIdxImages(imageBytes, imagesName, IMAGE_SIDE);
  const labels = parseIdxLabels(labelBytes, labelsName);
  checkPair(images, labels, imagesName, labelsName);
  return { images: toShared(images.pixels), labels: toShared(labels), count: images.count };
}

/** Finds `train-images-idx3-ubyte` as .gz, raw, or with the dot some mirrors use. */
function findFile(dir: string, stem: string): string {
  const dotted = stem.replace(/-(idx\d)/, '.$1');
  const candidates = [stem + '.gz', stem, dotted + '.gz', dotted].map((n) => join(dir, n));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new IdxError(`${join(dir, stem + '.gz')}: no such file (MNIST folder ${dir})`);
  return found;
}

function mnistFiles(dir: string) {
  return {
    trainImages: findFile(dir, 'train-images-idx3-ubyte'),
    trainLabels: findFile(dir, 'train-labels-idx1-ubyte'),
    testImages: findFile(dir, 't10k-images-idx3-ubyte'),
    testLabels: findFile(dir, 't10k-labels-idx1-ubyte'),
  };
}

function bookSplit(all: DataSplit, test: DataSplit, dir: string): Mnist {
  if (all.count !== BOOK_TRAIN + BOOK_VALIDATION) {
    throw new IdxError(`${dir}: training files hold ${all.count} images, the book's split needs ${BOOK_TRAIN + BOOK_VALIDATION}`);
  }
  return {
    train: slice(all, 0, BOOK_TRAIN),
    validation: slice(all, BOOK_TRAIN, BOOK_TRAIN + BOOK_VALIDATION),
    test,
  };
}

/** Images start..end of a split, as views (the SharedArrayBuffer is kept, nothing is copied). */
export function slice(split: DataSplit, start: number, end: number): DataSplit {
  return {
    images: split.images.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS),
    labels: split.labels.subarray(start, end),
    count: end - start,
  };
}

/** The first n images of a split (the book's 1,000-image overfitting runs), as views. */
export function firstN(split: DataSplit, n: number): DataSplit {
  if (!Number.isInteger(n) || n < 1 || n > split.count) {
    throw new RangeError(`firstN: n must be an integer in 1..${split.count}, got ${n}`);
  }
  return slice(split, 0, n);
}

const cache = new Map<string, Promise<Mnist>>();
const cacheSync = new Map<string, Mnist>();

/** MNIST with the book's split, read once per process and folder (default: the bundled copy). */
export function loadMnist(dir: string = mnistDir()): Promise<Mnist> {
  const key = resolve(dir);
  const done = cacheSync.get(key);
  if (done) return Promise.resolve(done);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const f = mnistFiles(key);
      const [ti, tl, si, sl] = await Promise.all([f.trainImages, f.trainLabels, f.testImages, f.testLabels].map(readIdxBytes));
      const m = bookSplit(splitFromIdx(ti, tl, f.trainImages, f.trainLabels), splitFromIdx(si, sl, f.testImages, f.testLabels), key);
      cacheSync.set(key, m);
      return m;
    })();
    // A failed load is not cached: the user may fix the folder and try again.
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** The same as loadMnist, synchronously (CLI, tests); shares the cache. */
export function loadMnistSync(dir: string = mnistDir()): Mnist {
  const key = resolve(dir);
  let m = cacheSync.get(key);
  if (!m) {
    const f = mnistFiles(key);
    const split = (imgs: string, labs: string) => splitFromIdx(readIdxBytesSync(imgs), readIdxBytesSync(labs), imgs, labs);
    m = bookSplit(split(f.trainImages, f.trainLabels), split(f.testImages, f.testLabels), key);
    cacheSync.set(key, m);
  }
  return m;
}

/** Reads any images/labels IDX pair (e.g. an expanded dataset) as one split. */
export async function loadIdxPair(imagesPath: string, labelsPath: string): Promise<DataSplit> {
  const [ib, lb] = await Promise.all([readIdxBytes(imagesPath), readIdxBytes(labelsPath)]);
  return splitFromIdx(ib, lb, imagesPath, labelsPath);
}
