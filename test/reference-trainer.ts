// A plain float64 trainer written from network2.py's update_mini_batch and backprop, one example at
// a time, with every technique the lab adds: L2, L1, momentum, dropout (masks drawn from the same
// generator in the same order as the fast trainer), every cost and hidden activation. It shares no
// code with src/engine/trainer.ts or the kernels, so the fast trainer can be held to it.
import type { DataSplit } from '../src/engine/data';
import type { Hyperparams } from '../src/engine/hyperparams';
import type { Rng } from '../src/engine/rng';

type Vec = Float64Array;

/** One example's forward pass: z and a per layer, the dropout masks, and what each layer saw (a after dropout; seen[0] is x). */
interface Forward {
  z: Vec[];
  a: Vec[];
  seen: Vec[];
  masks: Vec[];
}

const f = {
  sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
  tanh: (z: number) => Math.tanh(z),
  relu: (z: number) => (z > 0 ? z : 0),
};

/** f'(z), from z and a = f(z). */
const fPrime = {
  sigmoid: (_z: number, a: number) => a * (1 - a),
  tanh: (_z: number, a: number) => 1 - a * a,
  relu: (z: number) => (z > 0 ? 1 : 0),
};

export class ReferenceTrainer {
  /** w[l][j][k]: layer l's weight from input k to neuron j; b[l][j]. */
  readonly w: Vec[][];
  readonly b: Vec[];
  private readonly vw: Vec[][];
  private readonly vb: Vec[];
  private readonly perm: Uint32Array;
  private cursor = 0;
  readonly n: number;

  constructor(
    private readonly hp: Hyperparams,
    private readonly data: DataSplit,
    params: ArrayLike<number>,
    private readonly rng: Rng,
  ) {
    const s = hp.sizes;
    this.n = hp.trainSize;
    this.w = [];
    this.b = [];
    let o = 0;
    for (let l = 1; l < s.length; l++) {
      const rows: Vec[] = [];
      for (let j = 0; j < s[l]; j++) rows.push(Float64Array.from({ length: s[l - 1] }, (_, k) => params[o + j * s[l - 1] + k]));
      o += s[l] * s[l - 1];
      this.w.push(rows);
      this.b.push(Float64Array.from({ length: s[l] }, (_, j) => params[o + j]));
      o += s[l];
    }
    this.vw = this.w.map((rows) => rows.map((r) => new Float64Array(r.length)));
    this.vb = this.b.map((r) => new Float64Array(r.length));
    this.perm = new Uint32Array(this.n);
  }

  /** The parameters in the engine's slab layout (per layer: weights row-major, then biases). */
  params(): Float64Array {
    const out: number[] = [];
    for (let l = 0; l < this.w.length; l++) {
      for (const row of this.w[l]) out.push(...row);
      out.push(...this.b[l]);
    }
    return Float64Array.from(out);
  }

  /** One mini-batch, as network2.py's update_mini_batch; a new epoch starts with a fresh permutation. */
  step(): void {
    if (this.cursor === 0) this.rng.permutation(this.perm);
    const m = Math.min(this.hp.batchSize, this.n - this.cursor);
    const batch = Array.from(this.perm.subarray(this.cursor, this.cursor + m));
    this.cursor = (this.cursor + m) % this.n;
    const L = this.w.length;
    const hp = this.hp;
    const forwards = this.forwardBatch(batch);
    const nw = this.w.map((rows) => rows.map((row) => new Float64Array(row.length)));
    const nb = this.b.map((row) => new Float64Array(row.length));
    batch.forEach((index, r) => this.backprop(index, forwards[r], nw, nb));

    const { eta, lambda, l1, momentum: mu } = hp;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < this.w[l].length; j++) {
        const row = this.w[l][j];
        for (let k = 0; k < row.length; k++) {
          const grad = nw[l][j][k] / m + (lambda / this.n) * row[k] + (l1 / this.n) * Math.sign(row[k]);
          if (mu > 0) {
            this.vw[l][j][k] = mu * this.vw[l][j][k] - eta * grad;
            row[k] += this.vw[l][j][k];
          } else {
            row[k] -= eta * grad;
          }
        }
        const gb = nb[l][j] / m;
        if (mu > 0) {
          this.vb[l][j] = mu * this.vb[l][j] - eta * gb;
          this.b[l][j] += this.vb[l][j];
        } else {
          this.b[l][j] -= eta * gb;
        }
      }
    }
  }

  /**
   * z, a and the dropout masks of every layer for the batch's examples, layer by layer across the
   * batch: the masks are drawn in the fast trainer's order (layer, then example, then neuron), and
   * each layer sees the activations below it after dropout.
   */
  private forwardBatch(batch: number[]): Forward[] {
    const hp = this.hp;
    const L = this.w.length;
    const keep = 1 - hp.dropout;
    const out: Forward[] = batch.map((index) => {
      const x = Float64Array.from(this.data.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
      return { z: [], a: [x], seen: [x], masks: [] };
    });
    for (let l = 0; l < L; l++) {
      for (const e of out) {
        const zl = Float64Array.from(this.w[l], (row, j) => row.reduce((s, wk, k) => s + wk * e.seen[l][k], 0) + this.b[l][j]);
        e.z.push(zl);
        if (l < L - 1) e.a.push(Float64Array.from(zl, (v) => f[hp.activation](v)));
        else if (hp.cost === 'log-likelihood') {
          const max = Math.max(...zl);
          const ex = Array.from(zl, (v) => Math.exp(v - max));
          const sum = ex.reduce((s, v) => s + v, 0);
          e.a.push(Float64Array.from(ex, (v) => v / sum));
        } else e.a.push(Float64Array.from(zl, (v) => f.sigmoid(v)));
      }
      if (l === L - 1) break;
      for (const e of out) {
        const mask = Float64Array.from(e.a[l + 1], () => (hp.dropout > 0 ? (this.rng.uniform() < keep ? 1 / keep : 0) : 1));
        e.masks.push(mask);
        e.seen.push(Float64Array.from(e.a[l + 1], (v, j) => v * mask[j]));
      }
    }
    return out;
  }

  /** Adds one example's ∂C/∂w and ∂C/∂b to nw and nb (the four equations of backpropagation). */
  private backprop(index: number, fw: Forward, nw: Vec[][], nb: Vec[]): void {
    const L = this.w.length;
    const y = this.data.labels[index];
    const hp = this.hp;
    const seen = fw.seen;
    const masks = fw.masks;
    const aL = fw.a[L];
    const zL = fw.z[L - 1];
    // BP1: δᴸ = ∇ₐC ⊙ σ′(zᴸ); for cross-entropy and log-likelihood the σ′ cancels: δᴸ = a − y.
    let delta = Float64Array.from(aL, (a, j) => {
      const t = j === y ? 1 : 0;
      return hp.cost === 'quadratic' ? (a - t) * fPrime.sigmoid(zL[j], a) : a - t;
    });
    for (let l = L - 1; l >= 0; l--) {
      // BP3 and BP4: ∂C/∂b = δ, ∂C/∂w = a_in δ.
      for (let j = 0; j < delta.length; j++) {
        nb[l][j] += delta[j];
        for (let k = 0; k < seen[l].length; k++) nw[l][j][k] += delta[j] * seen[l][k];
      }
      if (l === 0) break;
      // BP2: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ), and through the same dropout mask.
      const below = new Float64Array(this.w[l][0].length);
      for (let k = 0; k < below.length; k++) {
        let s = 0;
        for (let j = 0; j < delta.length; j++) s += this.w[l][j][k] * delta[j];
        below[k] = s * fPrime[hp.activation](fw.z[l - 1][k], fw.a[l][k]) * (hp.dropout > 0 ? masks[l - 1][k] : 1);
      }
      delta = below;
    }
  }
}
