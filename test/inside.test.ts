// Inside the network while it trains (issue 11, part 4) and the mini-batch cost: the statistics
// make chapter 3's initialization argument visible, agree with the trainer's own gradient, never
// change what a run learns, and travel with the run's history; each batch's cost is the cost of
// the network before its step.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insideStats, PROBE_SIZE } from '../src/engine/inside';
import { Trainer } from '../src/engine/trainer';
import { regularizationTerm } from '../src/engine/evaluate';
import { Network } from '../src/engine/network';
import { getBackend } from '../src/engine/backend';
import { Rng } from '../src/engine/rng';
import { loadMnist } from '../src/main/datasets';
import { createLabService } from '../src/main/lab-service';
import { parseRunRecord } from '../src/main/runs/store';
import { hp } from './helpers';

test('N(0,1) weights start most hidden neurons saturated, N(0,1/n_in) almost none (chapter 3)', async () => {
  const mnist = await loadMnist();
  const sat = (init: 'large' | 'default') =>
    insideStats(Network.initialize({ sizes: [784, 100, 10], activation: 'sigmoid', cost: 'cross-entropy' }, init, new Rng(3)), mnist.train).layers[0]
      .saturated!;
  assert.ok(sat('large') > 0.5, `old init: ${sat('large')}`);
  assert.ok(sat('default') < 0.02, `new init: ${sat('default')}`);
});

test('the trainer’s statistics (its kernels, float32) agree with the float64 reference, and count every probe value', async () => {
  const mnist = await loadMnist();
  for (const [activation, cost] of [
    ['sigmoid', 'cross-entropy'],
    ['tanh', 'quadratic'],
    ['relu', 'log-likelihood'],
  ] as const) {
    const t = new Trainer(
      hp({ sizes: [784, 20, 12, 10], activation, cost, trainSize: 1000, epochs: 1, evalSet: 'none', init: activation === 'relu' ? 'default' : 'large' }),
      mnist.train,
      null,
      { backend: getBackend() },
    );
    const fast = t.measureInside();
    const ref = insideStats(t.network, t.train);
    assert.equal(fast.probe, PROBE_SIZE);
    assert.deepEqual(
      fast.layers.map((l) => [l.z.counts.reduce((a, b) => a + b), l.a.counts.reduce((a, b) => a + b), l.saturated === null]),
      [20, 12, 10].map((n, i) => [n * PROBE_SIZE, n * PROBE_SIZE, i === 2]),
    );
    for (let l = 0; l < 3; l++) {
      const [f, r] = [fast.layers[l], ref.layers[l]];
      const where = `${activation} layer ${l}`;
      assert.ok(Math.abs(f.gradientNorm - r.gradientNorm) / r.gradientNorm < 1e-3, `${where}: ${f.gradientNorm} vs ${r.gradientNorm}`);
      assert.ok(Math.abs(f.meanAbsWeight - r.meanAbsWeight) < 1e-6, where);
      if (r.saturated !== null) assert.ok(Math.abs(f.saturated! - r.saturated) < 0.003, `${where}: ${f.saturated} vs ${r.saturated}`);
      // float32 against float64 may move a value across a bin edge, rarely.
      const moved = (x: number[], y: number[]) => x.reduce((s, v, i) => s + Math.abs(v - y[i]), 0);
      assert.ok(moved(f.z.counts, r.z.counts) <= 4 && moved(f.a.counts, r.a.counts) <= 4, where);
    }
    if (activation === 'sigmoid') assert.ok(ref.layers[0].saturated! > 0.3, 'N(0,1) saturates');
  }
});

test('the reference’s gradient norm is the trainer’s own gradient (gradientAt)', async () => {
  const mnist = await loadMnist();
  const t = new Trainer(hp({ sizes: [784, 20, 10], batchSize: PROBE_SIZE, trainSize: 1000, epochs: 1, evalSet: 'none' }), mnist.train, null);
  const s = insideStats(t.network, t.train);
  const g = t.gradientAt(Array.from({ length: PROBE_SIZE }, (_, i) => i));
  const net = t.network;
  for (let l = 0; l < net.layers; l++) {
    const o = net.layout.weights[l];
    let sq = 0;
    for (let i = 0; i < net.weights[l].length; i++) sq += g[o + i] ** 2;
    assert.ok(Math.abs(Math.sqrt(sq) - s.layers[l].gradientNorm) / Math.sqrt(sq) < 1e-3, `layer ${l}`);
  }
});

test('a run learns the same weights with the statistics on or off, and reports them from epoch 0', async () => {
  const mnist = await loadMnist();
  const train = (inside: boolean) => {
    const t = new Trainer(
      hp({
        sizes: [784, 16, 10],
        dropout: 0.2,
        momentum: 0.5,
        trainSize: 500,
        epochs: 2,
        monitor: { evalAccuracy: true, evalCost: false, trainAccuracy: false, trainCost: false, inside },
      }),
      mnist.train,
      mnist.validation,
    );
    const ms = [t.runEpoch().metrics, t.runEpoch().metrics];
    return { params: t.network.params.slice(), ms };
  };
  const on = train(true);
  const off = train(false);
  assert.deepEqual(on.params, off.params);
  assert.ok(on.ms[0].insideStart && on.ms[0].inside && on.ms[1].inside && !on.ms[1].insideStart);
  assert.ok(!off.ms[0].inside && !off.ms[0].insideStart);
});

test('the mini-batch cost is each batch’s cost before its step, with the regularization term', async () => {
  const mnist = await loadMnist();
  const t = new Trainer(hp({ sizes: [784, 16, 10], trainSize: 200, batchSize: 200, lambda: 3, epochs: 1, evalSet: 'none' }), mnist.train, null);
  assert.equal(t.takeBatchCost(), null);
  const reg = () => regularizationTerm(t.network, { lambda: 3, l1: 0 }, 200);
  const before = t.evaluate(t.train).cost;
  const dataBefore = before - reg();
  t.trainBatches(1);
  const c = t.takeBatchCost()!;
  // The data term of the batch before its step, and the regularization term of the weights now.
  const expected = dataBefore + reg();
  assert.ok(Math.abs(c - expected) / expected < 1e-5, `${c} vs ${expected}`);
  assert.equal(t.takeBatchCost(), null);
  assert.notEqual(t.evaluate(t.train).cost, before, 'the step changed the network');
});

const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-inside-'));
const lab = createLabService({ runsDir });
after(async () => {
  await lab.close();
  rmSync(runsDir, { recursive: true, force: true });
});

test('statistics travel with the history into run.json and back; progress carries the mini-batch cost', async () => {
  const costs: number[] = [];
  const off = lab.onEvent((e) => {
    if (e.type === 'progress' && e.progress.batchCost !== null) costs.push(e.progress.batchCost);
  });
  const r = await lab.startRun(hp({ sizes: [784, 30, 10], batchSize: 10, epochs: 2 }), 'inside');
  await lab.settled(r.id);
  off();
  const history = await lab.runHistory(r.id);
  assert.equal(history.length, 2);
  assert.equal(history[0].insideStart!.layers.length, 2);
  assert.equal(history[1].inside!.layers[0].neurons, 30);
  const rec = parseRunRecord(readFileSync(join(runsDir, r.id, 'run.json'), 'utf8'), r.id);
  assert.deepEqual(rec.history[1].inside, history[1].inside);
  assert.deepEqual(rec.history[0].insideStart, history[0].insideStart);
  assert.ok(costs.length > 0 && costs.every((c) => Number.isFinite(c) && c > 0), `mini-batch costs: ${costs.length}`);
});
