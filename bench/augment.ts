// Augmentation throughput for `npm run bench`: our kernels (one thread), the literal recipe in TS,
// sharp per image, and the SciPy yardstick ../shared/bench/ref_augment.py, measured in the same run.
//
// `npm run bench` prints the figures of one run; their history, and why sharp is not used for this
// per-image path, are in docs/speed.md ("Augmentation").
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Augmenter, type AugmentSampler } from '../src/engine/augment';
import { augmentReference } from '../src/engine/augment-reference';
import type { Augmentation } from '../src/engine/hyperparams';
import { Rng } from '../src/engine/rng';
import { firstN, loadMnistSync } from '../src/main/datasets';
import { mnistDir, sharedDir } from '../src/main/paths';

/** The yardstick's work: a random rotation in ±15° and an elastic distortion, alpha 34, sigma 4. */
export const BENCH_SPEC: Augmentation = { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 };

type BenchArg = number | { quick?: boolean; n?: number } | undefined;

function count(arg: BenchArg, full: number, quick: number): number {
  if (typeof arg === 'number') return arg;
  return arg?.n ?? (arg?.quick ? quick : full);
}

export interface AugmentBench {
  /** Our kernels, one thread, rotate 15 + elastic 34/4: the figure to compare with ref_augment.py. */
  imagesPerSecond: number;
  /** Which sampler that was ('wasm' where the runtime has WebAssembly SIMD). */
  sampler: AugmentSampler;
  /** The JavaScript sampler (the fallback without WebAssembly SIMD), taking turns with the first. */
  jsImagesPerSecond: number;
  n: number;
  spec: string;
  /** The literal Simard recipe in TypeScript (smoothing 784-point noise fields per image). */
  literalImagesPerSecond: number;
  /** sharp rotating one 28×28 image per call (no elastic distortion), awaited one by one. */
  sharpRotateImagesPerSecond: number;
  /** The same with four calls in flight (sharp's thread pool). */
  sharpRotateConcurrentImagesPerSecond: number;
}

/** Times our augmentation on n MNIST training images (best of three runs) and the alternatives. */
export async function benchAugment(arg?: BenchArg): Promise<AugmentBench> {
  const n = count(arg, 20_000, 5_000);
  const mnist = loadMnistSync();
  const src = firstN(mnist.train, Math.min(n, mnist.train.count));
  const m = src.count;
  const out = new Uint8Array(m * 784);
  const augmenter = new Augmenter(BENCH_SPEC);
  const jsAugmenter = new Augmenter(BENCH_SPEC, { sampler: 'js' });
  const rng = new Rng(1);
  let best = Infinity;
  let bestJs = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    augmenter.transformAll(out, src.images, m, rng);
    best = Math.min(best, performance.now() - t0);
    const t1 = performance.now();
    jsAugmenter.transformAll(out, src.images, m, rng);
    bestJs = Math.min(bestJs, performance.now() - t1);
  }

  const literalN = Math.max(50, Math.floor(m / 50));
  const one = new Uint8Array(784);
  const t1 = performance.now();
  for (let i = 0; i < literalN; i++) augmentReference(one, src.images.subarray((i % m) * 784, (i % m) * 784 + 784), BENCH_SPEC, rng);
  const literalSeconds = (performance.now() - t1) / 1000;

  const sharpN = Math.max(50, Math.floor(m / 40));
  const sharpOne = async (i: number) => {
    const k = i % m;
    const angle = (2 * rng.uniform() - 1) * BENCH_SPEC.rotateDeg;
    await sharp(src.images.subarray(k * 784, k * 784 + 784), { raw: { width: 28, height: 28, channels: 1 } })
      .rotate(angle, { background: '#000000' })
      .extract({ left: 0, top: 0, width: 28, height: 28 }) // back to 28×28; only the cost matters here
      .raw()
      .toBuffer();
  };
  await sharpOne(0);
  const t2 = performance.now();
  for (let i = 0; i < sharpN; i++) await sharpOne(i);
  const sharpSeconds = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  for (let i = 0; i < sharpN; i += 4) await Promise.all([0, 1, 2, 3].map((j) => sharpOne(i + j)));
  const sharpConcurrentSeconds = (performance.now() - t3) / 1000;

  return {
    imagesPerSecond: Math.round(m / (best / 1000)),
    sampler: augmenter.sampler,
    jsImagesPerSecond: Math.round(m / (bestJs / 1000)),
    n: m,
    spec: 'rotate:15,elastic:34/4',
    literalImagesPerSecond: Math.round(literalN / literalSeconds),
    sharpRotateImagesPerSecond: Math.round(sharpN / sharpSeconds),
    sharpRotateConcurrentImagesPerSecond: Math.round((Math.ceil(sharpN / 4) * 4) / sharpConcurrentSeconds),
  };
}

export interface RefAugment {
  /** The fastest of the usable interpreters: the stricter yardstick. */
  images_per_s: number;
  python: string;
  n: number;
  all: { python: string; images_per_s: number }[];
}

/** python3 interpreters with numpy and SciPy: `python3` on the PATH, then Debian's /usr/bin/python3. */
function pythonsWithScipy(): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import sys, numpy, scipy.ndimage; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) continue;
    let exe = r.stdout.trim();
    try {
      exe = realpathSync(exe);
    } catch {
      // keep the name as printed
    }
    if (seen.has(exe)) continue;
    seen.add(exe);
    found.push(py);
  }
  return found;
}

/**
 * Runs ../shared/bench/ref_augment.py on n images with every usable python3 (numpy + SciPy);
 * null when the script or such a python is missing.
 */
export function runRefAugment(arg?: BenchArg): RefAugment | null {
  const n = count(arg, 5_000, 2_000);
  const shared = sharedDir();
  const script = shared ? join(shared, 'bench', 'ref_augment.py') : null;
  if (!script || !existsSync(script)) return null;
  const all: { python: string; images_per_s: number }[] = [];
  for (const py of pythonsWithScipy()) {
    const r = spawnSync(py, [script, mnistDir(), String(n)], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    });
    if (r.status !== 0) continue;
    try {
      const line = r.stdout.trim().split('\n').pop() ?? '';
      const v = (JSON.parse(line) as { images_per_s: number }).images_per_s;
      if (typeof v === 'number' && Number.isFinite(v)) all.push({ python: py, images_per_s: Math.round(v) });
    } catch {
      // not JSON: this interpreter does not count
    }
  }
  if (all.length === 0) return null;
  const best = all.reduce((a, b) => (b.images_per_s > a.images_per_s ? b : a));
  return { images_per_s: best.images_per_s, python: best.python, n, all };
}
