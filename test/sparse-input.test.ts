// The trainer's input layer pixel by pixel (plain SGD on its weights transposed) against the dense
// path: the same arithmetic on the reference backend, the same run within float rounding on wasm,
// whatever the number of mini-batches per trainBatches call, and mini-batches larger than a tile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, type BackendName } from '../src/engine/backend';
import type { Hyperparams } from '../src/engine/hyperparams';
import { SPARSE_MIN_BATCH, SPARSE_TILE, Trainer, type TrainerOptions } from '../src/engine/trainer';
import { hp, syntheticSplit } from './helpers';

function params(h: Hyperparams, backend: BackendName, inputLayer: TrainerOptions['inputLayer'], calls: number[]): Float32Array {
  const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: getBackend(backend), inputLayer });
  for (const n of calls) if (t.trainBatches(n).epochComplete) t.finishEpoch();
  return t.network.params.slice();
}

const base = (over: Partial<Hyperparams>): Hyperparams =>
  hp({ sizes: [784, 13, 10], cost: 'cross-entropy', eta: 0.3, lambda: 2, l1: 0.5, batchSize: 20, trainSize: 130, epochs: 10, seed: 5, ...over });

test('on the reference backend the sparse input layer gives the dense one bit for bit (L2, L1, a short last mini-batch)', () => {
  const h = base({});
  assert.deepEqual(params(h, 'reference', 'sparse', [4, 3, 9]), params(h, 'reference', 'dense', [4, 3, 9]));
});

test('with dropout, sigmoid outputs and the quadratic cost too', () => {
  const h = base({ dropout: 0.3, cost: 'quadratic', sizes: [784, 30, 7, 10] });
  assert.deepEqual(params(h, 'reference', 'sparse', [12]), params(h, 'reference', 'dense', [12]));
});

test('a network of one layer: the input layer is the softmax output layer', () => {
  const h = base({ sizes: [784, 10], cost: 'log-likelihood' });
  assert.deepEqual(params(h, 'reference', 'sparse', [7]), params(h, 'reference', 'dense', [7]));
});

test('a mini-batch larger than one tile of sparse rows builds them again for the step', () => {
  const h = base({ batchSize: SPARSE_TILE + 300, trainSize: 2 * SPARSE_TILE + 100, sizes: [784, 5, 10], l1: 0 });
  assert.deepEqual(params(h, 'reference', 'sparse', [3]), params(h, 'reference', 'dense', [3]));
});

test('on wasm the sparse input layer tracks the dense one, and the run does not depend on how it is sliced', () => {
  const h = base({ sizes: [784, 30, 10] });
  const sparse = params(h, 'wasm', 'sparse', [7, 7]);
  const dense = params(h, 'wasm', 'dense', [7, 7]);
  let diff = 0;
  for (let i = 0; i < sparse.length; i++) diff = Math.max(diff, Math.abs(sparse[i] - dense[i]));
  assert.ok(diff < 1e-4, `the two paths drifted apart by ${diff}`);
  // The weights go into wT and back at every call: exact copies, so the slicing changes nothing.
  assert.deepEqual(params(h, 'wasm', 'sparse', [1, 2, 3, 1, 7]), sparse);
});

test(`wasm takes the sparse path by default from mini-batches of ${SPARSE_MIN_BATCH}, with or without augmentation; never with momentum`, () => {
  const augment = { rotateDeg: 5, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
  for (const over of [{}, { augment }]) {
    const h = base({ batchSize: SPARSE_MIN_BATCH, ...over });
    assert.deepEqual(params(h, 'wasm', undefined, [5]), params(h, 'wasm', 'sparse', [5]));
    assert.notDeepEqual(params(h, 'wasm', undefined, [5]), params(h, 'wasm', 'dense', [5]));
    const small = base({ batchSize: SPARSE_MIN_BATCH - 1, ...over });
    assert.deepEqual(params(small, 'wasm', undefined, [5]), params(small, 'wasm', 'dense', [5]));
  }
  const momentum = base({ momentum: 0.5 });
  assert.deepEqual(params(momentum, 'wasm', 'sparse', [5]), params(momentum, 'wasm', 'dense', [5]));
});

test("epoch images other than the training set's go through each mini-batch's own sparse rows", () => {
  // The trainer built the training set's rows once; other epoch images (augmented ones, say) must
  // not be read from those. On the reference backend the sparse run on them is the dense one's.
  const h = base({ batchSize: 20 });
  const run = (inputLayer: TrainerOptions['inputLayer']): Float32Array => {
    const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: getBackend('reference'), inputLayer });
    t.setEpochImages(syntheticSplit(h.trainSize, 4).images);
    t.trainBatches(4);
    return t.network.params.slice();
  };
  assert.deepEqual(run('sparse'), run('dense'));
});
