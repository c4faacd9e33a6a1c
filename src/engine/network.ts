// A feedforward network as plain data: its spec and one flat parameter slab with a weight view
// (nOut × nIn, row-major, network2.py's orientation) and a bias view per layer.
import { activations, softmaxRows } from './activations';
import type { Activation, CostName, InitName } from './hyperparams';
import { outputIsSoftmax, validateSizes } from './hyperparams';
import type { Kernels } from './kernels';
import { referenceKernels } from './kernels';
import type { Rng } from './rng';
import { englishOf, type Reason } from '../shared/errors';

export interface NetworkSpec {
  sizes: number[];
  activation: Activation;
  cost: CostName;
}

export interface LayerOffsets {
  /** Offsets (in floats) of each layer's weights and biases inside the parameter slab. */
  weights: number[];
  biases: number[];
  total: number;
}

export function paramLayout(sizes: number[]): LayerOffsets {
  const weights: number[] = [];
  const biases: number[] = [];
  let o = 0;
  for (let l = 1; l < sizes.length; l++) {
    weights.push(o);
    o += sizes[l] * sizes[l - 1];
    biases.push(o);
    o += sizes[l];
  }
  return { weights, biases, total: o };
}

export class Network {
  readonly spec: NetworkSpec;
  readonly sizes: number[];
  readonly softmax: boolean;
  readonly params: Float32Array;
  readonly weights: Float32Array[];
  readonly biases: Float32Array[];
  readonly layout: LayerOffsets;

  /** Wraps a parameter slab (not copied): `params` may be a view into a trainer's workspace. */
  constructor(spec: NetworkSpec, params: Float32Array) {
    this.spec = { sizes: validateSizes(spec.sizes), activation: spec.activation, cost: spec.cost };
    this.sizes = this.spec.sizes;
    this.softmax = outputIsSoftmax(spec.cost);
    this.layout = paramLayout(this.sizes);
    if (params.length !== this.layout.total) {
      throw new Error(`parameter slab has ${params.length} floats, network ${this.sizes.join('-')} needs ${this.layout.total}`);
    }
    this.params = params;
    this.weights = [];
    this.biases = [];
    for (let l = 0; l < this.sizes.length - 1; l++) {
      this.weights.push(params.subarray(this.layout.weights[l], this.layout.weights[l] + this.sizes[l + 1] * this.sizes[l]));
      this.biases.push(params.subarray(this.layout.biases[l], this.layout.biases[l] + this.sizes[l + 1]));
    }
  }

  get layers(): number {
    return this.sizes.length - 1;
  }

  /**
   * network2.py's initializers: "default" draws weights from N(0, 1/n_in), "large" (network.py's)
   * from N(0, 1); biases are N(0, 1) in both.
   */
  static initialize(spec: NetworkSpec, init: InitName, rng: Rng, params?: Float32Array): Network {
    const layout = paramLayout(validateSizes(spec.sizes));
    const net = new Network(spec, params ?? new Float32Array(layout.total));
    for (let l = 0; l < net.layers; l++) {
      const scale = init === 'default' ? 1 / Math.sqrt(net.sizes[l]) : 1;
      const w = net.weights[l];
      for (let i = 0; i < w.length; i++) w[i] = rng.gaussian() * scale;
      const b = net.biases[l];
      for (let i = 0; i < b.length; i++) b[i] = rng.gaussian();
    }
    return net;
  }

  /** Output activations for one 784-float input in [0, 1]. */
  feedforward(x: Float32Array): Float32Array {
    return forwardBatch(this, referenceKernels, x, 1, scratchFor(this, 1)).slice(0, 10);
  }
}

/** Buffers for a forward pass over up to `rows` examples: z and a per layer. */
export interface ForwardScratch {
  rows: number;
  z: Float32Array[];
  a: Float32Array[];
}

export function scratchFor(net: Network, rows: number, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)): ForwardScratch {
  const z: Float32Array[] = [];
  const a: Float32Array[] = [];
  for (let l = 1; l < net.sizes.length; l++) {
    z.push(alloc(rows * net.sizes[l]));
    a.push(alloc(rows * net.sizes[l]));
  }
  return { rows, z, a };
}

/**
 * Forward pass of `B` examples x (B × 784 floats) through the network; returns the output
 * activations (B × 10, a view of the scratch). No dropout: this is the test-time network.
 */
export function forwardBatch(net: Network, k: Kernels, x: Float32Array, B: number, s: ForwardScratch, zFirst = false): Float32Array {
  const act = activations[net.spec.activation];
  let input = x;
  const L = net.layers;
  for (let l = 0; l < L; l++) {
    const nIn = net.sizes[l];
    const nOut = net.sizes[l + 1];
    // With zFirst, the caller has computed layer 0's z already (the input layer pixel by pixel).
    if (l > 0 || !zFirst) k.linearForward(s.z[l], input, net.weights[l], net.biases[l], B, nIn, nOut);
    if (l < L - 1 && net.spec.activation !== 'sigmoid') act.forward(s.a[l], s.z[l], B * nOut);
    else if (l === L - 1 && net.softmax) softmaxRows(s.a[l], s.z[l], B, nOut);
    else k.sigmoid(s.a[l], s.z[l], B * nOut);
    input = s.a[l];
  }
  return s.a[L - 1];
}

/** Index of the largest of n values starting at o. */
export function argmax(a: Float32Array, o: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[o + j] > a[o + best]) best = j;
  return best;
}

/** Whether network2.py can load and run this model, and if not, why. */
export function network2Compatibility(spec: NetworkSpec): { ok: boolean; reason?: string; why?: Reason } {
  const why: Reason | null =
    spec.cost === 'log-likelihood'
      ? { code: 'model.no2Softmax', params: {} }
      : spec.activation !== 'sigmoid'
        ? { code: 'model.no2Activation', params: { activation: spec.activation } }
        : null;
  return why ? { ok: false, reason: englishOf(why), why } : { ok: true };
}
