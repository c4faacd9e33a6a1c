// Costs as in network2.py: each has its value fn for one example and its output error
// delta(z, a, y) = dC/dz for the output layer it is paired with (sigmoid, or softmax for
// log-likelihood). y is the label as a digit; the one-hot vector is never built.
//
// The cross-entropy and log-likelihood values are computed from z, in float64, as log-sigmoid and
// log-softmax: a float32 sigmoid returns exactly 1 for z above ~16.6, and ln(1 − 1) would turn one
// confidently wrong output into an infinite cost, where float64 (network2.py) gives about z.
import type { CostName } from './hyperparams';
import type { Floats } from './activations';

export interface Cost {
  /** network2.py's class name, written into model files. */
  readonly network2Name: string | null;
  /** Cost of one example whose output weighted inputs are z[o .. o+n) and activations a[o .. o+n). */
  fn(z: Floats, a: Floats, o: number, n: number, y: number): number;
  /** d[o+j] = dC/dz_j for one example. */
  delta(d: Floats, z: Floats, a: Floats, o: number, n: number, y: number): void;
  /**
   * delta for `rows` examples at once (z, a and d hold rows × n values, labels[r] is row r's
   * digit); with `track`, also the sum of their costs, as fn gives them up to rounding but cheaper:
   * what the trainer adds up for the live mini-batch cost of every example it trains. fn stays the
   * reference (evaluation, the gradient checks). Costs without it go through outputErrorRows.
   */
  deltaRows?(d: Floats, z: Floats, a: Floats, rows: number, n: number, labels: ArrayLike<number>, track: boolean): number;
}

/** δ of `rows` examples (as Cost.deltaRows) with this cost, and with `track` the sum of their costs. */
export function outputErrorRows(cost: Cost, d: Floats, z: Floats, a: Floats, rows: number, n: number, labels: ArrayLike<number>, track: boolean): number {
  if (cost.deltaRows) return cost.deltaRows(d, z, a, rows, n, labels, track);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    cost.delta(d, z, a, r * n, n, labels[r]);
    if (track) sum += cost.fn(z, a, r * n, n, labels[r]);
  }
  return sum;
}

/** C = ½‖a − y‖², δ = (a − y) σ'(z) */
export const quadratic: Cost = {
  network2Name: 'QuadraticCost',
  fn(_z, a, o, n, y) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = a[o + j] - (j === y ? 1 : 0);
      s += e * e;
    }
    return 0.5 * s;
  },
  delta(d, _z, a, o, n, y) {
    for (let j = 0; j < n; j++) {
      const aj = a[o + j];
      d[o + j] = (aj - (j === y ? 1 : 0)) * aj * (1 - aj);
    }
  },
};

/** softplus(x) = ln(1 + eˣ), without overflow for large x or loss for very negative x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * C = −Σ [y ln a + (1 − y) ln(1 − a)], δ = a − y (the σ' cancels: the point of chapter 3).
 * With a = σ(z): −ln σ(z) = softplus(−z) and −ln(1 − σ(z)) = softplus(z).
 */
export const crossEntropy: Cost = {
  network2Name: 'CrossEntropyCost',
  fn(z, _a, o, n, y) {
    let s = 0;
    for (let j = 0; j < n; j++) s += j === y ? softplus(-z[o + j]) : softplus(z[o + j]);
    return s;
  },
  delta(d, _z, a, o, n, y) {
    for (let j = 0; j < n; j++) d[o + j] = a[o + j] - (j === y ? 1 : 0);
  },
  // With a = σ(z), each term softplus(±z_j) = max(±z_j, 0) + ln(1 + e^{−|z_j|}), and
  // 1 + e^{−|z_j|} = 1 / max(a_j, 1 − a_j): no exponential, and the n factors (each in [½, 1])
  // as one logarithm an example (32 of them cannot underflow). The float32 a costs a term at most
  // its rounding: about 1e-7 where a rounds to exactly 1 (z above ~16.6), which fn keeps.
  deltaRows(d, z, a, rows, n, labels, track) {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      const y = labels[r];
      let s = 0;
      let p = 1;
      for (let j = 0; j < n; j++) {
        const aj = a[o + j];
        d[o + j] = aj;
        if (!track) continue;
        const zj = z[o + j];
        s += Math.max(j === y ? -zj : zj, 0);
        p *= Math.max(aj, 1 - aj);
        if ((j & 31) === 31) {
          s -= Math.log(p);
          p = 1;
        }
      }
      // (as delta: a label past the outputs takes nothing off, and stays in its row)
      if (y < n) d[o + y] -= 1;
      total += s - Math.log(p);
    }
    return track ? total : 0;
  },
};

/** With a softmax output: C = −ln a_y = ln Σ e^{z_j} − z_y (log-softmax, shifted by max z), δ = a − y. */
export const logLikelihood: Cost = {
  network2Name: null,
  fn(z, _a, o, n, y) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, z[o + j]);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(z[o + j] - max);
    return max + Math.log(sum) - z[o + y];
  },
  delta(d, _z, a, o, n, y) {
    for (let j = 0; j < n; j++) d[o + j] = a[o + j] - (j === y ? 1 : 0);
  },
};

export const costs: Record<CostName, Cost> = {
  quadratic,
  'cross-entropy': crossEntropy,
  'log-likelihood': logLikelihood,
};
