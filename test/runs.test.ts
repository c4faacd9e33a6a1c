// The training service's runs: worker threads with pause/resume/stop, checkpoints that resume bit
// for bit (after a killed worker and after a restart), concurrent runs, divergence, CSV, delete.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Rng } from '../src/engine/rng';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateHyperparams, type Hyperparams } from '../src/engine/hyperparams';
import type { TrainerCheckpoint } from '../src/engine/trainer';
import type { LabEvent, RunSummary } from '../src/shared/api';
import { createLabService, type LabService, type LabServiceOptions } from '../src/main/lab-service';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint } from '../src/main/runs/checkpoint';
import { DEFAULT_HEAP_LIMIT_MB, poolOptions } from '../src/main/runs/pool';
import { dispatchCall } from '../src/shared/validate';
import { cliInProcess } from './helpers';

const dirs: string[] = [];
const services: LabService[] = [];
after(async () => {
  await Promise.all(services.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nnlab-runs-'));
  dirs.push(d);
  return d;
}

function open(runsDir: string, opts: Partial<LabServiceOptions> = {}): { lab: LabService; events: LabEvent[] } {
  const lab = createLabService({ runsDir, ...opts });
  services.push(lab);
  const events: LabEvent[] = [];
  lab.onEvent((e) => events.push(e));
  return { lab, events };
}

/** Polls until `pred` holds (the runs report through events and run.json; no timing is asserted). */
async function until<T>(what: string, pred: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(lab: LabService, id: string): Promise<RunSummary> {
  const r = (await lab.listRuns()).find((x) => x.id === id);
  assert.ok(r, `run ${id} is listed`);
  return r;
}

async function ended(lab: LabService, id: string): Promise<RunSummary> {
  return until(`run ${id} to end`, async () => {
    const r = await run(lab, id);
    return r.state === 'finished' || r.state === 'failed' || r.state === 'stopped' ? r : null;
  });
}

/** Runs `act` the moment run `id` reports epoch `epoch`, while the worker is already into the next one. */
function atEpoch(lab: LabService, id: string, epoch: number, act: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = lab.onEvent((e) => {
      if (e.type === 'epoch' && e.runId === id && e.metrics.epoch === epoch) {
        off();
        act().then(resolve, reject);
      }
    });
  });
}

const small = (extra: Partial<Hyperparams> = {}): Hyperparams => validateHyperparams({ sizes: [784, 10, 10], trainSize: 1000, epochs: 3, eta: 0.5, ...extra });

function finalParams(runsDir: string, id: string): TrainerCheckpoint {
  return readCheckpoint(join(runsDir, id, 'checkpoint.bin')) as TrainerCheckpoint;
}

test('checkpoint files round-trip typed arrays, NaN and nesting, and refuse corrupt bytes', () => {
  const state = { a: new Float32Array([1.5, -0, NaN, 3.4e38]), b: { c: [1, 2, Infinity], d: null, e: new Uint32Array([7, 2 ** 32 - 1]) }, s: 'x', n: NaN };
  const bytes = Buffer.concat(encodeCheckpoint(state));
  const back = decodeCheckpoint(bytes) as typeof state;
  assert.deepEqual([...back.a].map(String), ['1.5', '0', 'NaN', String(Math.fround(3.4e38))]);
  assert.ok(Object.is(back.a[1], -0));
  assert.deepEqual(back.b.c, [1, 2, Infinity]);
  assert.deepEqual([...back.b.e], [7, 2 ** 32 - 1]);
  assert.ok(Number.isNaN(back.n));
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 3] ^= 1;
  assert.throws(() => decodeCheckpoint(flipped, 'ck'), /ck: checksum mismatch/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, 40), 'ck'), /ck: (truncated|checksum)/);
  assert.throws(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint'), 'ck'), /wrong magic/);
});

test('resume after a killed worker and after a restart gives the same weights bit for bit', async () => {
  const runsDir = tempDir();
  // Momentum and dropout put velocities and the generator's state into the checkpoint too.
  const hp = small({ trainSize: 3000, momentum: 0.5, dropout: 0.2, batchSize: 7 });
  const { lab } = open(runsDir);

  const a = await lab.startRun(hp, 'uninterrupted');
  assert.equal((await ended(lab, a.id)).state, 'finished');

  // Killed mid-run (during epoch 2): failed, resumable from the epoch-1 checkpoint.
  const b = await lab.startRun(hp, 'killed');
  const killing = atEpoch(lab, b.id, 1, () => lab.killWorker(b.id));
  await killing;
  const killed = await run(lab, b.id);
  assert.equal(killed.state, 'failed');
  assert.match(killed.stoppedBecause ?? '', /exited unexpectedly/);
  assert.equal(killed.resumable, true);
  await lab.resumeRun(b.id);
  assert.equal((await ended(lab, b.id)).state, 'finished');

  // The app closed during training: a new service lists the run as interrupted, and resumes it.
  const c = await lab.startRun(hp, 'restarted');
  await atEpoch(lab, c.id, 1, () => lab.close());
  const { lab: lab2 } = open(runsDir);
  const interrupted = await run(lab2, c.id);
  assert.equal(interrupted.state, 'failed');
  assert.match(interrupted.stoppedBecause ?? '', /interrupted/);
  assert.equal(interrupted.resumable, true);
  await lab2.resumeRun(c.id);
  assert.equal((await ended(lab2, c.id)).state, 'finished');

  const pa = finalParams(runsDir, a.id);
  for (const id of [b.id, c.id]) {
    const markers = (await run(lab2, id)).markers;
    assert.deepEqual(
      markers.filter((m) => m.kind === 'failed'),
      [],
      'the recovered failure is no longer marked',
    );
    assert.deepEqual(
      markers.filter((m) => m.kind === 'finished').map((m) => m.epoch),
      [3],
    );
    const p = finalParams(runsDir, id);
    assert.equal(p.epoch, 3);
    assert.deepEqual(Buffer.from(p.params.buffer), Buffer.from(pa.params.buffer), `run ${id} ends with the uninterrupted run's weights`);
    assert.deepEqual(Buffer.from(p.velocities!.buffer), Buffer.from(pa.velocities!.buffer));
    assert.deepEqual(p.rng, pa.rng);
    assert.deepEqual(
      (await lab2.runHistory(id)).map((m) => m.evalAccuracy),
      (await lab2.runHistory(a.id)).map((m) => m.evalAccuracy),
    );
  }
  assert.equal(
    await lab2.modelJson({ kind: 'run', runId: b.id, which: 'current' }).then((t) => JSON.parse(t).weights[1][3][5]),
    JSON.parse(await lab2.modelJson({ kind: 'run', runId: a.id, which: 'current' })).weights[1][3][5],
  );
});

test('pause holds a run mid-epoch, resume continues it, stop ends it resumable', async () => {
  const runsDir = tempDir();
  const { lab, events } = open(runsDir);
  // Big enough that an epoch spans many chunks, so pause and stop land mid-epoch.
  const t0 = Date.now();
  const r = await lab.startRun(small({ sizes: [784, 100, 10], trainSize: 50_000, epochs: 50, evalSet: 'none' }));
  await until('progress', () => events.some((e) => e.type === 'progress' && e.progress.runId === r.id));
  await lab.pauseRun(r.id);
  assert.equal((await run(lab, r.id)).state, 'paused');
  await new Promise((res) => setTimeout(res, 300)); // let anything in flight arrive
  const frozen = events.filter((e) => e.type === 'progress' || e.type === 'epoch').length;
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(events.filter((e) => e.type === 'progress' || e.type === 'epoch').length, frozen, 'no progress while paused');
  await assert.rejects(lab.pauseRun(r.id), /is paused, not running/);

  await lab.resumeRun(r.id);
  assert.equal((await run(lab, r.id)).state, 'running');
  await until('progress after resume', () => events.filter((e) => e.type === 'progress' || e.type === 'epoch').length > frozen);

  const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
  const p = progress[progress.length - 1];
  assert.ok(p.examplesDone > 0 && p.examplesDone <= p.examplesTotal && p.examplesTotal === 50_000);
  assert.ok(p.examplesPerSecond > 0 && p.etaSeconds > 0);

  await until('epoch 1', async () => (await run(lab, r.id)).epochsDone >= 1);
  await lab.stopRun(r.id);
  const s = await ended(lab, r.id);
  assert.equal(s.state, 'stopped');
  assert.equal(s.stoppedBecause, 'stopped');
  assert.equal(s.resumable, true);
  assert.ok(s.epochsDone < 50);
  await lab.settled(r.id);
  await assert.rejects(lab.stopRun(r.id), /is stopped/);
  // Progress is throttled to at most one message per 100 ms (counted, not timed: delivery may bunch up).
  const count = events.filter((e) => e.type === 'progress').length;
  assert.ok(count <= (Date.now() - t0) / 100 + 1, `${count} progress events in ${Date.now() - t0} ms`);
});

test('set eta mid-run is applied, recorded with a marker, and validated', async () => {
  const runsDir = tempDir();
  const { lab, events } = open(runsDir);
  const r = await lab.startRun(small({ epochs: 6 }));
  await lab.pauseRun(r.id);
  await lab.setEta(r.id, 0.125);
  await assert.rejects(dispatchCall(lab, 'setEta', [r.id, 0]), /eta must be a number in \(0, 1000000\]/);
  await assert.rejects(dispatchCall(lab, 'setEta', [r.id, Number.NaN]), /eta must be/);
  await assert.rejects(dispatchCall(lab, 'setEta', [r.id, '1']), /eta must be/);
  await lab.resumeRun(r.id);
  const done = await ended(lab, r.id);
  assert.equal(done.state, 'finished');
  assert.equal(done.currentEta, 0.125);
  const hist = await lab.runHistory(r.id);
  assert.equal(hist[hist.length - 1].eta, 0.125);
  assert.ok(events.some((e) => e.type === 'epoch' && e.runId === r.id && e.markers.some((m) => m.kind === 'eta-changed' && m.eta === 0.125)));
});

test('two runs train at once, each to its own end', async () => {
  const runsDir = tempDir();
  const { lab, events } = open(runsDir);
  const [a, b] = await Promise.all([lab.startRun(small({ seed: 1, epochs: 4 })), lab.startRun(small({ seed: 2, epochs: 4 }))]);
  await until('both running', async () => (await lab.listRuns()).filter((r) => r.state === 'running').length === 2 || events.length > 0);
  const [ra, rb] = await Promise.all([ended(lab, a.id), ended(lab, b.id)]);
  assert.equal(ra.state, 'finished');
  assert.equal(rb.state, 'finished');
  assert.equal(ra.epochsDone, 4);
  assert.equal(rb.epochsDone, 4);
  assert.notDeepEqual(await lab.runHistory(a.id), await lab.runHistory(b.id));
  const epochsOf = (id: string) => events.filter((e) => e.type === 'epoch' && e.runId === id).length;
  assert.equal(epochsOf(a.id), 4);
  assert.equal(epochsOf(b.id), 4);
});

test('a diverging run ends failed with its reason while another run goes on', async () => {
  const runsDir = tempDir();
  const { lab, events } = open(runsDir);
  const good = await lab.startRun(small({ epochs: 3 }));
  const bad = await lab.startRun(
    small({
      epochs: 10,
      eta: 1000,
      lambda: 5,
      cost: 'cross-entropy',
      monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: false, trainCost: false, inside: false },
    }),
  );
  const r = await ended(lab, bad.id);
  assert.equal(r.state, 'failed');
  assert.match(r.stoppedBecause ?? '', /diverged at epoch \d+.*eta 1000/);
  // The reason as data too, for the UI to word in the user's language (src/shared/errors).
  assert.equal(r.stoppedWhy?.code, 'run.diverged');
  assert.equal(r.stoppedWhy?.params.eta, 1000);
  assert.ok(events.some((e) => e.type === 'epoch' && e.runId === bad.id && e.markers.some((m) => m.kind === 'failed')));
  assert.equal((await ended(lab, good.id)).state, 'finished');
  // run.json keeps the NaN cost readable.
  const saved = JSON.parse(readFileSync(join(runsDir, bad.id, 'run.json'), 'utf8'));
  assert.match(saved.history[saved.history.length - 1].evalCost, /^(NaN|Infinity)$/);
  const { lab: again } = open(runsDir);
  assert.equal(Number.isFinite((await again.runHistory(bad.id)).pop()!.evalCost), false);
  assert.deepEqual((await again.listRuns()).find((x) => x.id === bad.id)?.stoppedWhy, r.stoppedWhy, 'the reason survives a restart');
});

test('a worker that throws ends its run with the reason; the service goes on', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const r = await lab.startRun(small({ epochs: 20 }));
  await until('epoch 1', async () => (await run(lab, r.id)).epochsDone >= 1);
  await lab.stopRun(r.id);
  await ended(lab, r.id);
  await lab.settled(r.id);
  // A corrupt checkpoint makes the resumed worker throw while starting.
  writeFileSync(join(runsDir, r.id, 'checkpoint.bin'), 'garbage');
  await lab.resumeRun(r.id);
  const f = await until('failure', async () => ((await run(lab, r.id)).state === 'failed' ? run(lab, r.id) : null));
  assert.match(f.stoppedBecause ?? '', /checkpoint\.bin: (truncated|not a checkpoint)/);
  const ok = await lab.startRun(small({ epochs: 1 }));
  assert.equal((await ended(lab, ok.id)).state, 'finished');
});

test('CSV export has a header and one row per epoch; delete removes the run and its folder', async () => {
  const runsDir = tempDir();
  const { lab, events } = open(runsDir);
  const r = await lab.startRun(
    small({ epochs: 2, monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: true, trainCost: false, inside: false } }),
    'csv run',
  );
  await ended(lab, r.id);
  const csv = await lab.runCsv(r.id);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'epoch,seconds,eta,trainCost,trainAccuracy,evalCost,evalAccuracy,markers');
  assert.equal(lines.length, 3);
  const cells = lines[1].split(',');
  assert.equal(cells[0], '1');
  assert.equal(cells[3], '');
  assert.ok(Number(cells[4]) > 0.3 && Number(cells[6]) > 0.3);
  assert.match(lines[2], /best|finished/);
  assert.ok(existsSync(join(runsDir, r.id, 'run.json')));
  await lab.deleteRun(r.id);
  assert.equal(existsSync(join(runsDir, r.id)), false);
  assert.equal(
    (await lab.listRuns()).some((x) => x.id === r.id),
    false,
  );
  assert.ok(events.some((e) => e.type === 'run-deleted' && e.runId === r.id));
  await assert.rejects(lab.runCsv(r.id), /no run with id/);
  await assert.rejects(dispatchCall(lab, 'deleteRun', ['../etc']), /run id must be/);
});

test('an augmented run trains on fresh transforms each epoch, reproducibly, and resumes bit for bit', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const augment = { rotateDeg: 15, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 4 };
  const hp = small({ trainSize: 2000, augment });
  const plain = await lab.startRun(small({ trainSize: 2000 }), 'plain');
  const a = await lab.startRun(hp, 'augmented');
  const b = await lab.startRun(hp, 'augmented, killed');
  await atEpoch(lab, b.id, 1, () => lab.killWorker(b.id));
  assert.equal((await run(lab, b.id)).state, 'failed');
  await lab.resumeRun(b.id);
  for (const id of [plain.id, a.id, b.id]) assert.equal((await ended(lab, id)).state, 'finished');
  const pa = finalParams(runsDir, a.id).params;
  assert.deepEqual(Buffer.from(finalParams(runsDir, b.id).params.buffer), Buffer.from(pa.buffer));
  assert.notDeepEqual(Buffer.from(finalParams(runsDir, plain.id).params.buffer), Buffer.from(pa.buffer), 'augmentation changed the training');
  assert.ok((await run(lab, a.id)).lastEvalAccuracy! > 0.5);
});

test('the CLI and a worker train the same run bit for bit, augmented too', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const saved = join(runsDir, 'cli.json');
  const cli = await cliInProcess(
    ...['train', '--sizes', '784,10,10', '--train-size', '1000', '--epochs', '2', '--eta', '0.5'],
    ...['--augment', 'rotate:15,elastic:34/4', '--seed', '3', '--save', saved, '--json'],
  );
  assert.equal(cli.status, 0, cli.stderr);
  const r = await lab.startRun(small({ epochs: 2, seed: 3, augment: { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 } }));
  assert.equal((await ended(lab, r.id)).state, 'finished');
  const fromCli = JSON.parse(readFileSync(saved, 'utf8'));
  const fromWorker = JSON.parse(await lab.modelJson({ kind: 'run', runId: r.id, which: 'current' }));
  assert.deepEqual(fromWorker.weights, fromCli.weights);
  assert.deepEqual(fromWorker.biases, fromCli.biases);
});

test('a worker out of memory ends its own run with that reason; the process goes on', async () => {
  const runsDir = tempDir();
  // A 1 MB heap cannot even load the worker's modules: the worker dies of ERR_WORKER_OUT_OF_MEMORY.
  const starved = createLabService({ runsDir, heapLimitMb: 1 });
  services.push(starved);
  const r = await starved.startRun(small());
  const f = await ended(starved, r.id);
  assert.equal(f.state, 'failed');
  assert.match(f.stoppedBecause ?? '', /ran out of memory/);
  assert.ok(f.markers.some((m) => m.kind === 'failed' && /memory/.test(m.reason)));
  const { lab } = open(tempDir());
  const ok = await lab.startRun(small({ epochs: 1 }));
  assert.equal((await ended(lab, ok.id)).state, 'finished');
});

test('a run of tiny epochs sends every epoch but coalesces its summary events', async () => {
  // With an interval longer than the run, the count is the same however fast the machine is.
  const { lab, events } = open(tempDir(), { runEventMs: 3_600_000 });
  const r = await lab.startRun(small({ trainSize: 100, epochs: 60, evalSet: 'none' }));
  assert.equal((await ended(lab, r.id)).epochsDone, 60);
  const epochs = events.filter((e) => e.type === 'epoch' && e.runId === r.id).length;
  const summaries = events.flatMap((e) => (e.type === 'run' && e.run.id === r.id ? [e.run] : []));
  assert.equal(epochs, 60);
  assert.ok(summaries.length <= 4, `${summaries.length} summary events for 60 epochs`);
  assert.equal(summaries[summaries.length - 1].state, 'finished');
});

test('an unreadable run.json is skipped with a message, the other runs still list', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const r = await lab.startRun(small({ epochs: 1 }));
  await ended(lab, r.id);
  await lab.close();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(runsDir, 'run-broken'));
  writeFileSync(join(runsDir, 'run-broken', 'run.json'), '{"id": "run-broken", "state": "runn');
  mkdirSync(join(runsDir, 'run-other'));
  writeFileSync(
    join(runsDir, 'run-other', 'run.json'),
    JSON.stringify({ id: 'run-other', state: 'finished', history: [], hyperparams: { sizes: [784, 1e9, 10] } }),
  );
  writeFileSync(join(runsDir, r.id, 'checkpoint.bin.tmp-1-abcd'), 'half a write');
  const errors: string[] = [];
  const write = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    const { lab: again } = open(runsDir);
    assert.deepEqual(
      (await again.listRuns()).map((x) => x.id),
      [r.id],
    );
  } finally {
    console.error = write;
  }
  assert.ok(errors.some((m) => /run-broken\/run.json: not JSON/.test(m)));
  assert.ok(errors.some((m) => /run-other\/run.json: sizes\[1\] = 1000000000/.test(m)));
  assert.equal(existsSync(join(runsDir, r.id, 'checkpoint.bin.tmp-1-abcd')), false);
});

test('a run folder that can no longer be written fails that run with the reason; the process goes on', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const r = await lab.startRun(small({ sizes: [784, 30, 10], trainSize: 20_000, epochs: 30 }));
  const errors: string[] = [];
  const write = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    await atEpoch(lab, r.id, 1, async () => {
      // The folder becomes a file: the next checkpoint and the next run.json both fail to write.
      rmSync(join(runsDir, r.id), { recursive: true, force: true });
      writeFileSync(join(runsDir, r.id), 'not a folder');
    });
    const f = await ended(lab, r.id);
    assert.equal(f.state, 'failed');
    assert.match(f.stoppedBecause ?? '', /cannot write .*checkpoint\.bin/);
  } finally {
    console.error = write;
  }
  assert.ok(
    errors.some((m) => m.includes(r.id)),
    'the failed run.json write was reported',
  );
  await lab.deleteRun(r.id);
  assert.equal(existsSync(join(runsDir, r.id)), false);
});

test('training workers get the default heap limit when none is given, even as an explicit undefined', () => {
  const base = { store: {} as never, data: async () => ({}) as never, workerUrl: 'file:///w.js', emit: () => {} };
  assert.equal(poolOptions({ ...base, heapLimitMb: undefined }).heapLimitMb, DEFAULT_HEAP_LIMIT_MB);
  assert.equal(poolOptions(base).heapLimitMb, DEFAULT_HEAP_LIMIT_MB);
  assert.equal(poolOptions({ ...base, heapLimitMb: 300 }).heapLimitMb, 300);
  assert.equal(poolOptions({ ...base, progressIntervalMs: undefined }).progressIntervalMs > 0, true);
});

/** Resolves with the first event that `pred` accepts. */
function nextEvent(lab: LabService, pred: (e: LabEvent) => boolean): Promise<LabEvent> {
  return new Promise((resolve) => {
    const off = lab.onEvent((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

test('a resume storm the moment a run stops gives it one worker and a history of each epoch once', async () => {
  const { lab } = open(tempDir(), { maxLiveRuns: 2 });
  const r = await lab.startRun(small({ trainSize: 5000, epochs: 4 }));
  // Twelve clients press resume the moment the 'stopped' event arrives (the worker still exiting).
  const storm = nextEvent(lab, (e) => e.type === 'run' && e.run.id === r.id && e.run.state === 'stopped').then(() =>
    Promise.allSettled(Array.from({ length: 12 }, () => lab.resumeRun(r.id))),
  );
  await atEpoch(lab, r.id, 1, () => lab.stopRun(r.id));
  const resumes = await storm;
  assert.equal(resumes.filter((x) => x.status === 'fulfilled').length, 1, 'one resume wins');
  for (const x of resumes) if (x.status === 'rejected') assert.match(String(x.reason), /is already running|is running, not paused/);
  assert.equal(lab.trainingWorkers(), 1);
  // And five more clients start runs at once, with room for two workers.
  const starts = await Promise.allSettled(Array.from({ length: 5 }, () => lab.startRun(small({ trainSize: 5000, epochs: 50 }))));
  assert.equal(starts.filter((x) => x.status === 'fulfilled').length, 1, 'the limit of two holds');
  assert.ok(lab.trainingWorkers() <= 2, `${lab.trainingWorkers()} workers`);
  const extra = starts.find((x) => x.status === 'fulfilled') as PromiseFulfilledResult<RunSummary>;
  await lab.stopRun(extra.value.id);
  const done = await ended(lab, r.id);
  assert.equal(done.state, 'finished');
  assert.deepEqual(
    (await lab.runHistory(r.id)).map((m) => m.epoch),
    [1, 2, 3, 4],
  );
  await lab.settled(r.id);
  assert.equal(lab.trainingWorkers(), 0);
});

test('any interleaving of commands from many clients leaves at most one worker per live run', async () => {
  const { lab } = open(tempDir(), { maxLiveRuns: 3 });
  const rng = new Rng(99);
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) ids.push((await lab.startRun(small({ trainSize: 3000, epochs: 40, seed: i + 1 }))).id);
  for (let round = 0; round < 8; round++) {
    const calls: Promise<unknown>[] = [];
    for (let k = 0; k < 10; k++) {
      const id = ids[rng.int(ids.length)];
      const op = rng.int(6);
      calls.push(
        op === 0
          ? lab.pauseRun(id)
          : op === 1
            ? lab.resumeRun(id)
            : op === 2
              ? lab.stopRun(id)
              : op === 3
                ? lab.setEta(id, 0.1 + rng.uniform())
                : op === 4
                  ? lab.startRun(small({ trainSize: 3000, epochs: 40, seed: 50 + round })).then((s) => ids.push(s.id))
                  : lab.resumeRun(id),
      );
    }
    await Promise.allSettled(calls);
    const live = (await lab.listRuns()).filter((x) => x.state === 'running' || x.state === 'paused');
    assert.ok(live.length <= 3, `${live.length} live runs`);
    assert.ok(lab.trainingWorkers() <= 3, `${lab.trainingWorkers()} workers for ${live.length} live runs`);
  }
  for (const id of ids) await lab.stopRun(id).catch(() => {});
  for (const id of ids) await lab.settled(id);
  for (const id of ids) {
    const epochs = (await lab.runHistory(id)).map((m) => m.epoch);
    assert.deepEqual(
      epochs,
      epochs.map((_, i) => i + 1),
      `run ${id}: each epoch once`,
    );
  }
  assert.equal(lab.trainingWorkers(), 0);
});

test('a refused start leaves no run folder; a setEta that cannot be written says so', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir, { maxLiveRuns: 1 });
  const r = await lab.startRun(small({ trainSize: 3000, epochs: 50 }));
  await assert.rejects(lab.startRun(small({})), /1 runs are training or paused already/);
  assert.deepEqual(readdirSync(runsDir), [r.id]);
  await lab.pauseRun(r.id);
  // run.json made unwritable: the new rate is refused, and the old one stays.
  const file = join(runsDir, r.id, 'run.json');
  const before = (await run(lab, r.id)).currentEta;
  chmodSync(join(runsDir, r.id), 0o500);
  try {
    if (process.getuid?.() === 0) {
      // root writes anyway: make the folder a file's name instead.
      chmodSync(join(runsDir, r.id), 0o700);
      rmSync(file);
      mkdirSync(file);
    }
    await assert.rejects(lab.setEta(r.id, 0.123), /cannot write/);
    assert.equal((await run(lab, r.id)).currentEta, before);
  } finally {
    chmodSync(join(runsDir, r.id), 0o700);
    rmSync(file, { recursive: true, force: true });
  }
  await lab.stopRun(r.id);
});

test('a truncated run.json is listed as damaged and resumable from its intact checkpoint', async () => {
  const runsDir = tempDir();
  const first = open(runsDir);
  const r = await first.lab.startRun(small({ epochs: 2 }));
  await ended(first.lab, r.id);
  await first.lab.close();
  const file = join(runsDir, r.id, 'run.json');
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
  const { lab } = open(runsDir);
  const damaged = await run(lab, r.id);
  assert.equal(damaged.state, 'failed');
  assert.equal(damaged.resumable, true);
  assert.match(damaged.stoppedBecause ?? '', /damaged: its run\.json could not be read .*resumable from its checkpoint at epoch 2/);
  assert.deepEqual(
    (await lab.runHistory(r.id)).map((m) => m.epoch),
    [1, 2],
  );
});

test('a run’s time is its wall clock (evaluation included) beside its training time, and its speed is over the last five epochs', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const r = await lab.startRun(
    small({ epochs: 7, monitor: { evalAccuracy: true, evalCost: true, trainAccuracy: true, trainCost: true, inside: true } }),
    'times',
  );
  await lab.settled(r.id);
  const run = (await lab.listRuns()).find((x) => x.id === r.id)!;
  const history = await lab.runHistory(r.id);
  assert.ok(run.secondsWall > run.secondsTraining, `wall ${run.secondsWall} s, training ${run.secondsTraining} s`);
  const last5 = history.slice(-5).reduce((s, m) => s + m.seconds, 0);
  const n = run.hyperparams.trainSize;
  assert.ok(Math.abs(run.examplesPerSecond! - (5 * n) / last5) / run.examplesPerSecond! < 1e-9, `${run.examplesPerSecond} vs ${(5 * n) / last5}`);
  const stored = JSON.parse(readFileSync(join(runsDir, r.id, 'run.json'), 'utf8'));
  assert.equal(stored.secondsWall, run.secondsWall);
});

test('a run can be renamed and given a note; its book reference stays; bad values are refused in one line', async () => {
  const runsDir = tempDir();
  const { lab } = open(runsDir);
  const r = await lab.startRun(small({ epochs: 1 }), 'first name', 'ch3-ce-30');
  await lab.settled(r.id);
  await dispatchCall(lab, 'describeRun', [r.id, 'a better name', 'λ = 0 on purpose\nsecond line']);
  let run = (await lab.listRuns()).find((x) => x.id === r.id)!;
  assert.deepEqual([run.name, run.note, run.presetId], ['a better name', 'λ = 0 on purpose\nsecond line', 'ch3-ce-30']);
  await dispatchCall(lab, 'describeRun', [r.id, null, '']);
  run = (await lab.listRuns()).find((x) => x.id === r.id)!;
  assert.deepEqual([run.name, run.note], ['a better name', null]);
  const stored = JSON.parse(readFileSync(join(runsDir, r.id, 'run.json'), 'utf8'));
  assert.equal(stored.name, 'a better name');
  await assert.rejects(dispatchCall(lab, 'describeRun', [r.id, 42, null]), /describeRun: run name must be a string/);
  await assert.rejects(dispatchCall(lab, 'describeRun', [r.id, null, 'x'.repeat(5000)]), /describeRun: note is 5000 characters, more than the limit of 4000/);
  await assert.rejects(lab.describeRun('run-none', 'x', null), /no run with id "run-none"/);
});
