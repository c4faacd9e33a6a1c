// Seeded learning tests on the real MNIST: the engine must reach stated accuracies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { loadMnist } from '../src/main/datasets';
import { hp } from './helpers';

test('784-30-10 on the first 10,000 images, one epoch, reaches 90% on validation (both backends)', async () => {
  const mnist = await loadMnist();
  for (const backend of ['wasm', 'reference'] as const) {
    const t = new Trainer(
      hp({ sizes: [784, 30, 10], cost: 'cross-entropy', eta: 0.5, batchSize: 10, trainSize: 10_000, epochs: 1, seed: 1 }),
      mnist.train,
      mnist.validation,
      { backend: getBackend(backend) },
    );
    const { metrics } = t.runEpoch();
    assert.ok(metrics.evalAccuracy! >= 0.9, `${backend}: ${metrics.evalAccuracy}`);
  }
});

test('softmax + log-likelihood with ReLU, momentum 0.5 and dropout 0.2 learns', async () => {
  const mnist = await loadMnist();
  const t = new Trainer(
    hp({
      sizes: [784, 60, 10],
      activation: 'relu',
      cost: 'log-likelihood',
      eta: 0.05,
      momentum: 0.5,
      dropout: 0.2,
      batchSize: 10,
      trainSize: 10_000,
      epochs: 2,
      seed: 2,
    }),
    mnist.train,
    mnist.validation,
    { backend: getBackend() },
  );
  while (!t.done) t.runEpoch();
  assert.ok(t.bestEvalAccuracy! >= 0.9, `accuracy ${t.bestEvalAccuracy}`);
});

test('tanh hidden layers with L1 learn', async () => {
  const mnist = await loadMnist();
  const t = new Trainer(
    hp({ sizes: [784, 30, 10], activation: 'tanh', cost: 'cross-entropy', eta: 0.1, l1: 0.5, batchSize: 10, trainSize: 10_000, epochs: 1, seed: 3 }),
    mnist.train,
    mnist.validation,
    { backend: getBackend() },
  );
  t.runEpoch();
  assert.ok(t.bestEvalAccuracy! >= 0.88, `accuracy ${t.bestEvalAccuracy}`);
});
