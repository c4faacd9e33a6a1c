// The trainer's input layer pixel by pixel (plain SGD on its weights transposed) against the dense
// path: the same arithmetic on the reference backend, the same run within float rounding on wasm,
// whatever the number of mini-batches per trainBatches call, and mini-batches larger than a tile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, type BackendName } from '../src/engine/backend';
import { Evaluator, type Evaluation } from '../src/engine/evaluate';
import type { Kernels } from '../src/engine/kernels';
import type { Hyperparams } from '../src/engine/hyperparams';
import { SPARSE_MIN_BATCH, SPARSE_TILE, SPARSE_WIDE_MIN_BATCH, SPARSE_WIDE_UNITS, Trainer, type TrainerOptions } from '../src/engine/trainer';
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

test(`a first layer of ${SPARSE_WIDE_UNITS} units or more takes it from mini-batches of ${SPARSE_WIDE_MIN_BATCH}, its rows built each time`, () => {
  const augment = { rotateDeg: 5, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
  for (const over of [{}, { augment }]) {
    const wide = base({ sizes: [784, SPARSE_WIDE_UNITS, 10], batchSize: SPARSE_WIDE_MIN_BATCH, trainSize: 60, ...over });
    assert.deepEqual(params(wide, 'wasm', undefined, [2]), params(wide, 'wasm', 'sparse', [2]));
    assert.notDeepEqual(params(wide, 'wasm', undefined, [2]), params(wide, 'wasm', 'dense', [2]));
    const small = { ...wide, batchSize: SPARSE_WIDE_MIN_BATCH - 1 };
    assert.deepEqual(params(small, 'wasm', undefined, [2]), params(small, 'wasm', 'dense', [2]));
    const narrow = { ...wide, sizes: [784, SPARSE_WIDE_UNITS - 1, 10] };
    assert.deepEqual(params(narrow, 'wasm', undefined, [2]), params(narrow, 'wasm', 'dense', [2]));
  }
  // The training set's store (30 MB for MNIST) is kept for mini-batches of SPARSE_MIN_BATCH and more only.
  const store = (h: Hyperparams): unknown => {
    const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: getBackend('wasm') });
    return (t as unknown as { sparse: { store: Float32Array | null } }).sparse.store;
  };
  const wide = base({ sizes: [784, SPARSE_WIDE_UNITS, 10], batchSize: SPARSE_WIDE_MIN_BATCH, trainSize: 60 });
  assert.equal(store(wide), null);
  assert.ok(store({ ...wide, batchSize: SPARSE_MIN_BATCH }) instanceof Float32Array);
  // With no store of the training set's rows, the rows built from each mini-batch's bytes give the
  // same run as those taken from the store at a mini-batch of SPARSE_MIN_BATCH.
  const h = base({ sizes: [784, 13, 10], batchSize: SPARSE_MIN_BATCH });
  const from = (batchSize: number, calls: number[]) => params({ ...h, batchSize }, 'reference', 'sparse', calls);
  assert.deepEqual(from(SPARSE_MIN_BATCH, [3]), params(h, 'reference', 'dense', [3]));
  assert.deepEqual(from(SPARSE_WIDE_MIN_BATCH, [3]), params({ ...h, batchSize: SPARSE_WIDE_MIN_BATCH }, 'reference', 'dense', [3]));
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

// How often evaluate() ran the sparse forward (the trainer's and the Evaluator's kernels are private).
function sparseCalls(owner: object, evaluate: () => Evaluation): { e: Evaluation; calls: number } {
  const k = (owner as unknown as { kernels: Kernels }).kernels;
  const f = k.sparseForwardT;
  let calls = 0;
  k.sparseForwardT = (...a) => {
    calls++;
    f.apply(k, a);
  };
  try {
    return { e: evaluate(), calls };
  } finally {
    k.sparseForwardT = f;
  }
}

test('evaluation takes the input layer pixel by pixel: the dense evaluation bit for bit on the reference backend', () => {
  const h = base({ batchSize: 20 });
  const evalSplit = syntheticSplit(300, 9);
  const run = (inputLayer: TrainerOptions['inputLayer']) => {
    const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: getBackend('reference'), inputLayer, evalRows: 70 });
    t.trainBatches(3);
    return sparseCalls(t, () => t.evaluate(evalSplit));
  };
  const sparse = run('sparse');
  const dense = run('dense');
  assert.ok(sparse.calls >= 15, `the sparse forward ran ${sparse.calls} times`); // 5 chunks of 70 rows, tiles of 20
  assert.equal(dense.calls, 0);
  assert.deepEqual(sparse.e, dense.e);
});

test('on wasm every evaluation takes it (with its own wT where training does not have one), within rounding of the dense one', () => {
  const evalSplit = syntheticSplit(300, 9);
  const ref = getBackend('reference');
  for (const [over, inputLayer] of [
    [{ batchSize: 20 }, undefined], // the training's wT and lists
    [{ batchSize: 10 }, undefined], // dense training, its own
    [{ momentum: 0.5 }, undefined], // momentum: its own, and w changes without wT
    [{ sizes: [784, 10], cost: 'log-likelihood' }, undefined], // the input layer is the output layer
    [{ batchSize: 20 }, 'dense'],
  ] as [Partial<Hyperparams>, TrainerOptions['inputLayer']][]) {
    const h = base(over);
    const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: getBackend('wasm'), inputLayer, evalRows: 70 });
    for (let i = 0; i < 2; i++) {
      t.trainBatches(3);
      const { e, calls } = sparseCalls(t, () => t.evaluate(evalSplit));
      assert.equal(calls > 0, inputLayer !== 'dense', `${JSON.stringify(over)} ${inputLayer}: ${calls} sparse calls`);
      const expected = new Evaluator(t.network, ref).evaluate(evalSplit, { lambda: h.lambda, l1: h.l1 });
      assert.equal(e.correct, expected.correct, JSON.stringify(over));
      assert.ok(Math.abs(e.cost - expected.cost) < 1e-5 * Math.abs(expected.cost), `${JSON.stringify(over)}: cost ${e.cost}, dense ${expected.cost}`);
    }
  }
  // A standalone evaluator on wasm, in chunks of 1,000 rows and tiles of 128.
  const h = base({});
  const t = new Trainer(h, syntheticSplit(h.trainSize, 3), null, { backend: ref });
  t.trainBatches(3);
  const big = syntheticSplit(1300, 11);
  const ev = new Evaluator(t.network, getBackend('wasm'));
  const { e, calls } = sparseCalls(ev, () => ev.evaluate(big));
  assert.equal(calls, 11); // 8 + 3 tiles
  const expected = new Evaluator(t.network, ref).evaluate(big);
  assert.equal(e.correct, expected.correct);
  assert.ok(Math.abs(e.cost - expected.cost) < 1e-5 * expected.cost);
});
