// Backpropagation for one example, written as chapter 2's four equations in float64, keeping every
// intermediate so the lab can show them: z and a of every layer (the forward pass), δ of every
// layer (BP1 at the output, BP2 going back), and ∂C/∂b = δ (BP3), ∂C/∂w = a_in δ_out (BP4). The
// gradient check compares BP3/BP4 with central differences of the cost.
import { activations, softmaxRows } from './activations';
import { costs } from './costs';
import type { CostName } from './hyperparams';
import type { Network } from './network';

export interface BackpropSteps {
  /** a[0] is the input; a[l+1] = f(z[l]) for each layer l (the output layer: sigmoid, or softmax). */
  a: Float64Array[];
  z: Float64Array[];
  /** δ of each layer (∂C/∂z), the output layer's last. */
  delta: Float64Array[];
  cost: number;
}

/** The forward pass and the four equations for one input x (784 values in [0, 1]) and label y. */
export function backpropSteps(net: Network, x: ArrayLike<number>, y: number, cost: CostName = net.spec.cost): BackpropSteps {
  const L = net.layers;
  const { a, z } = forward64(net, Float64Array.from(x));
  const delta: Float64Array[] = new Array(L);
  const aL = a[L];
  const zL = z[L - 1];
  const n = aL.length;
  // BP1: δᴸ = ∇ₐC ⊙ σ′(zᴸ). With sigmoid outputs σ′ = a(1 − a); the cross-entropy (and the
  // log-likelihood with softmax) cancel it: δᴸ = a − y.
  delta[L - 1] = Float64Array.from(aL, (aj, j) => {
    const t = j === y ? 1 : 0;
    return cost === 'quadratic' ? (aj - t) * aj * (1 - aj) : aj - t;
  });
  // BP2: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ)
  const prime = new Float64Array(1);
  for (let l = L - 2; l >= 0; l--) {
    const nIn = net.sizes[l + 1];
    const nOut = net.sizes[l + 2];
    const w = net.weights[l + 1];
    const d = new Float64Array(nIn);
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      for (let j = 0; j < nOut; j++) s += w[j * nIn + k] * delta[l + 1][j];
      prime[0] = 1;
      activations[net.spec.activation].backward(prime, z[l].subarray(k, k + 1), a[l + 1].subarray(k, k + 1), 1);
      d[k] = s * prime[0];
    }
    delta[l] = d;
  }
  return { a, z, delta, cost: costs[cost].fn(zL, aL, 0, n, y) };
}

/** ∂C/∂w of layer l's weight from input k to neuron j (BP4), and ∂C/∂b of neuron j (BP3). */
export function weightGradient(s: BackpropSteps, l: number, j: number, k: number): number {
  return s.a[l][k] * s.delta[l][j];
}
export function biasGradient(s: BackpropSteps, l: number, j: number): number {
  return s.delta[l][j];
}

/** The forward pass in float64 with these parameters (the network's own, or changed ones). */
export function forward64(net: Network, x: Float64Array, params: ArrayLike<number> = net.params): { a: Float64Array[]; z: Float64Array[] } {
  const a: Float64Array[] = [x];
  const z: Float64Array[] = [];
  for (let l = 0; l < net.layers; l++) {
    const nIn = net.sizes[l];
    const nOut = net.sizes[l + 1];
    const wo = net.layout.weights[l];
    const bo = net.layout.biases[l];
    const zl = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let s = params[bo + j];
      for (let k = 0; k < nIn; k++) s += params[wo + j * nIn + k] * a[l][k];
      zl[j] = s;
    }
    const al = new Float64Array(nOut);
    if (l < net.layers - 1) activations[net.spec.activation].forward(al, zl, nOut);
    else if (net.softmax) softmaxRows(al, zl, 1, nOut);
    else activations.sigmoid.forward(al, zl, nOut);
    z.push(zl);
    a.push(al);
  }
  return { a, z };
}

export interface GradientSample {
  layer: number;
  kind: 'weight' | 'bias';
  /** Neuron j of the layer, and for a weight the input k. */
  j: number;
  k: number | null;
  backprop: number;
  numeric: number;
  relativeError: number;
}

/**
 * Backpropagation's ∂C/∂p beside the central difference (C(p + h) − C(p − h)) / 2h, in float64,
 * for `count` parameters spread over every layer (a weight and a bias in turn), chosen by `pick`.
 */
export function gradientCheck(
  net: Network,
  x: ArrayLike<number>,
  y: number,
  count: number,
  pick: (n: number) => number,
  cost: CostName = net.spec.cost,
): GradientSample[] {
  const steps = backpropSteps(net, x, y, cost);
  const params = Float64Array.from(net.params);
  const input = Float64Array.from(x);
  const costAt = (): number => {
    const { a, z } = forward64(net, input, params);
    return costs[cost].fn(z[net.layers - 1], a[net.layers], 0, a[net.layers].length, y);
  };
  const inkedInputs = Array.from(input.keys()).filter((k) => input[k] !== 0);
  const out: GradientSample[] = [];
  for (let i = 0; i < count; i++) {
    const layer = i % net.layers;
    const nIn = net.sizes[layer];
    const nOut = net.sizes[layer + 1];
    const kind = Math.floor(i / net.layers) % 2 === 0 ? 'weight' : 'bias';
    const j = pick(nOut);
    // A first-layer weight on a blank pixel has gradient 0 on both sides: pick one on the ink.
    const inked = layer === 0 ? inkedInputs : null;
    const k = kind === 'weight' ? (inked && inked.length > 0 ? inked[pick(inked.length)] : pick(nIn)) : null;
    const p = kind === 'weight' ? net.layout.weights[layer] + j * nIn + k! : net.layout.biases[layer] + j;
    const backprop = kind === 'weight' ? weightGradient(steps, layer, j, k!) : biasGradient(steps, layer, j);
    const h = 1e-5;
    const saved = params[p];
    params[p] = saved + h;
    const up = costAt();
    params[p] = saved - h;
    const down = costAt();
    params[p] = saved;
    const numeric = (up - down) / (2 * h);
    const relativeError = Math.abs(backprop - numeric) / Math.max(Math.abs(backprop) + Math.abs(numeric), 1e-8);
    out.push({ layer, kind, j, k, backprop, numeric, relativeError });
  }
  return out;
}
