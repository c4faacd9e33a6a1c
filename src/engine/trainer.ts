// The mechanism of mini-batch stochastic gradient descent, as in network2.py's SGD, with every
// technique of chapter 3: L2 weight decay, L1, momentum, dropout and the monitors. The policy (best
// epoch, early stopping, the halve-eta schedule, divergence) is schedule.ts's. All state lives in
// one workspace slab; the hot loop allocates nothing.
import { activations, softmaxRows } from './activations';
import { costs, outputErrorRows } from './costs';
import { applyDropout } from './dropout';
import type { DataSplit } from './data';
import { IMAGE_PIXELS, onlyDigits } from './data';
import type { EvalBuffers, Evaluation } from './evaluate';
import { EVAL_TILE, evaluateWith, regularizationTerm, sparseEval, sparseEvalFloats, weightNorms } from './evaluate';
import { PROBE_SIZE, summarizeInside, type InsideStats } from './inside';
import type { Hyperparams } from './hyperparams';
import { validateHyperparams } from './hyperparams';
import type { Backend, Kernels } from './kernels';
import { referenceBackend, slabCarver, sparseListFloats, sparseStoreFloats, sparseStride } from './kernels';
import type { EpochMetrics, RunMarker, StopReason } from './metrics';
import { Network, forwardBatch, paramLayout, scratchFor } from './network';
import { Rng } from './rng';
import type { RngState } from './rng';
import { Schedule } from './schedule';

/** Everything needed to continue a run exactly where it stopped, at an epoch boundary. */
export interface TrainerCheckpoint {
  version: 1;
  hyperparams: Hyperparams;
  /** Epochs completed. */
  epoch: number;
  eta: number;
  params: Float32Array;
  velocities: Float32Array | null;
  rng: { s: RngState; spare: number | null };
  bestEpoch: number | null;
  bestEvalAccuracy: number | null;
  bestParams: Float32Array | null;
  epochsSinceImprovement: number;
  history: EpochMetrics[];
  stoppedBecause: StopReason | null;
}

export interface TrainerOptions {
  backend?: Backend;
  checkpoint?: TrainerCheckpoint;
  /** Rows per evaluation chunk. */
  evalRows?: number;
  /** Start from these weights and biases (a saved model's, in the slab layout) instead of random ones. */
  initialParams?: Float32Array;
  /**
   * How plain SGD takes the input layer: 'sparse' pixel by pixel on its weights transposed, or
   * 'dense' as the other layers. By default 'sparse' where the backend is faster that way
   * (Backend.sparseInput) and the mini-batch has at least SPARSE_MIN_BATCH examples (or
   * SPARSE_WIDE_MIN_BATCH, when the first layer has SPARSE_WIDE_UNITS units or more).
   */
  inputLayer?: 'sparse' | 'dense';
}

/** Non-zero bytes of images. */
function countInk(images: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < images.length; i++) if (images[i] !== 0) n++;
  return n;
}

/**
 * The smallest mini-batch the sparse input layer is the default for. Below it the step's visit of
 * every pixel per mini-batch costs about what the skipped pixels save (784-100-10 at 10: 0.336 s
 * an epoch with each mini-batch's rows built from its bytes, 0.27 s with the training set's built
 * once, 0.285 s dense; at 32, 0.252 s against 0.275 s dense), and the training set's rows would
 * add 60 MB to every run at the book's mini-batch of 10 (a second run must stay under 50 MB more;
 * `npm run bench:runs`). Measured 2026-12-02.
 */
export const SPARSE_MIN_BATCH = 16;
/**
 * From this many units in the first layer, mini-batches of SPARSE_WIDE_MIN_BATCH or more take the
 * sparse input layer too, each mini-batch's rows built from its bytes (no store: no memory beyond
 * wT and a tile's rows). A wide layer's passes repay the building: at 10, 784-800-10 took 0.91–0.93×
 * the dense time, plain or with other epoch images (augmented ones); 784-400-10 0.92–0.96×, 200
 * units level; and 784-800-10 at 8 1.01–1.07×, at 5 1.03–1.33×. Measured 2026-12-02 (seventh session).
 */
export const SPARSE_WIDE_UNITS = 400;
export const SPARSE_WIDE_MIN_BATCH = 10;
/** Rows of the input layer's sparse lists built at a time (larger mini-batches go in tiles). */
export const SPARSE_TILE = 1000;

export interface BatchProgress {
  examplesDone: number;
  examplesTotal: number;
  epochComplete: boolean;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The plain SGD step, fused into backpropagation: w ← decay·w − shrink·sgn(w) − step·Σδaᵀ. */
interface FusedStep {
  /** η/m */
  step: number;
  /** 1 − ηλ/n (L2) */
  decay: number;
  /** ηλ₁/n (L1) */
  shrink: number;
}

export class Trainer {
  readonly hp: Hyperparams;
  readonly network: Network;
  readonly train: DataSplit;
  readonly evalData: DataSplit | null;
  readonly history: EpochMetrics[] = [];
  /** Epochs completed. */
  epoch = 0;
  /** The weights of the best epoch so far (by evaluation accuracy). */
  bestParams: Float32Array | null = null;
  private readonly schedule: Schedule;

  private rng: Rng;
  private readonly kernels: Kernels;
  private readonly n: number;
  private readonly B: number;
  private readonly grads: Float32Array;
  private readonly gradW: Float32Array[] = [];
  private readonly gradB: Float32Array[] = [];
  private readonly velocities: Float32Array | null;
  /** Per-layer views of the velocities (weights, biases), so the update allocates nothing. */
  private readonly velW: Float32Array[] = [];
  private readonly velB: Float32Array[] = [];
  private readonly x: Float32Array;
  private readonly z: Float32Array[] = [];
  private readonly a: Float32Array[] = [];
  /** Activations after dropout (the same arrays as `a` when dropout is off). */
  private readonly ad: Float32Array[] = [];
  private readonly masks: Float32Array[] = [];
  private readonly delta: Float32Array[] = [];
  /** Where backprop keeps each layer's δ with σ in place and the fused step: a hidden layer's in its z (= a), the output layer's in delta. */
  private readonly deltaInPlace: Float32Array[] = [];
  /** The inside statistics' probe batch: its rows (the first of the training data) and δ per layer. */
  private readonly probeRows: number;
  private readonly probeDelta: Float32Array[] = [];
  private readonly evalBuf: EvalBuffers;
  private readonly perm: Uint32Array;
  /**
   * The input layer's pixel-by-pixel path (plain SGD only): wT holds its weights transposed while
   * trainBatches runs (copied in at the start, back at the end, so the network's weights are
   * always current between calls), lists a tile's images as sparse rows, and store the whole
   * training set's (built once, when the run has no augmentation), out of which a mini-batch's rows
   * are copied into lists in the permutation's order. Null: the dense path.
   */
  private readonly sparse: { wT: Float32Array; lists: Float32Array; store: Float32Array | null; stride: number; tile: number } | null;
  private epochImages: Uint8Array;
  private cursor = 0;
  private epochSeconds = 0;
  private etaChangedMarkers: RunMarker[] = [];
  /** Inside the network before any training, reported with epoch 1 (monitor.inside). */
  private insideStart: InsideStats | null = null;
  /** The cost of the mini-batches trained since takeBatchCost last ran (each batch's, before its step). */
  private batchCostSum = 0;
  private batchCostExamples = 0;
  /** The labels of the mini-batch being trained, in its order. */
  private readonly batchLabels: Uint8Array;

  constructor(hyperparams: Hyperparams, train: DataSplit, evalData: DataSplit | null, opts: TrainerOptions = {}) {
    const hp = validateHyperparams(hyperparams);
    this.hp = hp;
    if (train.count < hp.trainSize) throw new Error(`training data has ${train.count} images, fewer than trainSize ${hp.trainSize}`);
    const first = { images: train.images.subarray(0, hp.trainSize * IMAGE_PIXELS), labels: train.labels.subarray(0, hp.trainSize), count: hp.trainSize };
    // With a subset of digits: those of the first trainSize images, and the evaluation data's of them.
    this.train = hp.digits ? onlyDigits(first, hp.digits) : first;
    if (this.train.count === 0) throw new Error(`the first ${hp.trainSize} training images hold no ${hp.digits!.join(', ')}`);
    this.evalData = evalData && hp.digits ? onlyDigits(evalData, hp.digits) : evalData;
    this.epochImages = this.train.images;
    this.n = this.train.count;
    this.B = hp.batchSize;
    this.batchLabels = new Uint8Array(this.B);

    const sizes = hp.sizes;
    const L = sizes.length - 1;
    const layout = paramLayout(sizes);
    const B = this.B;
    const evalRows = Math.max(1, opts.evalRows ?? 1000);
    const rowsMax = Math.max(B, evalRows);
    const hiddenTotal = sizes.slice(1, L).reduce((s, n) => s + n, 0);
    const outTotal = sizes.slice(1).reduce((s, n) => s + n, 0);
    const dropout = hp.dropout > 0;
    this.probeRows = hp.monitor.inside ? Math.min(PROBE_SIZE, this.n, rowsMax) : 0;
    const floats =
      this.probeRows * outTotal + // the probe's δ
      layout.total * (hp.momentum > 0 ? 3 : 2) +
      rowsMax * IMAGE_PIXELS +
      rowsMax * outTotal * 2 + // z, a (shared by training and evaluation)
      B * outTotal + // delta
      (dropout ? 2 * B * hiddenTotal : 0); // masks and dropped activations
    const backend = opts.backend ?? referenceBackend;
    const sparseByDefault = backend.sparseInput && (B >= SPARSE_MIN_BATCH || (B >= SPARSE_WIDE_MIN_BATCH && sizes[1] >= SPARSE_WIDE_UNITS));
    const sparseLayer = hp.momentum === 0 && (opts.inputLayer ?? (sparseByDefault ? 'sparse' : 'dense')) === 'sparse';
    const stride = sparseStride(sizes[1]);
    const tile = Math.min(B, SPARSE_TILE);
    // The training set's compact sparse rows, sized to its ink: about 150 of 784 pixels an image, 4 bytes each.
    // (Only from SPARSE_MIN_BATCH: a wide layer's smaller mini-batches build their rows each time.)
    const storeFloats = sparseLayer && !hp.augment && B >= SPARSE_MIN_BATCH ? sparseStoreFloats(this.n, countInk(this.train.images)) : 0;
    // (+ 16 floats each, to start them on a cache line.)
    const sparseFloats = sparseLayer ? sizes[0] * stride + sparseListFloats(tile, tile * IMAGE_PIXELS) + storeFloats + 3 * 16 : 0;
    // Evaluation takes the input layer pixel by pixel too, on the training's wT and lists where it
    // has them, else on its own.
    const evalTile = Math.min(rowsMax, EVAL_TILE);
    const sparseEvalOwn = !sparseLayer && opts.inputLayer !== 'dense' && backend.sparseInput;
    const evalFloats = sparseEvalOwn ? sparseEvalFloats(sizes[0], sizes[1], evalTile) : 0;
    const ws = backend.createWorkspace(floats + this.n + sparseFloats + evalFloats);
    this.kernels = ws.kernels;
    const { take, aligned: takeAligned } = slabCarver(ws.slab);

    const ck = opts.checkpoint;
    const params = take(layout.total);
    this.grads = take(layout.total);
    this.velocities = hp.momentum > 0 ? take(layout.total) : null;
    this.x = take(rowsMax * IMAGE_PIXELS);
    const spec = { sizes, activation: hp.activation, cost: hp.cost };
    if (ck) {
      this.rng = Rng.fromState(ck.rng);
      params.set(ck.params);
      this.network = new Network(spec, params);
    } else {
      this.rng = new Rng(hp.seed);
      this.network = Network.initialize(spec, hp.init, this.rng, params);
      if (opts.initialParams) {
        if (opts.initialParams.length !== params.length)
          throw new Error(`the starting weights hold ${opts.initialParams.length} numbers, the network ${sizes.join('-')} needs ${params.length}`);
        params.set(opts.initialParams);
      }
    }
    for (let l = 0; l < L; l++) {
      const v = this.velocities;
      if (v) {
        this.velW.push(v.subarray(layout.weights[l], layout.weights[l] + sizes[l + 1] * sizes[l]));
        this.velB.push(v.subarray(layout.biases[l], layout.biases[l] + sizes[l + 1]));
      }
      this.gradW.push(this.grads.subarray(layout.weights[l], layout.weights[l] + sizes[l + 1] * sizes[l]));
      this.gradB.push(this.grads.subarray(layout.biases[l], layout.biases[l] + sizes[l + 1]));
    }
    const fwd = scratchFor(this.network, rowsMax, take);
    this.z = fwd.z;
    this.a = fwd.a;
    for (let l = 0; l < L; l++) {
      this.delta.push(take(B * sizes[l + 1]));
      this.probeDelta.push(take(this.probeRows * sizes[l + 1]));
      if (dropout && l < L - 1) {
        this.masks.push(take(B * sizes[l + 1]));
        this.ad.push(take(B * sizes[l + 1]));
      } else {
        this.ad.push(this.a[l]);
      }
      this.deltaInPlace.push(l < L - 1 ? this.z[l] : this.delta[l]);
    }
    this.sparse = sparseLayer
      ? {
          wT: takeAligned(sizes[0] * stride),
          lists: takeAligned(sparseListFloats(tile, tile * IMAGE_PIXELS)),
          store: storeFloats ? takeAligned(storeFloats) : null,
          stride,
          tile,
        }
      : null;
    if (this.sparse?.store) this.kernels.sparseStore(this.sparse.store, this.train.images, this.n, IMAGE_PIXELS);
    this.evalBuf = {
      x: this.x,
      fwd,
      // (The training's wT, lists, stride and tile serve as they are.)
      sparse: this.sparse ?? (sparseEvalOwn ? sparseEval(backend, sizes, evalTile, takeAligned) : null),
    };
    // In the slab, where sparseTake reads a mini-batch's rows of the training set's store.
    const perm = take(this.n);
    this.perm = new Uint32Array(perm.buffer, perm.byteOffset, this.n);
    if (!ck && hp.monitor.inside) this.insideStart = this.measureInside();

    if (ck) {
      if (ck.version !== 1) throw new Error(`unknown checkpoint version ${ck.version}`);
      if (ck.params.length !== layout.total) throw new Error('checkpoint parameters do not match the network size');
      if (this.velocities && ck.velocities) this.velocities.set(ck.velocities);
      this.epoch = ck.epoch;
      this.bestParams = ck.bestParams ? ck.bestParams.slice() : null;
      this.history.push(...ck.history);
    }
    this.schedule = new Schedule(
      hp,
      ck && {
        eta: ck.eta,
        bestEpoch: ck.bestEpoch,
        bestEvalAccuracy: ck.bestEvalAccuracy,
        epochsSinceImprovement: ck.epochsSinceImprovement,
        stoppedBecause: ck.stoppedBecause,
      },
    );
  }

  /** The learning rate of the next mini-batch. */
  get eta(): number {
    return this.schedule.eta;
  }

  get stoppedBecause(): StopReason | null {
    return this.schedule.stoppedBecause;
  }

  get bestEpoch(): number | null {
    return this.schedule.bestEpoch;
  }

  get bestEvalAccuracy(): number | null {
    return this.schedule.bestEvalAccuracy;
  }

  get done(): boolean {
    return this.stoppedBecause !== null || this.epoch >= this.hp.epochs;
  }

  /** Uses these images (e.g. freshly augmented, same count and order as the training set) from the next epoch on. */
  setEpochImages(images: Uint8Array): void {
    if (images.length !== this.n * IMAGE_PIXELS) throw new Error(`epoch images must hold ${this.n} images, got ${images.length / IMAGE_PIXELS}`);
    if (this.cursor !== 0) throw new Error('epoch images can only change between epochs');
    this.epochImages = images;
  }

  /** Changes the learning rate from the next mini-batch on. */
  setEta(eta: number): void {
    if (!(eta > 0) || !Number.isFinite(eta)) throw new Error(`eta must be a positive number, got ${eta}`);
    this.schedule.eta = eta;
    this.etaChangedMarkers.push({ kind: 'eta-changed', epoch: this.epoch + 1, eta });
  }

  /**
   * The training cost of the mini-batches trained since the last call (each measured during its
   * forward pass, before its step), with network2.py's regularization term over the training set
   * as the epoch's training cost has it; null when none was trained since.
   */
  takeBatchCost(): number | null {
    if (this.batchCostExamples === 0) return null;
    const c = this.batchCostSum / this.batchCostExamples + regularizationTerm(this.network, this.hp, this.n);
    this.batchCostSum = 0;
    this.batchCostExamples = 0;
    return c;
  }

  /** Trains up to `maxBatches` mini-batches of the current epoch. */
  trainBatches(maxBatches: number): BatchProgress {
    if (this.done) return { examplesDone: 0, examplesTotal: this.n, epochComplete: true };
    const t0 = now();
    if (this.cursor === 0) this.rng.permutation(this.perm);
    const sparse = this.sparse;
    const w0 = this.network.weights[0];
    const [nIn, nOut] = this.network.sizes;
    if (sparse) this.kernels.toSparseWeights(sparse.wT, w0, nIn, nOut);
    try {
      for (let k = 0; k < maxBatches && this.cursor < this.n; k++) {
        const rows = Math.min(this.B, this.n - this.cursor);
        this.step(this.cursor, rows);
        this.cursor += rows;
      }
    } finally {
      if (sparse) this.kernels.fromSparseWeights(w0, sparse.wT, nIn, nOut);
    }
    this.epochSeconds += (now() - t0) / 1000;
    return { examplesDone: this.cursor, examplesTotal: this.n, epochComplete: this.cursor >= this.n };
  }

  /** One mini-batch: forward, backpropagate, update. */
  private step(start: number, rows: number): void {
    const hp = this.hp;
    if (!this.velocities) {
      // Plain SGD with L2 and L1 (the common case): each layer's update is fused into
      // backpropagation, w ← (1 − ηλ/n) w − (ηλ₁/n) sgn(w) then w += −(η/m) δᵀa, once δ of the
      // layer below has used the old w.
      this.backprop(this.perm, start, rows, true, { step: this.eta / rows, decay: 1 - (this.eta * hp.lambda) / this.n, shrink: (this.eta * hp.l1) / this.n });
    } else {
      this.backprop(this.perm, start, rows, true, null);
      this.momentumUpdate(rows);
    }
  }

  /**
   * The gradient of the regularized cost, averaged over the given examples, in the parameter
   * slab's layout: ∂C/∂w = (1/m) Σ δ aᵀ + (λ/n) w + (λ₁/n) sgn(w), ∂C/∂b = (1/m) Σ δ. With dropout
   * it is the gradient of this draw of the masks. Used by the gradient checks.
   */
  gradientAt(indices: number[]): Float32Array {
    const rows = indices.length;
    if (rows < 1 || rows > this.B) throw new Error(`gradientAt takes 1..${this.B} examples`);
    this.backprop(Uint32Array.from(indices), 0, rows, false, null);
    const g = this.grads.slice();
    const net = this.network;
    for (let l = 0; l < net.layers; l++) {
      const w = net.weights[l];
      const o = net.layout.weights[l];
      for (let i = 0; i < w.length; i++) g[o + i] = g[o + i] / rows + (this.hp.lambda / this.n) * w[i] + (this.hp.l1 / this.n) * Math.sign(w[i]);
      const bo = net.layout.biases[l];
      for (let i = 0; i < net.sizes[l + 1]; i++) g[bo + i] /= rows;
    }
    return g;
  }

  /**
   * Forward and backward over examples order[start .. start+rows): with `fused` null it fills the
   * gradient sums; given the SGD step (s = η/m, the L2 decay factor and the L1 shrink) it applies
   * that step to each layer directly instead. With `track` the batch's cost joins the mini-batch cost.
   */
  private backprop(order: Uint32Array, start: number, rows: number, track: boolean, fused: FusedStep | null): void {
    const { network: net, kernels: k, hp } = this;
    const sizes = net.sizes;
    const L = net.layers;
    const act = activations[hp.activation];
    const x = this.x;
    // The input layer pixel by pixel (within trainBatches, on plain SGD's fused step), or dense.
    const sparse = fused ? this.sparse : null;
    if (!sparse) k.loadImages(x, this.epochImages, order, start, rows, IMAGE_PIXELS);

    // Forward, keeping z and a per layer, and the dropped-out activations the next layer sees.
    // With sigmoid hidden layers and no dropout, σ(z) overwrites z (backpropagation needs only a):
    // one matrix a layer for a mini-batch to touch, not two.
    const inPlace = hp.activation === 'sigmoid' && hp.dropout === 0;
    // The sigmoid layers' activations, and the (dropped-out) ones the next layer sees.
    const sig = inPlace ? this.z : this.a;
    const hidden = inPlace ? this.z : this.ad;
    let input = x;
    for (let l = 0; l < L; l++) {
      const nOut = sizes[l + 1];
      const n = rows * nOut;
      if (l === 0 && sparse) this.sparseInputLayer(sparse, order, start, rows, null, this.delta[0]);
      else k.linearForward(this.z[l], input, net.weights[l], net.biases[l], rows, sizes[l], nOut);
      if (l < L - 1) {
        if (hp.activation === 'sigmoid') k.sigmoid(sig[l], this.z[l], n);
        else act.forward(this.a[l], this.z[l], n);
        if (hp.dropout > 0) applyDropout(this.ad[l], this.masks[l], this.a[l], n, hp.dropout, this.rng);
      } else if (net.softmax) {
        softmaxRows(this.a[l], this.z[l], rows, nOut);
      } else {
        k.sigmoid(this.a[l], this.z[l], n);
      }
      input = hidden[l];
    }

    // Output error from the cost, then back through the layers.
    const labels = this.batchLabels;
    for (let r = 0; r < rows; r++) labels[r] = this.train.labels[order[start + r]];
    const costSum = outputErrorRows(costs[hp.cost], this.delta[L - 1], this.z[L - 1], this.a[L - 1], rows, sizes[L], labels, track);
    if (track) {
      this.batchCostSum += costSum;
      this.batchCostExamples += rows;
    }
    // With σ in place and the fused step, a hidden layer's δ overwrites its activations too, once the
    // layer above has taken its step from them (δ from a copy of that layer's weights before the
    // step): a mini-batch then never touches the δ matrices of the hidden layers.
    const deltaInPlace = inPlace && fused !== null;
    const delta = deltaInPlace ? this.deltaInPlace : this.delta;
    for (let l = L - 1; l >= 0; l--) {
      const layerInput = l === 0 ? x : hidden[l - 1];
      if (l > 0 && !deltaInPlace) {
        const d = delta[l - 1];
        const n = rows * sizes[l];
        if (hp.activation === 'sigmoid') k.linearBackwardInput(d, delta[l], net.weights[l], rows, sizes[l], sizes[l + 1], sig[l - 1]);
        else {
          k.linearBackwardInput(d, delta[l], net.weights[l], rows, sizes[l], sizes[l + 1]);
          act.backward(d, this.z[l - 1], this.a[l - 1], n);
        }
        if (hp.dropout > 0) {
          const m = this.masks[l - 1];
          for (let i = 0; i < n; i++) d[i] *= m[i];
        }
      }
      if (l === 0 && sparse) {
        this.sparseInputLayer(sparse, order, start, rows, fused, delta[0]);
      } else if (fused) {
        // (gradW is free while the step is fused: it holds the weights before the step.)
        if (l > 0 && deltaInPlace) this.gradW[l].set(net.weights[l]);
        k.linearWeightGradAdd(net.weights[l], net.biases[l], delta[l], layerInput, fused.decay, fused.shrink, -fused.step, rows, sizes[l], sizes[l + 1]);
      } else {
        k.linearWeightGrad(this.gradW[l], this.gradB[l], delta[l], layerInput, rows, sizes[l], sizes[l + 1]);
      }
      if (l > 0 && deltaInPlace) k.linearBackwardInput(sig[l - 1], delta[l], this.gradW[l], rows, sizes[l], sizes[l + 1], sig[l - 1]);
    }
  }

  /**
   * The input layer on its transposed weights, a tile of rows at a time: forward (z of layer 0)
   * when `fused` is null, else its fused SGD step. A mini-batch within one tile keeps the tile's
   * sparse rows from the forward pass for the step; a larger one builds them again.
   */
  private sparseInputLayer(
    sparse: NonNullable<Trainer['sparse']>,
    order: Uint32Array,
    start: number,
    rows: number,
    fused: FusedStep | null,
    delta: Float32Array,
  ): void {
    const k = this.kernels;
    const [nIn, nOut] = this.network.sizes;
    const { wT, lists, store, stride, tile } = sparse;
    // The training set's rows, built once, come out of the store in the mini-batch's order;
    // otherwise (augmented images) the tile's images are listed afresh.
    const from = this.epochImages === this.train.images && order === this.perm ? store : null;
    for (let r0 = 0; r0 < rows; r0 += tile) {
      const m = Math.min(tile, rows - r0);
      if (!fused || rows > tile) {
        if (from) k.sparseTake(lists, from, order.subarray(start + r0, start + r0 + m), m, nOut);
        else k.sparseImages(lists, this.epochImages, order, start + r0, m, IMAGE_PIXELS, nOut);
      }
      if (!fused) {
        k.sparseForwardT(this.z[0].subarray(r0 * nOut), lists, wT, this.network.biases[0], m, nIn, nOut, stride);
      } else {
        // The decay and shrink apply once per mini-batch, with its first tile.
        const first = r0 === 0;
        k.sparseStepT(
          wT,
          this.network.biases[0],
          delta.subarray(r0 * nOut),
          lists,
          first ? fused.decay : 1,
          first ? fused.shrink : 0,
          -fused.step,
          m,
          nIn,
          nOut,
          stride,
        );
      }
    }
  }

  /**
   * network2.py's update with momentum μ: the gradient of the regularized cost,
   * ∇ = (1/m) Σ∂C/∂w + (λ/n) w + (λ₁/n) sgn(w), drives a velocity v ← μv − η∇, and w ← w + v
   * (biases: no decay). Plain SGD never comes here: its step is fused into backprop.
   */
  private momentumUpdate(rows: number): void {
    const { network: net, kernels: k, hp } = this;
    const v = this.velocities!;
    const eta = this.eta;
    const s = eta / rows;
    const decay = 1 - (eta * hp.lambda) / this.n;
    const l1 = (eta * hp.l1) / this.n;
    const mu = hp.momentum;
    const layout = net.layout;
    for (let l = 0; l < net.layers; l++) {
      const w = net.weights[l];
      const gw = this.gradW[l];
      if (l1 > 0) {
        const vo = layout.weights[l];
        for (let i = 0; i < w.length; i++) {
          const wi = w[i];
          const vi = mu * v[vo + i] - s * gw[i] - (1 - decay) * wi - l1 * Math.sign(wi);
          v[vo + i] = vi;
          w[i] = wi + vi;
        }
      } else {
        const vw = this.velW[l];
        k.axpby(vw, gw, mu, -s, w.length);
        if (decay !== 1) k.axpby(vw, w, 1, decay - 1, w.length);
        k.axpby(w, vw, 1, 1, w.length);
      }
      const b = net.biases[l];
      const vb = this.velB[l];
      k.axpby(vb, this.gradB[l], mu, -s, b.length);
      k.axpby(b, vb, 1, 1, b.length);
    }
  }

  /** After an epoch's batches: the monitors, then the schedule's verdict (best epoch, early stopping, eta, divergence). */
  finishEpoch(): { metrics: EpochMetrics; markers: RunMarker[] } {
    if (this.cursor < this.n) throw new Error('finishEpoch called before the epoch was trained');
    const hp = this.hp;
    this.cursor = 0;
    this.epochImages = this.train.images;
    this.epoch++;
    const markers: RunMarker[] = this.etaChangedMarkers;
    this.etaChangedMarkers = [];
    const metrics: EpochMetrics = { epoch: this.epoch, seconds: this.epochSeconds, eta: this.eta };
    this.epochSeconds = 0;
    const m = hp.monitor;
    if (m.trainCost || m.trainAccuracy) {
      const e = this.evaluate(this.train, m.trainCost);
      if (m.trainCost) metrics.trainCost = e.cost;
      if (m.trainAccuracy) metrics.trainAccuracy = e.accuracy;
    }
    const needEvalAccuracy = Schedule.needsEvalAccuracy(hp);
    if (this.evalData && (needEvalAccuracy || m.evalCost)) {
      const e = this.evaluate(this.evalData, m.evalCost);
      if (m.evalCost) metrics.evalCost = e.cost;
      if (needEvalAccuracy) metrics.evalAccuracy = e.accuracy;
    }
    if (m.inside) {
      metrics.inside = this.measureInside();
      if (this.insideStart) metrics.insideStart = this.insideStart;
      this.insideStart = null;
    }
    this.history.push(metrics);
    const verdict = this.schedule.afterEpoch(metrics, Number.isFinite(weightNorms(this.network).sumSquares));
    if (verdict.newBest) this.bestParams = this.network.params.slice();
    markers.push(...verdict.markers);
    return { metrics, markers };
  }

  /**
   * Inside the network on the probe batch (the first training images, unaugmented, no dropout),
   * with this trainer's kernels and buffers; it draws no random numbers. The float64 reference is
   * inside.ts's insideStats.
   */
  measureInside(): InsideStats {
    const { network: net, kernels: k, hp } = this;
    const rows = this.probeRows;
    if (rows === 0) throw new Error('measureInside needs monitor.inside');
    const sizes = net.sizes;
    const L = net.layers;
    const { z, a } = this.evalBuf.fwd;
    k.loadImages(this.x, this.train.images, null, 0, rows, IMAGE_PIXELS);
    forwardBatch(net, k, this.x, rows, this.evalBuf.fwd);
    const d = this.probeDelta;
    outputErrorRows(costs[hp.cost], d[L - 1], z[L - 1], a[L - 1], rows, sizes[L], this.train.labels, false);
    const act = activations[hp.activation];
    for (let l = L - 1; l >= 0; l--) {
      if (l > 0) {
        k.linearBackwardInput(d[l - 1], d[l], net.weights[l], rows, sizes[l], sizes[l + 1]);
        act.backward(d[l - 1], z[l - 1], a[l - 1], rows * sizes[l]);
      }
      k.linearWeightGrad(this.gradW[l], this.gradB[l], d[l], l === 0 ? this.x : a[l - 1], rows, sizes[l], sizes[l + 1]);
    }
    return summarizeInside(net, rows, z, a, this.gradW);
  }

  /** Trains one whole epoch and reports it. */
  runEpoch(): { metrics: EpochMetrics; markers: RunMarker[] } {
    while (!this.trainBatches(1 << 30).epochComplete);
    return this.finishEpoch();
  }

  /** Accuracy and total cost (network2.py's total_cost, with this run's λ and L1) on a split. */
  evaluate(split: DataSplit, wantCost = true): Evaluation {
    return evaluateWith(this.network, this.kernels, this.evalBuf, split, { lambda: this.hp.lambda, l1: this.hp.l1 }, wantCost);
  }

  checkpoint(): TrainerCheckpoint {
    if (this.cursor !== 0) throw new Error('a checkpoint can only be taken between epochs');
    return {
      version: 1,
      hyperparams: this.hp,
      epoch: this.epoch,
      params: this.network.params.slice(),
      velocities: this.velocities ? this.velocities.slice() : null,
      rng: this.rng.state(),
      bestParams: this.bestParams ? this.bestParams.slice() : null,
      history: this.history.map((h) => ({ ...h })),
      ...this.schedule.state(),
    };
  }
}
