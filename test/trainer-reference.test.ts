// The fast trainer (fused kernels, both backends) held to the plain float64 reference trainer
// written from network2.py's update_mini_batch (test/reference-trainer.ts): the same weights, the
// same mini-batch order and the same dropout masks, 100 mini-batches, every cost × activation ×
// technique, at values other than the defaults, with n ≠ m and a last mini-batch that is short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, wasmAvailable, type BackendName } from '../src/engine/backend';
import type { Activation, CostName, Hyperparams } from '../src/engine/hyperparams';
import { Rng } from '../src/engine/rng';
import { Trainer } from '../src/engine/trainer';
import { hp, syntheticSplit } from './helpers';
import { ReferenceTrainer } from './reference-trainer';

const BATCHES = 100;

/** Largest |fast − reference| over all parameters, relative to the largest |reference| parameter. */
export function driftAfter(h: Hyperparams, backend: BackendName, batches = BATCHES): number {
  const data = syntheticSplit(h.trainSize, 5);
  const fast = new Trainer(h, data, null, { backend: getBackend(backend) });
  const start = fast.checkpoint();
  const ref = new ReferenceTrainer(h, data, start.params, Rng.fromState(start.rng));
  for (let i = 0; i < batches; i++) {
    if (fast.trainBatches(1).epochComplete) fast.finishEpoch();
    ref.step();
  }
  const want = ref.params();
  const got = fast.network.params;
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / scale;
}

/** Each update path of the trainer: plain SGD (fused), momentum with and without L1, dropout. */
export const TECHNIQUES: Record<string, Partial<Hyperparams>> = {
  'L2 + L1': {},
  'L2 + momentum': { l1: 0, momentum: 0.6 },
  'L2 + L1 + momentum': { momentum: 0.6 },
  'L2 + L1 + dropout': { dropout: 0.3 },
  'L2 + momentum + dropout': { l1: 0, momentum: 0.6, dropout: 0.3 },
};

/** Small, non-default values: 53 images in mini-batches of 5 (the last one of 3), two hidden layers. */
export function combination(activation: Activation, cost: CostName, technique: Partial<Hyperparams>): Hyperparams {
  return hp({
    sizes: [784, 12, 7, 10],
    activation,
    cost,
    init: 'default',
    eta: activation === 'relu' ? 0.05 : 0.25,
    lambda: 3,
    l1: 0.4,
    momentum: 0,
    dropout: 0,
    batchSize: 5,
    trainSize: 53,
    epochs: 1000,
    evalSet: 'none',
    monitor: { evalAccuracy: false, evalCost: false, trainAccuracy: false, trainCost: false, inside: false },
    seed: 11,
    ...technique,
  });
}

/**
 * float32 against float64 over 100 steps: what rounding leaves, measured at most 2.0e-3 (L1's
 * sgn(w) turns a rounding difference near w = 0 into a step of ηλ₁/n). Each of these changes to the
 * trainer was measured to drift at least 2.1e-2: L1's sign flipped in plain SGD (3.6e-2), L2 decay
 * over the mini-batch size m instead of n (3.2e-1), L2's sign flipped in the momentum velocity
 * (7.4e-1), the momentum factor ignored (1.4e-1), the dropout mask not applied to the
 * back-propagated δ (2.1e-2).
 */
export const TOLERANCE = 5e-3;

const backends: BackendName[] = wasmAvailable() ? ['reference', 'wasm'] : ['reference'];

for (const backend of backends) {
  test(`the fast trainer follows network2.py's update for every cost, activation and technique (${backend} kernels)`, () => {
    const worst: string[] = [];
    for (const activation of ['sigmoid', 'tanh', 'relu'] as const) {
      for (const cost of ['quadratic', 'cross-entropy', 'log-likelihood'] as const) {
        for (const [name, technique] of Object.entries(TECHNIQUES)) {
          const drift = driftAfter(combination(activation, cost, technique), backend);
          if (!(drift < TOLERANCE)) worst.push(`${activation} + ${cost} + ${name}: relative drift ${drift.toExponential(2)}`);
        }
      }
    }
    assert.deepEqual(worst, []);
  });
}
