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

export function insideStats(net: Network, data: DataSplit, probe = PROBE_SIZE): InsideStats {
  const count = Math.min(probe, data.count);
  const L = net.layers;
  const act = net.spec.activation;
  const layers: LayerInside[] = [];
  const gradW: Float64Array[] = [];
  const everActive: Uint8Array[] = [];
  const saturatedSum = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    const hidden = l < L - 1;
    const [lo, hi] = activationRange(act, hidden);
    const w = net.weights[l];
    let abs = 0;
    for (let i = 0; i < w.length; i++) abs += Math.abs(w[i]);
    layers.push({
      neurons: net.sizes[l + 1],
      hidden,
      saturated: null,
      z: { lo: -Z_RANGE, hi: Z_RANGE, counts: new Array(Z_BINS).fill(0) },
      a: { lo, hi, counts: new Array(A_BINS).fill(0) },
      meanAbsWeight: abs / w.length,
      gradientNorm: 0,
    });
    gradW.push(new Float64Array(w.length));
    everActive.push(new Uint8Array(net.sizes[l + 1]));
  }
  const x = new Float64Array(IMAGE_PIXELS);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < IMAGE_PIXELS; i++) x[i] = data.images[r * IMAGE_PIXELS + i] / 255;
    const s = backpropSteps(net, x, data.labels[r]);
    for (let l = 0; l < L; l++) {
      const info = layers[l];
      const z = s.z[l];
      const a = s.a[l + 1];
      let sat = 0;
      for (let j = 0; j < z.length; j++) {
        bin(info.z, z[j]);
        bin(info.a, a[j]);
        if (info.hidden) {
          if (act === 'relu') {
            if (a[j] > 0) everActive[l][j] = 1;
          } else if (isSaturated(act, a[j])) sat++;
        }
      }
      saturatedSum[l] += sat / z.length;
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
  for (let l = 0; l < L; l++) {
    const info = layers[l];
    if (info.hidden && count > 0) {
      info.saturated = act === 'relu' ? everActive[l].reduce((n, v) => n + (v ? 0 : 1), 0) / info.neurons : saturatedSum[l] / count;
    }
    let sq = 0;
    for (const v of gradW[l]) sq += v * v;
    info.gradientNorm = count > 0 ? Math.sqrt(sq) / count : 0;
  }
  return { probe: count, layers };
}
