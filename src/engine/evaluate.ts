// Accuracy and network2.py's total_cost of a network over a data split, in chunks of rows,
// with images converted from bytes to floats one chunk at a time.
import { costs } from './costs';
import type { DataSplit } from './data';
import { IMAGE_PIXELS } from './data';
import type { Backend, Kernels } from './kernels';
import { referenceBackend, slabCarver, sparseListFloats, sparseStride } from './kernels';
import type { ForwardScratch } from './network';
import { Network, argmax, forwardBatch, paramLayout, scratchFor } from './network';

export interface Evaluation {
  accuracy: number;
  correct: number;
  n: number;
  /** Mean cost plus the regularization terms, as network2.py's total_cost computes it. */
  cost: number;
}

/** Scratch for evaluating `rows` examples at a time: input floats and per-layer activations. */
export interface EvalBuffers {
  x: Float32Array;
  fwd: ForwardScratch;
  /** The input layer pixel by pixel, on backends with sparse kernels; else null (dense, from x). */
  sparse: SparseEval | null;
}

/** Layer 0's weights transposed in panels (nIn × stride, sparsePanels), and sparse rows for `tile` images at a time. */
export interface SparseEval {
  wT: Float32Array;
  lists: Float32Array;
  stride: number;
  tile: number;
}

/** Images an evaluation lists at a time for the sparse input layer, where nothing bigger is at hand. */
export const EVAL_TILE = 128;

/** Floats sparseEval takes for a first layer of nIn × nOut and tiles of `tile` images (16 more each, to align). */
export function sparseEvalFloats(nIn: number, nOut: number, tile: number): number {
  return nIn * sparseStride(nOut) + sparseListFloats(tile, tile * IMAGE_PIXELS) + 32;
}

/** SparseEval out of `alloc`, which returns arrays starting on a 64-byte line; null where the backend has no sparse kernels. */
export function sparseEval(backend: Backend, sizes: number[], tile: number, alloc: (n: number) => Float32Array): SparseEval | null {
  if (!backend.sparseInput || sizes[0] !== IMAGE_PIXELS) return null;
  const stride = sparseStride(sizes[1]);
  return { wT: alloc(sizes[0] * stride), lists: alloc(sparseListFloats(tile, tile * IMAGE_PIXELS)), stride, tile };
}

/** Fills x (rows × 784) with images[start .. start+rows) scaled to [0, 1]. */
export function bytesToFloats(x: Float32Array, images: Uint8Array, start: number, rows: number): void {
  const base = start * IMAGE_PIXELS;
  const n = rows * IMAGE_PIXELS;
  for (let i = 0; i < n; i++) x[i] = images[base + i] / 255;
}

/** Σ w² and Σ |w| over all weights (biases are not regularized). */
export function weightNorms(net: Network): { sumSquares: number; sumAbs: number } {
  let sumSquares = 0;
  let sumAbs = 0;
  for (const w of net.weights) {
    for (let i = 0; i < w.length; i++) {
      sumSquares += w[i] * w[i];
      sumAbs += Math.abs(w[i]);
    }
  }
  return { sumSquares, sumAbs };
}

/** network2.py's regularization term of total_cost, (λ/2n)Σw² (+ (λ₁/n)Σ|w|), n being the size of the data the cost is over. */
export function regularizationTerm(net: Network, reg: { lambda: number; l1: number }, n: number): number {
  if (reg.lambda === 0 && reg.l1 === 0) return 0;
  const norms = weightNorms(net);
  return (0.5 * reg.lambda * norms.sumSquares) / n + (reg.l1 * norms.sumAbs) / n;
}

export function evaluateWith(
  net: Network,
  kernels: Kernels,
  buf: EvalBuffers,
  split: DataSplit,
  reg: { lambda: number; l1: number },
  wantCost: boolean,
  onOutputs?: (outputs: Float32Array, start: number, rows: number) => void,
): Evaluation {
  const cost = costs[net.spec.cost];
  const rowsMax = buf.fwd.rows;
  const nOut = net.sizes[net.sizes.length - 1];
  let correct = 0;
  let total = 0;
  // The input layer pixel by pixel skips the images' zero pixels (about 80%), on the weights as
  // they are now, transposed once per evaluation.
  const sp = buf.sparse;
  const [nIn0, nOut0] = net.sizes;
  if (sp) kernels.toSparseWeights(sp.wT, net.weights[0], nIn0, nOut0);
  for (let start = 0; start < split.count; start += rowsMax) {
    const rows = Math.min(rowsMax, split.count - start);
    if (sp) {
      for (let r0 = 0; r0 < rows; r0 += sp.tile) {
        const m = Math.min(sp.tile, rows - r0);
        kernels.sparseImages(sp.lists, split.images, null, start + r0, m, IMAGE_PIXELS, nOut0);
        kernels.sparseForwardT(buf.fwd.z[0].subarray(r0 * nOut0), sp.lists, sp.wT, net.biases[0], m, nIn0, nOut0, sp.stride);
      }
    } else {
      kernels.loadImages(buf.x, split.images, null, start, rows, IMAGE_PIXELS);
    }
    const out = forwardBatch(net, kernels, buf.x, rows, buf.fwd, sp !== null);
    const z = buf.fwd.z[buf.fwd.z.length - 1];
    for (let r = 0; r < rows; r++) {
      const y = split.labels[start + r];
      if (argmax(out, r * nOut, nOut) === y) correct++;
      if (wantCost) total += cost.fn(z, out, r * nOut, nOut, y);
    }
    onOutputs?.(out, start, rows);
  }
  const n = split.count;
  const c = wantCost ? total / n + regularizationTerm(net, reg, n) : NaN;
  return { accuracy: correct / n, correct, n, cost: c };
}

/**
 * Evaluates a standalone network (e.g. one loaded from a file) on a backend: copies its
 * parameters into a workspace once, then evaluates in chunks.
 */
export class Evaluator {
  readonly net: Network;
  private readonly kernels: Kernels;
  private readonly buf: EvalBuffers;

  constructor(source: Network, backend: Backend = referenceBackend, rows = 1000) {
    const layout = paramLayout(source.sizes);
    const act = source.sizes.slice(1).reduce((s, n) => s + 2 * rows * n, 0);
    const tile = Math.min(rows, EVAL_TILE);
    const sparseFloats = backend.sparseInput ? sparseEvalFloats(source.sizes[0], source.sizes[1], tile) : 0;
    const ws = backend.createWorkspace(layout.total + rows * IMAGE_PIXELS + act + sparseFloats);
    const { take, aligned } = slabCarver(ws.slab);
    const params = take(layout.total);
    params.set(source.params);
    this.net = new Network(source.spec, params);
    this.kernels = ws.kernels;
    this.buf = { x: take(rows * IMAGE_PIXELS), fwd: scratchFor(this.net, rows, take), sparse: null };
    this.buf.sparse = sparseEval(backend, source.sizes, tile, aligned);
  }

  evaluate(
    split: DataSplit,
    reg = { lambda: 0, l1: 0 },
    wantCost = true,
    onOutputs?: (outputs: Float32Array, start: number, rows: number) => void,
  ): Evaluation {
    return evaluateWith(this.net, this.kernels, this.buf, split, reg, wantCost, onOutputs);
  }

  /** Output activations for one 784-float input. */
  predict(x: Float32Array): Float32Array {
    this.buf.x.set(x);
    return forwardBatch(this.net, this.kernels, this.buf.x, 1, this.buf.fwd).slice(0, this.net.sizes[this.net.sizes.length - 1]);
  }
}
