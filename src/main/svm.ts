// Chapter 1's SVM baseline with an established library: libsvm (through libsvm-js, its
// WebAssembly build), configured as the book's scikit-learn SVC() was: C-SVC, RBF kernel, C = 1,
// γ = 1/784 (scikit-learn's gamma='auto' of the time), on pixels scaled to [0, 1]. The book trained
// on all 50,000 images (94.35%); that takes tens of minutes here, so the lab trains on the first
// `trainSize` and says so, with the time it took.
import { createRequire } from 'node:module';
import { IMAGE_PIXELS, type DataSplit } from '../engine/data';
import type { SvmResult } from '../shared/api';

export type { SvmResult } from '../shared/api';

export interface SvmProgress {
  phase: 'loading' | 'training' | 'testing';
  done: number;
  total: number;
}

interface SvmModel {
  train(samples: number[][], labels: number[]): void;
  predictOne(sample: number[]): number;
  getSVIndices(): number[];
  free(): void;
}
interface SvmClass {
  new (options: Record<string, unknown>): SvmModel;
  SVM_TYPES: { C_SVC: number };
  KERNEL_TYPES: { RBF: number };
}

let loaded: Promise<SvmClass> | null = null;

/** libsvm's WebAssembly module, loaded once. */
function loadLibsvm(): Promise<SvmClass> {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    // Its loader tries fetch() on a file path first (which fails in Node, noisily) before reading
    // the file; without fetch it reads the file directly.
    const f = globalThis.fetch;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      loaded = require('libsvm-js/wasm') as Promise<SvmClass>;
    } finally {
      globalThis.fetch = f;
    }
  }
  return loaded;
}

function rows(split: DataSplit, count: number): number[][] {
  return Array.from({ length: count }, (_, i) => Array.from(split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), (v) => v / 255));
}

/** Trains on the first trainSize training images and classifies the first testSize test images. */
export async function svmBaseline(
  train: DataSplit,
  test: DataSplit,
  trainSize: number,
  testSize: number,
  onProgress: (p: SvmProgress) => void = () => {},
): Promise<SvmResult> {
  if (!(Number.isInteger(trainSize) && trainSize >= 10 && trainSize <= train.count))
    throw new Error(`trainSize must be a whole number from 10 to ${train.count}, got ${trainSize}`);
  if (!(Number.isInteger(testSize) && testSize >= 1 && testSize <= test.count))
    throw new Error(`testSize must be a whole number from 1 to ${test.count}, got ${testSize}`);
  onProgress({ phase: 'loading', done: 0, total: 1 });
  const SVM = await loadLibsvm();
  const svm = new SVM({ type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.RBF, cost: 1, gamma: 1 / IMAGE_PIXELS, quiet: true });
  try {
    onProgress({ phase: 'training', done: 0, total: trainSize });
    let t0 = performance.now();
    // Ordered by label (stably), libsvm numbers the classes 0-9 as scikit-learn does, so its
    // one-against-one votes break ties the same way (by the first appearance of a class otherwise).
    const order = Array.from({ length: trainSize }, (_, i) => i).sort((a, b) => train.labels[a] - train.labels[b] || a - b);
    const samples = rows(train, trainSize);
    svm.train(
      order.map((i) => samples[i]),
      order.map((i) => train.labels[i]),
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    let correct = 0;
    const x = new Array<number>(IMAGE_PIXELS);
    for (let i = 0; i < testSize; i++) {
      for (let k = 0; k < IMAGE_PIXELS; k++) x[k] = test.images[i * IMAGE_PIXELS + k] / 255;
      if (svm.predictOne(x) === test.labels[i]) correct++;
      if ((i + 1) % 250 === 0) onProgress({ phase: 'testing', done: i + 1, total: testSize });
    }
    return {
      method: 'svm',
      trainSize,
      testSize,
      correct,
      accuracy: correct / testSize,
      supportVectors: svm.getSVIndices().length,
      trainSeconds,
      testSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    svm.free();
  }
}
