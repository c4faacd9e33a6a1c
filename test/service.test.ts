// The LabService boundary: every payload from IPC or the WebSocket is checked before use, and a
// bad one is refused with one line saying what was wrong; nothing reaches a worker or the disk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService } from '../src/main/lab-service';
import type { RunSummary } from '../src/shared/api';
import { dispatchCall, grayImage } from '../src/shared/validate';
import { validateHyperparams } from '../src/engine/hyperparams';

const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-service-'));
const lab = createLabService({ runsDir });
after(async () => {
  await lab.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** Calls the API as an untrusted client would, with anything at all, through IPC's and the WebSocket's one validation. */
const api = new Proxy({} as Record<string, (...args: unknown[]) => Promise<unknown>>, {
  get:
    (_t, method) =>
    (...args: unknown[]) =>
      dispatchCall(lab, method, args),
});

async function refused(call: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(call, (e: Error) => {
    assert.match(e.message, pattern);
    assert.equal(e.message.includes('\n'), false, `one line: ${e.message}`);
    return true;
  });
}

test('bad hyperparameters are refused before any run is created', async () => {
  await refused(api.startRun(null), /hyperparameters must be an object/);
  await refused(api.startRun({ sizes: [784, 10], eta: -1 }), /eta must be in \(0, 1000000\], got -1/);
  await refused(api.startRun({ sizes: [784, 1e9, 10] }), /sizes\[1\] = 1000000000 is larger than the limit/);
  await refused(api.startRun({ sizes: [784, 30, 10], bogus: 1 }), /unknown hyperparameter "bogus"/);
  await refused(api.startRun({ sizes: [783, 10] }), /must start with 784 inputs/);
  await refused(api.startRun({ augment: { rotateDeg: 'x' } }), /rotateDeg must be a finite number/);
  await refused(api.startRun({}, 42), /run name must be a string/);
  assert.deepEqual(readdirSync(runsDir), []);
  assert.deepEqual(await lab.listRuns(), []);
});

test('run ids and learning rates are checked', async () => {
  for (const bad of [undefined, 42, '', '../x', 'a/b', 'RUN', 'x'.repeat(65), { id: 'a' }]) {
    await refused(api.pauseRun(bad), /run id must be a string/);
    await refused(api.deleteRun(bad), /run id must be a string/);
  }
  await refused(api.resumeRun('run-unknown'), /no run with id "run-unknown"/);
  await refused(api.runCsv('run-unknown'), /no run with id/);
  await refused(api.setEta('run-unknown', 1), /no run with id/);
  for (const bad of [0, -1, Infinity, NaN, 1e7, '0.5', null]) await refused(api.setEta('run-x', bad), /eta must be a number in \(0, 1000000\]/);
});

test('model references, data names, digits, limits and images are checked', async () => {
  await refused(api.modelJson(null), /model must be an object/);
  await refused(api.modelJson({ kind: 'file', path: '/etc/passwd' }), /model.kind must be "default", "run" or "loaded"/);
  await refused(api.modelJson({ kind: 'run', runId: '../../x', which: 'best' }), /run id must be/);
  await refused(api.modelJson({ kind: 'run', runId: 'run-a', which: 'worst' }), /model.which must be "current" or "best"/);
  await refused(api.modelJson({ kind: 'loaded', id: 'x' }), /model.id must be/);
  await refused(api.modelJson({ kind: 'loaded', id: 'm99' }), /no loaded model with id "m99"/);
  await refused(api.modelJson({ kind: 'run', runId: 'run-a', which: 'best' }), /no run with id "run-a"/);
  const model = { kind: 'default' };
  await refused(api.confusion(model, 'train'), /data must be "validation" or "test"/);
  await refused(api.gallery(model, 'test', 10, 1, 5), /actual must be an integer in \[0, 9\]/);
  await refused(api.gallery(model, 'test', 1, 1.5, 5), /predicted must be an integer/);
  await refused(api.gallery(model, 'test', 1, 1, 0), /limit must be an integer in \[1, 1000\]/);
  await refused(api.receptiveFields(model, -3), /limit must be an integer/);
  await refused(api.predict(model, null), /image must be an object/);
  await refused(api.predict(model, { width: 2, height: 2, pixels: [0, 0, 0] }), /image.pixels has 3 values, expected width × height = 4/);
  await refused(api.predict(model, { width: 1e6, height: 1e6, pixels: [] }), /image.width must be an integer in \[1, 1024\]/);
  await refused(api.predict(model, { width: 2, height: 1, pixels: [0, NaN] }), /image.pixels\[1\] must be a number in \[0, 255\]/);
  await refused(api.predict(model, { width: 2, height: 1, pixels: [0, 300] }), /image.pixels\[1\]/);
  await refused(api.predict(model, { width: 1, height: 1, pixels: 'abc' }), /image.pixels must be a list/);
  await refused(api.loadModelJson(42, 'x'), /model text must be a string/);
  await refused(api.loadModelJson('', 'x'), /model file is empty/);
  await refused(api.loadModelJson('{"sizes": [784, 10]', 'x'), /not valid JSON/);
  await refused(api.augmentPreview({ rotateDeg: 500 }, 0, 4, 1), /rotateDeg must be in \[0, 180\]/);
  await refused(api.augmentPreview({ rotateDeg: 10 }, 70_000, 4, 1), /index must be an integer in \[0, 69999\]/);
  await refused(api.augmentPreview({ rotateDeg: 10 }, 0, 0, 1), /count must be an integer in \[1, 100\]/);
});

test('grayImage accepts what the pad sends and copies it', () => {
  const img = grayImage({ width: 2, height: 1, pixels: new Uint8ClampedArray([0, 255]) });
  assert.deepEqual(img, { width: 2, height: 1, pixels: [0, 255] });
});

test('events reach every subscriber until it unsubscribes; a throwing listener harms no one', async () => {
  const seen: string[] = [];
  const offBad = lab.onEvent(() => {
    throw new Error('listener bug');
  });
  const off = lab.onEvent((e) => seen.push(e.type));
  const r = (await api.startRun({ sizes: [784, 10, 10], trainSize: 500, epochs: 1, evalSet: 'none' })) as RunSummary;
  for (let i = 0; i < 3000 && !seen.includes('epoch'); i++) await new Promise((res) => setTimeout(res, 10));
  await lab.settled(r.id);
  assert.ok(seen.includes('run') && seen.includes('epoch'));
  off();
  offBad();
  const before = seen.length;
  await lab.deleteRun(r.id);
  assert.equal(seen.length, before);
});

test('missing MNIST files fail startRun with one line and leave no run behind', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'nnlab-noresources-'));
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-service2-'));
  const broken = createLabService({ runsDir: dir, resources: empty });
  try {
    await refused(broken.startRun(validateHyperparams({})), /no such file/);
    assert.deepEqual(await broken.listRuns(), []);
  } finally {
    await broken.close();
    rmSync(empty, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker script that cannot load fails its run with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-service3-'));
  const broken = createLabService({ runsDir: dir, workerUrl: 'file:///nonexistent/worker.js' });
  try {
    const r = await broken.startRun(validateHyperparams({ sizes: [784, 10, 10], trainSize: 100, epochs: 1 })).catch((e: Error) => e);
    const runs = await broken.listRuns();
    assert.equal(runs.length, 1);
    for (let i = 0; i < 500 && (await broken.listRuns())[0].state === 'running'; i++) await new Promise((res) => setTimeout(res, 10));
    const s = (await broken.listRuns())[0];
    assert.equal(s.state, 'failed');
    assert.match(s.stoppedBecause ?? '', /nonexistent/);
    assert.ok(r instanceof Error || r.id === s.id);
  } finally {
    await broken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at most maxLiveRuns runs hold a worker, even when started all at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-service4-'));
  const few = createLabService({ runsDir: dir, maxLiveRuns: 2 });
  try {
    const hp = validateHyperparams({ sizes: [784, 10, 10], trainSize: 50_000, epochs: 5, evalSet: 'none' });
    const results = await Promise.allSettled([few.startRun(hp), few.startRun(hp), few.startRun(hp)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    const refusedOne = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(refusedOne.reason.message, /2 runs are training or paused already; stop one before starting another/);
    assert.equal((await few.listRuns()).length, 2);
  } finally {
    await few.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
