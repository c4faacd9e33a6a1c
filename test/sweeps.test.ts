// Sweeps (issue 12): the spec's one validation, its expansion into points, the summaries (mean ± sd
// over seeds, the learning-rate threshold), and sweeps run by the service: every point trained,
// within the parallel limit, and a sweep interrupted by closing the app finished after reopening it
// without losing or repeating a finished point.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, type LabService } from '../src/main/lab-service';
import {
  etaThreshold,
  expandSweep,
  meanSd,
  parseAxisFlag,
  rangeValues,
  sweepCells,
  validateSweepSpec,
  type PointResult,
  type SweepSummary,
} from '../src/shared/sweep';
import { dispatchCall } from '../src/shared/validate';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'nnlab-sweep-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tiny = { sizes: [784, 10, 10], epochs: 2, trainSize: 500, evalSet: 'validation', monitor: { evalAccuracy: true, trainCost: true, inside: false } };

test('a sweep spec is checked in one line per mistake', () => {
  const ok = { name: 's', base: { hyperparams: tiny }, axes: [{ param: 'eta', values: [0.1] }], sampling: { kind: 'grid' }, seeds: 1 };
  for (const [change, re] of [
    [{ axes: [{ param: 'colour', values: [1] }] }, /axes\[0\]\.param must be one of eta, lambda/],
    [{ axes: [{ param: 'eta', range: { scale: 'log', from: 0, to: 1, count: 3 } }] }, /axes\[0\]\.range\.from must be a number from 1e-9/],
    [
      {
        axes: [
          { param: 'eta', values: [0.1] },
          { param: 'eta', values: [1] },
        ],
      },
      /axes: eta appears twice/,
    ],
    [{ axes: [{ param: 'init', range: { scale: 'linear', from: 0, to: 1, count: 2 } }] }, /init takes a list of values, not a range/],
    [{ axes: [{ param: 'hidden', values: [[0]] }] }, /axes\[0\]\.values\[0\] must be a hidden layer size/],
    [
      { axes: [{ param: 'eta', range: { scale: 'log', from: 0.01, to: 10, count: 100 } }], seeds: 50 },
      /the sweep has 5000 points \(combinations × seeds\), more than the limit of 2000/,
    ],
    [{ base: { presetId: 'ch9-nothing' } }, /base\.presetId must be one of the book's experiments/],
    [{ base: { hyperparams: { eta: -1 } } }, /base: eta must be in/],
    [{ sampling: { kind: 'sobol' } }, /sampling must be \{kind: "grid"\}/],
    [{ seeds: 0 }, /seeds must be a whole number from 1 to 100/],
    [{ colour: 'red' }, /unknown sweep field "colour"/],
  ] as [Record<string, unknown>, RegExp][]) {
    assert.throws(
      () => validateSweepSpec({ ...ok, ...change }),
      (e: Error) => re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(change),
    );
  }
});

test('grids, random draws, seeds and hidden sizes expand into points; the CLI short form of an axis', () => {
  assert.deepEqual(rangeValues({ scale: 'log', from: 0.01, to: 100, count: 5 }), [0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(rangeValues({ scale: 'linear', from: 0, to: 1, count: 3 }), [0, 0.5, 1]);
  const spec = validateSweepSpec({
    name: 'g',
    base: { hyperparams: tiny },
    axes: [
      { param: 'eta', values: [0.1, 1] },
      { param: 'hidden', values: [5, [6, 7]] },
    ],
    seeds: 2,
  });
  const points = expandSweep(spec);
  assert.equal(points.length, 8);
  assert.deepEqual(points[3].hyperparams.sizes, [784, 6, 7, 10]);
  assert.deepEqual(
    points.slice(0, 2).map((p) => [p.repeat, p.hyperparams.seed]),
    [
      [0, 1],
      [1, 2],
    ],
  );
  const random = validateSweepSpec({ ...spec, sampling: { kind: 'random', count: 5, seed: 3 } });
  assert.deepEqual(
    expandSweep(random).map((p) => p.values),
    expandSweep(random).map((p) => p.values),
  );
  assert.equal(expandSweep(random).length, 10);
  assert.deepEqual(parseAxisFlag('eta=log:0.01:10:4').values, [0.01, 0.1, 1, 10]);
  assert.deepEqual(parseAxisFlag('hidden=30,100-30').values, [[30], [100, 30]]);
  assert.deepEqual(parseAxisFlag('init=default,large').values, ['default', 'large']);
  assert.throws(() => parseAxisFlag('eta'), /--axis must look like eta=log:0.01:10:7/);
});

const result = (best: number, costs: number[]): PointResult => ({
  bestEvalAccuracy: best,
  bestEpoch: 1,
  finalTrainCost: costs.at(-1)!,
  finalEvalCost: null,
  seconds: 1,
  evalAccuracy: [best],
  trainCost: costs,
});

test('cells average a point over its seeds (sample sd); the threshold is the largest η whose cost falls', () => {
  assert.deepEqual(meanSd([1, 2, 3]), { mean: 2, sd: 1, n: 3 });
  assert.deepEqual(meanSd([5]), { mean: 5, sd: 0, n: 1 });
  assert.equal(meanSd([null, NaN]), null);
  const cells = sweepCells([
    { values: [0.1], result: result(0.9, [3, 2, 1]) },
    { values: [0.1], result: result(0.8, [3, 2.5, 2]) },
    { values: [1], result: result(0.95, [2, 1, 0.5]) },
    { values: [10], result: result(0.5, [2, 3, 2.5]) },
    { values: [100], result: null },
  ]);
  assert.equal(cells.length, 4);
  assert.ok(Math.abs(cells[0].bestEvalAccuracy!.mean - 0.85) < 1e-12 && Math.abs(cells[0].bestEvalAccuracy!.sd - Math.SQRT1_2 * 0.1) < 1e-12);
  const t = etaThreshold(cells, 0);
  assert.equal(t.eta, 1);
  assert.deepEqual(
    t.falling.map((f) => f.falls),
    [true, true, false],
  );
});

async function until(what: string, f: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const spec = (seeds: number, etas: number[]) => ({
  name: 'etas',
  base: { hyperparams: tiny },
  axes: [{ param: 'eta', values: etas }],
  sampling: { kind: 'grid' },
  seeds,
});

test('a sweep trains every point, at most `parallel` at a time, and records each result', async () => {
  const lab = createLabService({ runsDir: temp(), sweepParallel: 2 });
  try {
    let most = 0;
    const off = lab.onEvent((e) => {
      if (e.type === 'sweep') most = Math.max(most, e.sweep.points.filter((p) => p.state === 'running').length);
    });
    const s = (await dispatchCall(lab, 'startSweep', [spec(2, [0.1, 3])])) as SweepSummary;
    assert.equal(s.points.length, 4);
    await until('the sweep to finish', async () => (await lab.listSweeps())[0].state === 'finished');
    off();
    const done = (await lab.listSweeps())[0];
    assert.ok(most <= 2 && most >= 1, `at most 2 at once: ${most}`);
    assert.ok(done.points.every((p) => p.state === 'done' && p.result && p.result.bestEvalAccuracy! > 0.3 && p.result.trainCost.length === 2));
    const runs = await lab.listRuns();
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.sweepId === s.id));
    // Two seeds of one point are different runs; the same seed is the same run as outside a sweep.
    const [a, b] = [done.points[0].result!, done.points[1].result!];
    assert.notDeepEqual(a.evalAccuracy, b.evalAccuracy);
    const alone = await lab.startRun({ ...(await lab.listRuns())[0].hyperparams });
    await lab.settled(alone.id);
    const first = runs.find((r) => r.id === done.points[0].runId)!;
    assert.deepEqual(
      (await lab.runHistory(alone.id)).map((m) => m.evalAccuracy),
      (await lab.runHistory(first.id)).map((m) => m.evalAccuracy),
    );
    await assert.rejects(dispatchCall(lab, 'startSweep', [{ ...spec(1, [0.1]), seeds: 'many' }]), /startSweep: seeds must be a whole number/);
    await assert.rejects(dispatchCall(lab, 'pauseSweep', ['../x']), /pauseSweep: sweep id must be a string like/);
    await assert.rejects(lab.pauseSweep('sweep-none'), /no sweep with id "sweep-none"/);
    await lab.deleteSweep(s.id);
    assert.deepEqual(await lab.listSweeps(), []);
    assert.equal((await lab.listRuns()).filter((r) => r.sweepId).length, 0);
  } finally {
    await lab.close();
  }
});

test('closing the app mid-sweep loses no finished point; reopening resumes the rest', async () => {
  const runsDir = temp();
  let lab: LabService = createLabService({ runsDir, sweepParallel: 1 });
  const bigger = { ...spec(1, [0.05, 0.1, 0.2, 0.5]), base: { hyperparams: { ...tiny, trainSize: 5000, epochs: 3 } } };
  const s = await lab.startSweep(validateSweepSpec(bigger));
  await until('two points done', async () => (await lab.listSweeps())[0].done >= 2, 120_000);
  await lab.close();
  const before = (await (async () => JSON.parse(JSON.stringify(s)))()) as SweepSummary;
  void before;
  lab = createLabService({ runsDir, sweepParallel: 1 });
  try {
    const reopened = (await lab.listSweeps())[0];
    const kept = reopened.points.filter((p) => p.state === 'done');
    assert.ok(kept.length >= 2, `finished points kept: ${kept.length}`);
    await until('the sweep to finish after reopening', async () => (await lab.listSweeps())[0].state === 'finished');
    const done = (await lab.listSweeps())[0];
    for (const k of kept) assert.deepEqual(done.points[k.index], k, 'a finished point is not trained again');
    assert.ok(done.points.every((p) => p.state === 'done'));
    assert.equal((await lab.listRuns()).length, 4, 'one run per point, none repeated');
  } finally {
    await lab.close();
  }
});
