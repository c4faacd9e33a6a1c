// The backpropagation page's service (issue 11, part 3) and starting a run from a model's weights
// (part 5): the four equations' numbers agree with each other and with central differences, bad
// requests are refused in one line, and a run started from a model begins at exactly its weights.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService } from '../src/main/lab-service';
import { readCheckpoint } from '../src/main/runs/checkpoint';
import type { TrainerCheckpoint } from '../src/engine/trainer';
import { parseModelJson } from '../src/engine/model-json';
import { dispatchCall } from '../src/shared/validate';
import type { BackpropView } from '../src/shared/api';
import { hp } from './helpers';

const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-bp-'));
const lab = createLabService({ runsDir });
after(async () => {
  await lab.close();
  rmSync(runsDir, { recursive: true, force: true });
});
const call = (method: string, ...args: unknown[]) => dispatchCall(lab, method, args);

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.match(e.message, pattern);
    assert.equal(e.message.includes('\n'), false, e.message);
    return true;
  });
}

const base = { model: { kind: 'default' }, input: { kind: 'mnist', data: 'test', index: 3 }, target: null, cost: null, select: null, check: [] };

test('BP1, BP2, BP3 and BP4 on the bundled model: each number is the product the page shows, and backprop matches central differences', async () => {
  for (const cost of [null, 'quadratic'] as const) {
    const v = (await call('backprop', {
      ...base,
      cost,
      select: { layer: 0, j: 5 },
      check: [
        { layer: 0, kind: 'bias', j: 5, k: null },
        { layer: 0, kind: 'weight', j: 5, k: 300 },
        { layer: 1, kind: 'weight', j: 2, k: 7 },
        { layer: 1, kind: 'bias', j: 9, k: null },
      ],
    })) as BackpropView;
    assert.deepEqual(v.sizes, [784, 100, 10]);
    assert.equal(v.label, 0); // test image 3 is a 0
    assert.equal(v.target, 0);
    const L = v.sizes.length - 1;
    // BP1 at every output neuron.
    for (let j = 0; j < 10; j++) assert.ok(Math.abs(v.gradOutput[j]! * v.prime[L - 1]![j] - v.delta[L - 1][j]) < 1e-12);
    // BP2 for the selected neuron: the listed sum times f'(z).
    assert.ok(Math.abs(v.bp2!.sum * v.prime[0]![5] - v.delta[0][5]) < 1e-15);
    assert.equal(v.bp2!.count, 10);
    const sum = v.bp2!.terms.reduce((s, t) => s + t.product, 0);
    assert.ok(Math.abs(sum - v.bp2!.sum) < 1e-12, 'all ten terms listed');
    // BP3 and BP4 against central differences.
    assert.equal(v.checks.length, 4);
    assert.equal(v.checks[0].backprop, v.delta[0][5]);
    assert.equal(v.checks[1].backprop, v.a[0][300] * v.delta[0][5]);
    for (const c of v.checks) assert.ok(c.relativeError < 1e-6, JSON.stringify(c));
    assert.equal(v.cost, cost ?? 'cross-entropy');
  }
});

test('a drawing is normalized MNIST-style and its target defaults to the network’s answer', async () => {
  const pixels = new Array(60 * 60).fill(0);
  for (let y = 10; y < 50; y++) for (let x = 28; x < 33; x++) pixels[y * 60 + x] = 255; // a stroke: a 1
  const v = (await call('backprop', { ...base, input: { kind: 'drawing', image: { width: 60, height: 60, pixels } } })) as BackpropView;
  assert.equal(v.label, null);
  assert.equal(v.target, v.predicted);
  assert.equal(v.input.pixels.length, 784);
});

test('bad backprop requests are refused with one line', async () => {
  await refused(call('backprop', { ...base, input: { kind: 'mnist', data: 'all', index: 0 } }), /backprop: input.data must be "train", "validation" or "test"/);
  await refused(
    call('backprop', { ...base, input: { kind: 'mnist', data: 'test', index: 10_000 } }),
    /the test data has 10000 images: index 10000 is past the last/,
  );
  await refused(call('backprop', { ...base, select: { layer: 2, j: 0 } }), /select: layer must be 0 to 1, got 2/);
  await refused(call('backprop', { ...base, select: { layer: 0, j: 100 } }), /select: neuron j of layer 0 must be 0 to 99, got 100/);
  await refused(call('backprop', { ...base, check: [{ layer: 0, kind: 'weight', j: 0, k: 784 }] }), /check\[0\]: input k of layer 0 must be 0 to 783, got 784/);
  await refused(call('backprop', { ...base, check: [{ layer: 0, kind: 'bias', j: 0, k: 3 }] }), /check\[0\]: a bias has no input k/);
  await refused(call('backprop', { ...base, check: new Array(101).fill({ layer: 0, kind: 'bias', j: 0, k: null }) }), /more than the limit of 100/);
  await refused(call('backprop', { ...base, cost: 'log-likelihood' }), /the log-likelihood cost does not fit this model's sigmoid output/);
  await refused(call('backprop', { ...base, target: 10 }), /target must be an integer in \[0, 9\]/);
  await refused(call('backprop', { ...base, extra: 1 }), /unknown backprop setting "extra"/);
});

test('a run started from a model begins at exactly its weights; one of other sizes is refused in one line', async () => {
  await refused(
    call('startRun', hp({ sizes: [784, 30, 10] }), 'x', null, { kind: 'default' }),
    /cannot start from Default model \(bundled\): it is a 784-100-10 network, not the 784-30-10/,
  );
  await refused(call('startRun', hp({ sizes: [784, 100, 10] }), 'x', null, { kind: 'nonsense' }), /startRun: model.kind must be/);
  const r = await lab.startRun(hp({ sizes: [784, 100, 10], eta: 0.0001, trainSize: 1000, epochs: 1 }), 'from the default', undefined, { kind: 'default' });
  assert.equal(r.startedFrom, 'Default model (bundled)');
  await lab.settled(r.id);
  const model = parseModelJson(await lab.modelJson({ kind: 'default' })).network;
  const ck = readCheckpoint(join(runsDir, r.id, 'checkpoint.bin')) as TrainerCheckpoint;
  // One epoch at a tiny η: the weights are the model's, moved a little.
  let maxDiff = 0;
  for (let i = 0; i < model.params.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ck.params[i] - model.params[i]));
  assert.ok(maxDiff > 0 && maxDiff < 0.01, `moved by at most ${maxDiff}`);
  assert.ok(ck.history[0].evalAccuracy! > 0.95, `starts where the model is: ${ck.history[0].evalAccuracy}`);
  assert.equal((await lab.listRuns()).find((x) => x.id === r.id)!.startedFrom, 'Default model (bundled)');
});

test('a run started from a model and killed before its first epoch resumes from those weights', async () => {
  const r = await lab.startRun(hp({ sizes: [784, 100, 10], epochs: 1 }), 'killed early', undefined, { kind: 'default' });
  const path = join(runsDir, r.id, 'checkpoint.bin');
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((res) => setTimeout(res, 10));
  await lab.killWorker(r.id);
  const model = parseModelJson(await lab.modelJson({ kind: 'default' })).network;
  const ck = readCheckpoint(path) as TrainerCheckpoint;
  assert.equal(ck.epoch, 0);
  assert.deepEqual(ck.params, model.params);
  const run = (await lab.listRuns()).find((x) => x.id === r.id)!;
  assert.equal(run.resumable, true);
});

test('a prediction carries the first hidden layer’s activations, the same as the backprop page’s forward pass', async () => {
  const pixels = new Array(60 * 60).fill(0);
  for (let y = 10; y < 50; y++) for (let x = 28; x < 33; x++) pixels[y * 60 + x] = 255;
  const image = { width: 60, height: 60, pixels };
  const p = await lab.predict({ kind: 'default' }, image);
  const v = (await call('backprop', { ...base, input: { kind: 'drawing', image } })) as BackpropView;
  assert.equal(p.hidden.length, 100);
  assert.deepEqual(p.hidden, v.a[1]);
});
