// Augmentation to files: "expand the dataset" as the book's expand_mnist.py does (the originals plus
// transformed copies, written as gzipped IDX, atomically, with progress), and a preview sheet PNG.
import { createWriteStream, rmSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { Augmenter } from '../engine/augment';
import type { DataSplit } from '../engine/data';
import { IMAGE_PIXELS } from '../engine/data';
import type { Augmentation } from '../engine/hyperparams';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, encodeIdxHeader } from '../engine/idx';
import { Rng } from '../engine/rng';
import { encodePng } from './images';
import { checkWritable, pendingTemporaryFiles, tempName } from './runs/atomic';

export class ExpandError extends Error {
  override name = 'ExpandError';
}

export interface ExpandProgress {
  imagesDone: number;
  imagesTotal: number;
}

export interface ExpandResult {
  imagesPath: string;
  labelsPath: string;
  count: number;
}

/**
 * Source images per chunk: bounds memory, sets the progress granularity and keeps each synchronous
 * stretch short (about 500 × (copies + 1) transforms, a few tens of milliseconds) for an event loop.
 */
export const EXPAND_CHUNK = 500;
export const MAX_COPIES = 50;

/**
 * The labels file that goes with an images file: `...images-idx3-ubyte.gz` → `...labels-idx1-ubyte.gz`,
 * otherwise `name.gz` → `name.labels.gz`.
 */
export function labelsPathFor(imagesPath: string): string {
  const dir = dirname(imagesPath);
  const name = basename(imagesPath);
  if (name.includes('images-idx3')) return join(dir, name.replace('images-idx3', 'labels-idx1'));
  const m = /^(.*?)(\.gz)?$/.exec(name) as RegExpExecArray;
  return join(dir, `${m[1]}.labels${m[2] ?? ''}`);
}

/** A gzip stream into a temporary file next to `path`; `commit` renames it into place. */
function gzipFile(path: string) {
  const tmp = tempName(path);
  pendingTemporaryFiles.add(tmp);
  const file = createWriteStream(tmp);
  const gz = createGzip();
  gz.pipe(file);
  // Either stream's failure (a full disk makes the file stream fail, and then gz never drains)
  // ends every wait below, so the error reaches the caller instead of a wait that never settles.
  const failure = new Promise<never>((_, reject) => {
    gz.on('error', reject);
    file.on('error', reject);
  });
  failure.catch(() => {});
  return {
    tmp,
    async write(chunk: Uint8Array) {
      if (!gz.write(chunk)) await Promise.race([once(gz, 'drain'), failure]);
    },
    async close() {
      gz.end();
      await Promise.race([once(file, 'close'), failure]);
    },
    commit() {
      renameSync(tmp, path);
      pendingTemporaryFiles.delete(tmp);
    },
    discard() {
      gz.destroy();
      file.destroy();
      rmSync(tmp, { force: true });
      pendingTemporaryFiles.delete(tmp);
    },
  };
}

/**
 * Writes the split expanded `copies` times: each original image followed by `copies` random
 * transforms of it (expand_mnist.py writes each image and its four one-pixel shifts), labels alongside.
 * Both files appear only when complete (temporary names, then rename). The same seed gives the same
 * files. Returns the paths and the number of images written.
 */
export async function expandDataset(
  split: DataSplit,
  spec: Augmentation,
  copies: number,
  outPath: string,
  onProgress?: (p: ExpandProgress) => void,
  seed = 1,
): Promise<ExpandResult> {
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
    throw new ExpandError(`copies must be a whole number from 1 to ${MAX_COPIES}, got ${copies}`);
  }
  const labelsPath = labelsPathFor(outPath);
  for (const p of [outPath, labelsPath]) {
    try {
      checkWritable(p);
    } catch (e) {
      throw new ExpandError((e as Error).message);
    }
  }
  const per = copies + 1;
  const total = split.count * per;

  const images = gzipFile(outPath);
  const labels = gzipFile(labelsPath);
  try {
    await images.write(encodeIdxHeader(IDX_IMAGES_MAGIC, [total, 28, 28]));
    await labels.write(encodeIdxHeader(IDX_LABELS_MAGIC, [total]));
    const augmenter = new Augmenter(spec);
    const rng = new Rng(seed);
    const chunkImages = new Uint8Array(EXPAND_CHUNK * per * IMAGE_PIXELS);
    const chunkLabels = new Uint8Array(EXPAND_CHUNK * per);
    for (let start = 0; start < split.count; start += EXPAND_CHUNK) {
      const n = Math.min(EXPAND_CHUNK, split.count - start);
      for (let i = 0; i < n; i++) {
        const src = (start + i) * IMAGE_PIXELS;
        const o = i * per;
        chunkImages.set(split.images.subarray(src, src + IMAGE_PIXELS), o * IMAGE_PIXELS);
        for (let c = 1; c <= copies; c++) augmenter.transform(chunkImages, (o + c) * IMAGE_PIXELS, split.images, src, rng);
        chunkLabels.fill(split.labels[start + i], o, o + per);
      }
      // Copies, because the stream keeps the chunk while the next one is being filled.
      await images.write(chunkImages.slice(0, n * per * IMAGE_PIXELS));
      await labels.write(chunkLabels.slice(0, n * per));
      onProgress?.({ imagesDone: (start + n) * per, imagesTotal: total });
    }
    await Promise.all([images.close(), labels.close()]);
    labels.commit();
    images.commit();
  } catch (e) {
    images.discard();
    labels.discard();
    if (e instanceof ExpandError) throw e;
    throw new ExpandError(`${outPath}: cannot write the expanded dataset (${(e as Error).message.split('\n')[0]})`);
  }
  return { imagesPath: outPath, labelsPath, count: total };
}

const GAP = 2;

/**
 * A PNG sheet for the UI: the digit itself first, then `count` random transforms of it, in a
 * near-square grid, each tile enlarged `scale` times with hard pixel edges.
 */
/** One preview tile's transform: the first tile is the digit itself (all zero). */
export interface PreviewTile {
  angleDeg: number;
  shiftX: number;
  shiftY: number;
  elastic: boolean;
}

export async function augmentPreviewPng(image784: Uint8Array, spec: Augmentation, count: number, seed: number, scale = 3): Promise<Buffer> {
  return (await augmentPreview(image784, spec, count, seed, scale)).png;
}

/** The preview sheet and what each tile's transform was, in reading order. */
export async function augmentPreview(
  image784: Uint8Array,
  spec: Augmentation,
  count: number,
  seed: number,
  scale = 3,
): Promise<{ png: Buffer; tiles: PreviewTile[] }> {
  if (image784.length !== IMAGE_PIXELS) throw new ExpandError(`preview needs one 28×28 image (784 bytes), got ${image784.length}`);
  if (!Number.isInteger(count) || count < 1 || count > 400) throw new ExpandError(`preview count must be 1..400, got ${count}`);
  const tiles = count + 1;
  const cols = Math.ceil(Math.sqrt(tiles));
  const rows = Math.ceil(tiles / cols);
  const width = cols * 28 + (cols - 1) * GAP;
  const height = rows * 28 + (rows - 1) * GAP;
  const sheet = new Array<number>(width * height).fill(64);
  const augmenter = new Augmenter(spec);
  const rng = new Rng(seed);
  const tile = new Uint8Array(IMAGE_PIXELS);
  const labels: PreviewTile[] = [];
  for (let t = 0; t < tiles; t++) {
    if (t === 0) tile.set(image784);
    else augmenter.transform(tile, 0, image784, 0, rng);
    const l = augmenter.last;
    labels.push(
      t === 0
        ? { angleDeg: 0, shiftX: 0, shiftY: 0, elastic: false }
        : { angleDeg: l.angleDeg, shiftX: l.shiftX, shiftY: l.shiftY, elastic: spec.elasticAlpha > 0 },
    );
    const ox = (t % cols) * (28 + GAP);
    const oy = Math.floor(t / cols) * (28 + GAP);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) sheet[(oy + y) * width + ox + x] = tile[y * 28 + x];
  }
  return { png: await encodePng({ width, height, pixels: sheet }, scale), tiles: labels };
}
