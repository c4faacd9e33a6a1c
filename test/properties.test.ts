// Properties of the engine that must hold whatever the data: softmax, dropout, one SGD step,
// momentum and regularization formulas, determinism, early stopping and the eta schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmaxRows } from '../src/engine/activations';
import { applyDropout } from '../src/engine/dropout';
import { HyperparamError, validateHyperparams } from '../src/engine/hyperparams';
import { Rng } from '../src/engine/rng';
import { Trainer } from '../src/engine/trainer';
import { hp, syntheticSplit } from './helpers';

test('softmax rows sum to 1, stay finite for large inputs and keep the order', () => {
  const z = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1000, -1000, 0, 0, 0, 0, 0, 0, 0, 999]);
  const a = new Float32Array(20);
  softmaxRows(a, z, 2, 10);
  for (let r = 0; r < 2; r++) {
    const row = a.subarray(r * 10, r * 10 + 10);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-6);
    assert.ok(row.every((v) => Number.isFinite(v) && v >= 0));
  }
  assert.ok(a[9] > a[8] && a[8] > a[0]);
});

test('dropout with p = 0 is the identity', () => {
  const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const d = new Float32Array(1000);
  const m = new Float32Array(1000);
  applyDropout(d, m, a, 1000, 0, new Rng(1));
  assert.deepEqual(d, a);
  assert.ok(m.every((v) => v === 1));
});

for (const p of [0.2, 0.5]) {
  test(`dropout with p = ${p} drops that fraction and keeps the expectation`, () => {
    const n = 200_000;
    const a = new Float32Array(n).fill(0.8);
    const d = new Float32Array(n);
    const m = new Float32Array(n);
    applyDropout(d, m, a, n, p, new Rng(42));
    const zeros = m.reduce((s, v) => s + (v === 0 ? 1 : 0), 0) / n;
    const mean = d.reduce((s, v) => s + v, 0) / n;
    assert.ok(Math.abs(zeros - p) < 0.005, `dropped fraction ${zeros}, expected ${p}`);
    assert.ok(Math.abs(mean - 0.8) < 0.01, `mean after dropout ${mean}, expected 0.8`);
    assert.ok(m.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6));
  });
}

for (const cost of ['quadratic', 'cross-entropy', 'log-likelihood'] as const) {
  test(`one SGD step lowers the cost on its batch (${cost}, lambda 1, momentum 0.5)`, () => {
    const data = syntheticSplit(20, 3);
    const t = new Trainer(
      hp({ sizes: [784, 20, 10], cost, batchSize: 20, trainSize: 20, eta: 0.05, lambda: 1, momentum: 0.5, epochs: 3, evalSet: 'none' }),
      data,
      null,
    );
    const before = t.evaluate(data).cost;
    t.trainBatches(1);
    const after = t.evaluate(data).cost;
    assert.ok(after < before, `cost ${before} -> ${after}`);
  });
}

test('updates follow the formulas: L2 decay, L1, and momentum at non-default values', () => {
  const data = syntheticSplit(5, 8);
  const h = hp({
    sizes: [784, 4, 10],
    cost: 'cross-entropy',
    batchSize: 5,
    trainSize: 5,
    eta: 0.3,
    lambda: 2,
    l1: 0.4,
    momentum: 0.7,
    epochs: 2,
    evalSet: 'none',
  });
  const t = new Trainer(h, data, null);
  const w0 = t.network.params.slice();
  const g1 = t.gradientAt([0, 1, 2, 3, 4]);
  t.trainBatches(1);
  const w1 = t.network.params.slice();
  // First step: v = -eta g, w1 = w0 + v.
  for (let i = 0; i < w0.length; i += 37) assert.ok(Math.abs(w1[i] - (w0[i] - h.eta * g1[i])) < 1e-5, `step 1 at ${i}`);
  t.finishEpoch();
  const g2 = t.gradientAt([0, 1, 2, 3, 4]);
  t.trainBatches(1);
  const w2 = t.network.params;
  for (let i = 0; i < w0.length; i += 37) {
    const v2 = h.momentum * (w1[i] - w0[i]) - h.eta * g2[i];
    assert.ok(Math.abs(w2[i] - (w1[i] + v2)) < 1e-5, `step 2 at ${i}: ${w2[i]} vs ${w1[i] + v2}`);
  }
});

test("without momentum the update is network2.py's: w <- (1 - eta*lambda/n) w - (eta/m) grad", () => {
  const data = syntheticSplit(6, 4);
  const h = hp({ sizes: [784, 5, 10], batchSize: 6, trainSize: 6, eta: 0.7, lambda: 5, evalSet: 'none' });
  const t = new Trainer(h, data, null);
  const w0 = t.network.params.slice();
  const g = t.gradientAt([0, 1, 2, 3, 4, 5]);
  t.trainBatches(1);
  for (let i = 0; i < w0.length; i += 29) assert.ok(Math.abs(t.network.params[i] - (w0[i] - h.eta * g[i])) < 1e-5);
});

test('the same seed and hyperparameters give the same run, bit for bit; another seed does not', () => {
  const data = syntheticSplit(60, 5);
  const evalData = syntheticSplit(30, 6);
  const h = hp({
    sizes: [784, 12, 10],
    batchSize: 7,
    trainSize: 60,
    epochs: 3,
    dropout: 0.3,
    momentum: 0.4,
    seed: 77,
    monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: true, trainCost: true, inside: false },
  });
  const run = (seed: number) => {
    const t = new Trainer({ ...h, seed }, data, evalData);
    while (!t.done) t.runEpoch();
    return t;
  };
  const a = run(77);
  const b = run(77);
  assert.deepEqual(a.network.params, b.network.params);
  assert.deepEqual(
    a.history.map(({ seconds: _, ...m }) => m),
    b.history.map(({ seconds: _, ...m }) => m),
  );
  assert.notDeepEqual(run(78).network.params, a.network.params);
});

test('early stopping ends the run after N epochs without a better evaluation accuracy', () => {
  const data = syntheticSplit(30, 1);
  // A learning rate so small that accuracy cannot change after the first epoch.
  const t = new Trainer(hp({ sizes: [784, 5, 10], trainSize: 30, eta: 1e-12, epochs: 50, earlyStop: 4 }), data, syntheticSplit(20, 2));
  const markers = [];
  while (!t.done) markers.push(...t.runEpoch().markers);
  assert.equal(t.epoch, 5);
  assert.equal(t.stoppedBecause, 'early-stop');
  assert.equal(t.bestEpoch, 1);
  assert.ok(markers.some((m) => m.kind === 'early-stop' && m.epoch === 5));
});

test('the schedule halves eta after N epochs without improvement and stops at eta0/128', () => {
  const data = syntheticSplit(30, 1);
  const t = new Trainer(hp({ sizes: [784, 5, 10], trainSize: 30, eta: 1e-12, epochs: 100, halveAfter: 2 }), data, syntheticSplit(20, 2));
  const halvings: number[] = [];
  while (!t.done) for (const m of t.runEpoch().markers) if (m.kind === 'eta-halved') halvings.push(m.epoch);
  assert.deepEqual(halvings, [3, 5, 7, 9, 11, 13, 15]);
  assert.equal(t.stoppedBecause, 'eta-schedule');
  assert.equal(t.eta, 1e-12 / 128);
});

test('a diverging run stops with its reason', () => {
  const data = syntheticSplit(50, 1);
  // The L2 decay factor 1 − ηλ/n = −99 multiplies the weights by −99 every step: they overflow.
  // (A large η alone no longer stops a cross-entropy run: δ = a − y keeps each step bounded, and
  // the costs, computed stably, stay finite however wrong the outputs are.)
  const t = new Trainer(
    hp({
      sizes: [784, 30, 10],
      activation: 'relu',
      trainSize: 50,
      eta: 1000,
      lambda: 5,
      epochs: 20,
      monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: false, trainCost: true, inside: false },
    }),
    data,
    syntheticSplit(20, 2),
  );
  const markers = [];
  while (!t.done) markers.push(...t.runEpoch().markers);
  assert.equal(t.stoppedBecause, 'diverged');
  assert.ok(markers.some((m) => m.kind === 'failed' && /diverged/.test(m.reason)));
});

test('hyperparameters out of range are refused with one line naming the field', () => {
  const bad: [object, RegExp][] = [
    [{ sizes: [784, 0, 10] }, /sizes\[1\] must be a positive integer/],
    [{ sizes: [784, -3, 10] }, /sizes\[1\]/],
    [{ sizes: [784, 30, 9] }, /end with 10 outputs/],
    [{ sizes: [784, 1_000_000_000, 10] }, /larger than the limit/],
    [{ batchSize: 0 }, /batchSize/],
    [{ eta: -1 }, /eta/],
    [{ eta: 0 }, /eta/],
    [{ trainSize: 0 }, /trainSize/],
    [{ trainSize: 50_001 }, /trainSize/],
    [{ dropout: 1 }, /dropout/],
    [{ dropout: -0.1 }, /dropout/],
    [{ cost: 'hinge' }, /unknown cost "hinge"/],
    [{ activation: 'softsign' }, /unknown activation/],
    [{ eta: Number.NaN }, /eta must be a finite number/],
    [{ lr: 1 }, /unknown hyperparameter "lr"/],
  ];
  for (const [over, re] of bad) {
    assert.throws(
      () => validateHyperparams({ ...hp({}), ...over }),
      (e: Error) => e instanceof HyperparamError && re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(over),
    );
  }
});
