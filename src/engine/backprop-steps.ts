// Backpropagation for one example, written as chapter 2's four equations in float64, keeping every
// intermediate so the lab can show them: z and a of every layer (the forward pass), δ of every
// layer (BP1 at the output, BP2 going back), and ∂C/∂b = δ (BP3), ∂C/∂w = a_in δ_out (BP4). The
// gradient check compares BP3/BP4 with central differences of the cost.
import { activations, softmaxRows } from './activations';
import { costs } from './costs';
import type { CostName } from './hyperparams';
import type { Network } from './network';

/** Why `cost` cannot be used with this network's output layer (softmax goes with the log-likelihood); null if it can. */
export function costMismatch(net: Network, cost: CostName): string | null {
  if (net.softmax === (cost === 'log-likelihood')) return null;
  return `the ${cost} cost does not fit this model's ${net.softmax ? 'softmax' : 'sigmoid'} output (softmax goes with log-likelihood)`;
}

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

/** One weight (from input k to neuron j of layer `layer`) or one bias (of neuron j). */
export interface ParamRef {
  /** The layer of weights and biases, from 0 (input → first hidden layer). */
  layer: number;
  kind: 'weight' | 'bias';
  j: number;
  /** The input of a weight; null for a bias. */
  k: number | null;
}

export interface GradientSample extends ParamRef {
  backprop: number;
  numeric: number;
  relativeError: number;
}

/** Why a parameter reference does not name a parameter of this network; null when it does. */
export function paramRefError(net: Network, p: ParamRef): string | null {
  if (!Number.isInteger(p.layer) || p.layer < 0 || p.layer >= net.layers) return `layer must be 0 to ${net.layers - 1}, got ${p.layer}`;
  const nOut = net.sizes[p.layer + 1];
  if (!Number.isInteger(p.j) || p.j < 0 || p.j >= nOut) return `neuron j of layer ${p.layer} must be 0 to ${nOut - 1}, got ${p.j}`;
  if (p.kind === 'bias') return p.k === null ? null : 'a bias has no input k';
  const nIn = net.sizes[p.layer];
  if (p.k === null || !Number.isInteger(p.k) || p.k < 0 || p.k >= nIn) return `input k of layer ${p.layer} must be 0 to ${nIn - 1}, got ${p.k}`;
  return null;
}

/**
 * `count` parameters spread over every layer (a weight and a bias in turn), chosen by `pick`. A
 * first-layer weight on a blank pixel has gradient 0 on both sides, so those are picked on the ink.
 */
export function spreadParams(net: Network, x: ArrayLike<number>, count: number, pick: (n: number) => number): ParamRef[] {
  const inked: number[] = [];
  for (let k = 0; k < x.length; k++) if (x[k] !== 0) inked.push(k);
  const out: ParamRef[] = [];
  for (let i = 0; i < count; i++) {
    const layer = i % net.layers;
    const kind = Math.floor(i / net.layers) % 2 === 0 ? 'weight' : 'bias';
    const j = pick(net.sizes[layer + 1]);
    const k = kind === 'bias' ? null : layer === 0 && inked.length > 0 ? inked[pick(inked.length)] : pick(net.sizes[layer]);
    out.push({ layer, kind, j, k });
  }
  return out;
}

/** Backpropagation's ∂C/∂p beside the central difference (C(p + h) − C(p − h)) / 2h, in float64, for each parameter. */
export function checkParams(
  net: Network,
  x: ArrayLike<number>,
  y: number,
  refs: ParamRef[],
  cost: CostName = net.spec.cost,
  steps?: BackpropSteps,
): GradientSample[] {
  const s = steps ?? backpropSteps(net, x, y, cost);
  const params = Float64Array.from(net.params);
  const input = Float64Array.from(x);
  const costAt = (): number => {
    const { a, z } = forward64(net, input, params);
    return costs[cost].fn(z[net.layers - 1], a[net.layers], 0, a[net.layers].length, y);
  };
  return refs.map((r) => {
    const why = paramRefError(net, r);
    if (why) throw new Error(why);
    const nIn = net.sizes[r.layer];
    const p = r.kind === 'weight' ? net.layout.weights[r.layer] + r.j * nIn + r.k! : net.layout.biases[r.layer] + r.j;
    const backprop = r.kind === 'weight' ? weightGradient(s, r.layer, r.j, r.k!) : biasGradient(s, r.layer, r.j);
    const h = 1e-5;
    const saved = params[p];
    params[p] = saved + h;
    const up = costAt();
    params[p] = saved - h;
    const down = costAt();
    params[p] = saved;
    const numeric = (up - down) / (2 * h);
    const relativeError = Math.abs(backprop - numeric) / Math.max(Math.abs(backprop) + Math.abs(numeric), 1e-8);
    return { layer: r.layer, kind: r.kind, j: r.j, k: r.k, backprop, numeric, relativeError };
  });
}

/** checkParams on `count` parameters spread over every layer (spreadParams). */
export function gradientCheck(
  net: Network,
  x: ArrayLike<number>,
  y: number,
  count: number,
  pick: (n: number) => number,
  cost: CostName = net.spec.cost,
): GradientSample[] {
  return checkParams(net, x, y, spreadParams(net, x, count, pick), cost);
}

/** BP2 for one hidden neuron k of layer l: δˡₖ = (Σⱼ wˡ⁺¹ⱼₖ δˡ⁺¹ⱼ) f′(zˡₖ), term by term. */
export interface Bp2Terms {
  /** The sum Σⱼ wˡ⁺¹ⱼₖ δˡ⁺¹ⱼ over all of the next layer's neurons. */
  sum: number;
  /** The terms with the largest |wⱼₖ δⱼ|, largest first (at most `top`). */
  terms: { j: number; w: number; delta: number; product: number }[];
  /** How many terms the sum has (the next layer's size). */
  count: number;
}

/** Everything the backpropagation page shows for one input, as plain arrays. */
export interface BackpropExplained {
  cost: CostName;
  target: number;
  /** The cost of this example for the target. */
  costValue: number;
  /** a[0] is the input, a[l + 1] the activations of layer l (z[l]). */
  a: number[][];
  z: number[][];
  delta: number[][];
  /** ∂C/∂aᴸ, BP1's first factor (null where it is infinite: an output of exactly 0 or 1 under the cross-entropy). */
  gradOutput: (number | null)[];
  /** f′(z) of each layer, BP1's and BP2's second factor; null for a softmax output (its Jacobian is not diagonal: δᴸ = a − y). */
  prime: (number[] | null)[];
  /** BP2's terms for the selected hidden neuron, if one is selected. */
  bp2: Bp2Terms | null;
}

export function explainBackprop(
  net: Network,
  x: ArrayLike<number>,
  y: number,
  cost: CostName,
  select: { layer: number; j: number } | null,
  top = 12,
): BackpropExplained {
  const s = backpropSteps(net, x, y, cost);
  const L = net.layers;
  const aL = s.a[L];
  const gradOutput = Array.from(aL, (aj, j) => {
    const t = j === y ? 1 : 0;
    const g = cost === 'quadratic' ? aj - t : cost === 'cross-entropy' ? (aj - t) / (aj * (1 - aj)) : j === y ? -1 / aj : 0;
    return Number.isFinite(g) ? g : null;
  });
  const prime: (number[] | null)[] = [];
  for (let l = 0; l < L; l++) {
    if (l === L - 1) {
      prime.push(net.softmax ? null : Array.from(aL, (v) => v * (1 - v)));
      continue;
    }
    const d = new Float64Array(s.z[l].length).fill(1);
    activations[net.spec.activation].backward(d, s.z[l], s.a[l + 1], d.length);
    prime.push(Array.from(d));
  }
  let bp2: Bp2Terms | null = null;
  if (select && select.layer < L - 1) {
    const nIn = net.sizes[select.layer + 1];
    const next = s.delta[select.layer + 1];
    const w = net.weights[select.layer + 1];
    const all = Array.from(next, (delta, j) => ({ j, w: w[j * nIn + select.j], delta, product: w[j * nIn + select.j] * delta }));
    const sum = all.reduce((t, e) => t + e.product, 0);
    all.sort((p, q) => Math.abs(q.product) - Math.abs(p.product));
    bp2 = { sum, terms: all.slice(0, top), count: next.length };
  }
  const plain = (v: Float64Array[]): number[][] => v.map((r) => Array.from(r));
  return { cost, target: y, costValue: s.cost, a: plain(s.a), z: plain(s.z), delta: plain(s.delta), gradOutput, prime, bp2 };
}
