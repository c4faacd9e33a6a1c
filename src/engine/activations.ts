// Hidden-layer activations, each as its function and its derivative written in terms of the
// activation a = f(z) (and z where the derivative needs it), applied in place over flat arrays.
import type { Activation } from './hyperparams';

/** Activations and costs also run in float64, for the gradient checks. */
export type Floats = Float32Array | Float64Array;

export interface ActivationFn {
  /** a[i] = f(z[i]) for i < n */
  forward(a: Floats, z: Floats, n: number): void;
  /** d[i] *= f'(z[i]), given z and a = f(z) */
  backward(d: Floats, z: Floats, a: Floats, n: number): void;
}

export const sigmoid: ActivationFn = {
  forward(a, z, n) {
    for (let i = 0; i < n; i++) a[i] = 1 / (1 + Math.exp(-z[i]));
  },
  backward(d, _z, a, n) {
    for (let i = 0; i < n; i++) d[i] *= a[i] * (1 - a[i]);
  },
};

export const tanh: ActivationFn = {
  forward(a, z, n) {
    for (let i = 0; i < n; i++) a[i] = Math.tanh(z[i]);
  },
  backward(d, _z, a, n) {
    for (let i = 0; i < n; i++) d[i] *= 1 - a[i] * a[i];
  },
};

export const relu: ActivationFn = {
  forward(a, z, n) {
    for (let i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0;
  },
  backward(d, z, _a, n) {
    for (let i = 0; i < n; i++) if (!(z[i] > 0)) d[i] = 0;
  },
};

export const activations: Record<Activation, ActivationFn> = { sigmoid, tanh, relu };

/** Softmax over each row of `cols` values, numerically stable (max subtracted). */
export function softmaxRows(a: Floats, z: Floats, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (z[o + j] > max) max = z[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(z[o + j] - max);
      a[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) a[o + j] /= sum;
  }
}
