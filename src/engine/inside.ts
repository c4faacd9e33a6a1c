// Inside the network while it trains: per layer, on a fixed probe batch, the fraction of saturated
// hidden neurons (chapter 3's argument for the new initialization), histograms of the weighted
// inputs z and of the activations, the weights' mean |w| and the norm of the cost's gradient
// ∂C/∂w. Computed in float64 from the network's weights alone: it draws no random numbers, so a
// run trains to the same weights with these statistics on or off.
import { backpropSteps } from './backprop-steps';
import type { DataSplit } from './data';
import { IMAGE_PIXELS } from './data';
import type { Activation } from './hyperparams';
import type { Network } from './network';

/** Counts of values in `bins` equal bins over [lo, hi]; values outside fall into the end bins. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface LayerInside {
  /** Neurons in this layer (layer 1 is the first after the input). */
  neurons: number;
  /** True for hidden layers: only they saturate in chapter 3's sense. */
  hidden: boolean;
  /**
   * Hidden layers: the fraction of saturated neurons, averaged over the probe images (sigmoid
   * output below 0.01 or above 0.99; tanh beyond ±0.99); for ReLU the fraction of dead neurons,
   * never active on any probe image. Null for the output layer.
   */
  saturated: number | null;
  z: Histogram;
  a: Histogram;
  /** Mean |w| of the weights into this layer. */
  meanAbsWeight: number;
  /** ‖∂C/∂w‖ of the weights into this layer: the unregularized cost's gradient averaged over the probe. */
  gradientNorm: number;
}

export interface InsideStats {
  /** Images in the probe batch. */
  probe: number;
  layers: LayerInside[];
}

/** The probe batch: the first PROBE_SIZE images of the run's training data, the same every epoch. */
export const PROBE_SIZE = 100;
export const Z_RANGE = 20;
const Z_BINS = 80;
const A_BINS = 20;
/** ReLU's activations are drawn over [0, RELU_RANGE]. */
const RELU_RANGE = 10;

export function activationRange(activation: Activation, hidden: boolean): [number, number] {
  if (!hidden || activation === 'sigmoid') return [0, 1];
  return activation === 'tanh' ? [-1, 1] : [0, RELU_RANGE];
}

function bin(h: Histogram, v: number): void {
  const n = h.counts.length;
  const i = Math.floor(((v - h.lo) / (h.hi - h.lo)) * n);
  h.counts[i < 0 ? 0 : i >= n ? n - 1 : i]++;
}

export function isSaturated(activation: Activation, a: number): boolean {
  return activation === 'tanh' ? Math.abs(a) > 0.99 : a < 0.01 || a > 0.99;
}

/**
 * The statistics from one probe batch's forward pass and gradient: z[l] and a[l] hold `rows` rows
 * of layer l's values (row-major), gradW[l] the gradient of layer l's weights summed over the rows.
 * Both ways of computing them (float64 below, the trainer's kernels) end here.
 */
export function summarizeInside(net: Network, rows: number, z: ArrayLike<number>[], a: ArrayLike<number>[], gradW: ArrayLike<number>[]): InsideStats {
  const L = net.layers;
  const act = net.spec.activation;
  const layers: LayerInside[] = [];
  for (let l = 0; l < L; l++) {
    const hidden = l < L - 1;
    const n = net.sizes[l + 1];
    const [lo, hi] = activationRange(act, hidden);
    const info: LayerInside = {
      neurons: n,
      hidden,
      saturated: null,
      z: { lo: -Z_RANGE, hi: Z_RANGE, counts: new Array(Z_BINS).fill(0) },
      a: { lo, hi, counts: new Array(A_BINS).fill(0) },
      meanAbsWeight: 0,
      gradientNorm: 0,
    };
    const zl = z[l];
    const al = a[l];
    for (let i = 0; i < rows * n; i++) {
      bin(info.z, zl[i]);
      bin(info.a, al[i]);
    }
    if (hidden && rows > 0) {
      if (act === 'relu') {
        // Dead: never active on any probe image.
        let dead = 0;
        for (let j = 0; j < n; j++) {
          let active = false;
          for (let r = 0; r < rows && !active; r++) active = al[r * n + j] > 0;
          if (!active) dead++;
        }
        info.saturated = dead / n;
      } else {
        let sat = 0;
        for (let i = 0; i < rows * n; i++) if (isSaturated(act, al[i])) sat++;
        info.saturated = sat / (rows * n);
      }
    }
    const w = net.weights[l];
    let abs = 0;
    for (let i = 0; i < w.length; i++) abs += Math.abs(w[i]);
    info.meanAbsWeight = abs / w.length;
    const g = gradW[l];
    let sq = 0;
    for (let i = 0; i < w.length; i++) sq += g[i] * g[i];
    info.gradientNorm = rows > 0 ? Math.sqrt(sq) / rows : 0;
    layers.push(info);
  }
  return { probe: rows, layers };
}

/** The statistics computed in float64, one example at a time (the reference the trainer's fast path is checked against). */
export function insideStats(net: Network, data: DataSplit, probe = PROBE_SIZE): InsideStats {
  const rows = Math.min(probe, data.count);
  const L = net.layers;
  const z = Array.from({ length: L }, (_, l) => new Float64Array(rows * net.sizes[l + 1]));
  const a = Array.from({ length: L }, (_, l) => new Float64Array(rows * net.sizes[l + 1]));
  const gradW = net.weights.map((w) => new Float64Array(w.length));
  const x = new Float64Array(IMAGE_PIXELS);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < IMAGE_PIXELS; i++) x[i] = data.images[r * IMAGE_PIXELS + i] / 255;
    const s = backpropSteps(net, x, data.labels[r]);
    for (let l = 0; l < L; l++) {
      z[l].set(s.z[l], r * s.z[l].length);
      a[l].set(s.a[l + 1], r * s.z[l].length);
      // BP4 summed over the probe: ∂C/∂w_jk = a_in,k δ_j.
      const aIn = s.a[l];
      const d = s.delta[l];
      const nIn = aIn.length;
      const g = gradW[l];
      for (let j = 0; j < d.length; j++) {
        const dj = d[j];
        if (dj === 0) continue;
        const o = j * nIn;
        for (let k = 0; k < nIn; k++) g[o + k] += aIn[k] * dj;
      }
    }
  }
  return summarizeInside(net, rows, z, a, gradW);
}
