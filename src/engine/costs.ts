// Costs as in network2.py: each has its value fn(a, y) for one example and its output error
// delta(z, a, y) = dC/dz for the output layer it is paired with (sigmoid, or softmax for
// log-likelihood). y is the label as a digit; the one-hot vector is never built.
import type { CostName } from './hyperparams';
import type { Floats } from './activations';

export interface Cost {
  /** network2.py's class name, written into model files. */
  readonly network2Name: string | null;
  /** Cost of one example whose output activations are a[o .. o+10). */
  fn(a: Floats, o: number, n: number, y: number): number;
  /** d[o+j] = dC/dz_j for one example. */
  delta(d: Floats, z: Floats, a: Floats, o: number, n: number, y: number): void;
}

/** C = ½‖a − y‖², δ = (a − y) σ'(z) */
export const quadratic: Cost = {
  network2Name: 'QuadraticCost',
  fn(a, o, n, y) {
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

/** C = −Σ [y ln a + (1 − y) ln(1 − a)], δ = a − y (the σ' cancels: the point of chapter 3). */
export const crossEntropy: Cost = {
  network2Name: 'CrossEntropyCost',
  fn(a, o, n, y) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const aj = a[o + j];
      // network2.py uses np.nan_to_num: 0·ln 0 counts as 0, and ln 0 as a very large finite cost.
      const t = j === y ? -Math.log(aj) : -Math.log(1 - aj);
      s += Number.isFinite(t) ? t : Number.MAX_VALUE;
    }
    return s;
  },
  delta(d, _z, a, o, n, y) {
    for (let j = 0; j < n; j++) d[o + j] = a[o + j] - (j === y ? 1 : 0);
  },
};

/** With a softmax output: C = −ln a_y, δ = a − y. */
export const logLikelihood: Cost = {
  network2Name: null,
  fn(a, o, _n, y) {
    const t = -Math.log(a[o + y]);
    return Number.isFinite(t) ? t : Number.MAX_VALUE;
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
