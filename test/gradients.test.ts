// Numerical gradient checks: the engine's backpropagated gradient (float32) against central
// differences of an independently written float64 forward pass, for every cost × activation,
// softmax, L1 and L2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activations, softmaxRows } from '../src/engine/activations';
import { costs } from '../src/engine/costs';
import type { DataSplit } from '../src/engine/data';
import type { Activation, CostName, Hyperparams } from '../src/engine/hyperparams';
import { Trainer } from '../src/engine/trainer';
import { Rng } from '../src/engine/rng';
import { hp, syntheticSplit } from './helpers';

/**
 * Mean regularized cost over the examples, in float64, from a float64 copy of the parameters; with
 * dropout, each hidden layer's activations are multiplied by the given fixed masks, masks[l][e][j].
 */
function costAt(params: Float64Array, h: Hyperparams, data: DataSplit, n: number, masks: number[][][] | null = null): number {
  const sizes = h.sizes;
  let total = 0;
  for (let e = 0; e < data.count; e++) {
    let input = new Float64Array(784);
    let lastZ = new Float64Array(10);
    for (let i = 0; i < 784; i++) input[i] = data.images[e * 784 + i] / 255;
    let o = 0;
    for (let l = 0; l < sizes.length - 1; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const z = new Float64Array(nOut);
      for (let j = 0; j < nOut; j++) {
        let s = 0;
        for (let k = 0; k < nIn; k++) s += params[o + j * nIn + k] * input[k];
        z[j] = s + params[o + nOut * nIn + j];
      }
      o += nOut * nIn + nOut;
      const a = new Float64Array(nOut);
      if (l < sizes.length - 2) {
        activations[h.activation].forward(a, z, nOut);
        if (masks) for (let j = 0; j < nOut; j++) a[j] *= masks[l][e][j];
      } else if (h.cost === 'log-likelihood') softmaxRows(a, z, 1, nOut);
      else activations.sigmoid.forward(a, z, nOut);
      input = a;
      lastZ = z;
    }
    total += costs[h.cost].fn(lastZ, input, 0, 10, data.labels[e]);
  }
  let sq = 0;
  let abs = 0;
  let o = 0;
  for (let l = 0; l < sizes.length - 1; l++) {
    for (let i = 0; i < sizes[l + 1] * sizes[l]; i++) {
      sq += params[o + i] ** 2;
      abs += Math.abs(params[o + i]);
    }
    o += sizes[l + 1] * sizes[l] + sizes[l + 1];
  }
  return total / data.count + (0.5 * h.lambda * sq) / n + (h.l1 * abs) / n;
}

function check(h: Hyperparams): void {
  const data = syntheticSplit(4, 11);
  const trainer = new Trainer(h, data, null);
  // With dropout, gradientAt draws one mask per hidden layer (layer by layer, then example, then
  // neuron) from the trainer's generator: the same draws from the same state fix them here.
  const drawn = Rng.fromState(trainer.checkpoint().rng);
  const keep = 1 - h.dropout;
  const masks =
    h.dropout > 0
      ? h.sizes.slice(1, -1).map((nOut) => Array.from({ length: 4 }, () => Array.from({ length: nOut }, () => (drawn.uniform() < keep ? 1 / keep : 0))))
      : null;
  const analytic = trainer.gradientAt([0, 1, 2, 3]);
  const params = Float64Array.from(trainer.network.params);
  const rng = new Rng(3);
  // Every bias and a random sample of weights of every layer.
  const layout = trainer.network.layout;
  const picks: number[] = [];
  for (let l = 0; l < trainer.network.layers; l++) {
    const nW = h.sizes[l + 1] * h.sizes[l];
    for (let s = 0; s < 25; s++) picks.push(layout.weights[l] + rng.int(nW));
    for (let j = 0; j < h.sizes[l + 1]; j++) picks.push(layout.biases[l] + j);
  }
  let worst = 0;
  for (const i of picks) {
    const w = params[i];
    const eps = 1e-5;
    params[i] = w + eps;
    const up = costAt(params, h, data, h.trainSize, masks);
    params[i] = w - eps;
    const down = costAt(params, h, data, h.trainSize, masks);
    params[i] = w;
    const numeric = (up - down) / (2 * eps);
    const err = Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]));
    worst = Math.max(worst, err);
    assert.ok(err < 2e-3, `parameter ${i}: backprop ${analytic[i]} vs numeric ${numeric} (relative error ${err})`);
  }
  assert.ok(worst >= 0);
}

const ACTS: Activation[] = ['sigmoid', 'tanh', 'relu'];
const COSTS: CostName[] = ['quadratic', 'cross-entropy', 'log-likelihood'];

for (const activation of ACTS) {
  for (const cost of COSTS) {
    test(`gradient check: ${activation} hidden layers, ${cost} cost${cost === 'log-likelihood' ? ' (softmax output)' : ''}`, () => {
      check(hp({ sizes: [784, 7, 5, 10], activation, cost, batchSize: 4, trainSize: 4, lambda: 0, l1: 0, seed: 5 }));
    });
  }
}

test('gradient check: L2 regularization (lambda 3)', () => {
  check(hp({ sizes: [784, 6, 10], cost: 'cross-entropy', batchSize: 4, trainSize: 4, lambda: 3, seed: 9 }));
});

test('gradient check: L1 regularization (l1 0.7) with L2', () => {
  check(hp({ sizes: [784, 6, 10], cost: 'quadratic', batchSize: 4, trainSize: 4, lambda: 0.5, l1: 0.7, seed: 13 }));
});

test('gradient check: dropout p = 0.4 with fixed masks, two hidden layers, L2', () => {
  for (const activation of ACTS)
    check(hp({ sizes: [784, 7, 5, 10], activation, cost: 'cross-entropy', batchSize: 4, trainSize: 4, lambda: 0.5, dropout: 0.4, seed: 17 }));
});
