// The model registry behind the pad and the analysis views: models loaded from text, a run's
// current and best weights, prediction through the MNIST-style normalization, the confusion
// matrix with its gallery, receptive fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend } from '../src/engine/backend';
import { validateHyperparams } from '../src/engine/hyperparams';
import { toNetwork2Json } from '../src/engine/model-json';
import { Trainer } from '../src/engine/trainer';
import { loadMnist, type Mnist } from '../src/main/datasets';
import { createLabService } from '../src/main/lab-service';
import type { GrayImage, ModelRef } from '../src/shared/api';

const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-models-'));
const lab = createLabService({ runsDir });
let mnist: Mnist;
let modelText: string;

before(async () => {
  mnist = await loadMnist();
  const hp = validateHyperparams({ sizes: [784, 30, 10], trainSize: 10_000, epochs: 2, eta: 0.5, evalSet: 'none' });
  const t = new Trainer(hp, mnist.train, null, { backend: getBackend() });
  t.runEpoch();
  t.runEpoch();
  modelText = toNetwork2Json(t.network, { hyperparams: hp });
});
after(async () => {
  await lab.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** Test image i scaled up k× (nearest) and inverted to dark ink on white, as a photo or a pad might give it. */
function drawn(i: number, k: number, invert: boolean): GrayImage {
  const w = 28 * k;
  const pixels = new Array<number>(w * w);
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++) {
      const v = mnist.test.images[i * 784 + Math.floor(y / k) * 28 + Math.floor(x / k)];
      pixels[y * w + x] = invert ? 255 - v : v;
    }
  return { width: w, height: w, pixels };
}

test('a model loaded from text is listed, predicts, and saves back with the same weights', async () => {
  const info = await lab.loadModelJson(modelText, 'trained here');
  assert.equal(info.ref.kind, 'loaded');
  assert.deepEqual(info.sizes, [784, 30, 10]);
  assert.equal(info.network2Compatible, true);
  assert.ok((await lab.listModels()).some((m) => m.ref.kind === 'loaded' && m.label === 'trained here'));
  const back = JSON.parse(await lab.modelJson(info.ref));
  assert.deepEqual(back.weights, JSON.parse(modelText).weights);
  assert.deepEqual(back.biases, JSON.parse(modelText).biases);

  let correct = 0;
  for (let i = 0; i < 30; i++) {
    const p = await lab.predict(info.ref, drawn(i, 3, i % 2 === 0));
    assert.equal(p.probabilities.length, 10);
    assert.ok(Math.abs(p.probabilities.reduce((s, v) => s + v, 0) - 1) < 1e-6);
    assert.equal(p.digit, p.probabilities.indexOf(Math.max(...p.probabilities)));
    assert.equal(p.stages.centred.width, 28);
    assert.equal(p.stages.centred.pixels.length, 784);
    if (p.digit === mnist.test.labels[i]) correct++;
  }
  // The network is ~90% on the test set; re-normalized, upscaled digits must stay close to that.
  assert.ok(correct >= 22, `${correct}/30 upscaled test digits read correctly`);
});

test('the confusion matrix counts every test image; its gallery holds exactly that cell', async () => {
  const ref = (await lab.loadModelJson(modelText, 'for confusion')).ref;
  const c = await lab.confusion(ref, 'test');
  assert.equal(c.n, 10_000);
  const total = c.matrix.flat().reduce((s, v) => s + v, 0);
  assert.equal(total, 10_000);
  const diag = c.matrix.reduce((s, row, i) => s + row[i], 0);
  assert.equal(c.accuracy, diag / 10_000);
  assert.ok(c.accuracy > 0.85, `accuracy ${c.accuracy}`);
  for (let d = 0; d < 10; d++)
    assert.equal(
      c.matrix[d].reduce((s, v) => s + v, 0),
      mnist.test.labels.filter((l) => l === d).length,
    );

  // The largest off-diagonal cell.
  let best = { a: 0, p: 1, n: -1 };
  c.matrix.forEach((row, a) => row.forEach((n, p) => a !== p && n > best.n && (best = { a, p, n })));
  const items = await lab.gallery(ref, 'test', best.a, best.p, 500);
  assert.equal(items.length, Math.min(best.n, 500));
  for (const it of items) {
    assert.equal(it.label, best.a);
    assert.equal(mnist.test.labels[it.index], best.a);
    assert.equal(it.predicted, best.p);
    assert.equal(it.top3[0].digit, best.p);
    assert.ok(it.top3[0].probability >= it.top3[1].probability && it.top3[1].probability >= it.top3[2].probability);
    assert.deepEqual(it.image.pixels, Array.from(mnist.test.images.subarray(it.index * 784, (it.index + 1) * 784)));
  }
  assert.equal((await lab.gallery(ref, 'test', best.a, best.p, 2)).length, Math.min(2, best.n));
});

test('receptive fields are 28×28 tiles of first-layer weights, mid-grey at zero', async () => {
  const ref = (await lab.loadModelJson(modelText, 'fields')).ref;
  const tiles = await lab.receptiveFields(ref, 1000);
  assert.equal(tiles.length, 30);
  const w = JSON.parse(modelText).weights[0] as number[][];
  for (const [j, t] of tiles.entries()) {
    assert.equal(t.width, 28);
    assert.equal(t.pixels.length, 784);
    const max = Math.max(...w[j].map(Math.abs));
    const k = w[j].findIndex((v) => Math.abs(v) === max);
    assert.equal(t.pixels[k], w[j][k] > 0 ? 255 : 0);
    assert.ok(t.pixels.every((v) => v >= 0 && v <= 255));
  }
  assert.equal((await lab.receptiveFields(ref, 5)).length, 5);
});

test("a run's current and best weights are models once an epoch has finished", async () => {
  const r = await lab.startRun(validateHyperparams({ sizes: [784, 20, 10], trainSize: 2000, epochs: 2, eta: 0.5 }), 'model run');
  for (let i = 0; i < 3000 && (await lab.listRuns()).find((x) => x.id === r.id)?.state !== 'finished'; i++) await new Promise((res) => setTimeout(res, 10));
  await lab.settled(r.id);
  const models = await lab.listModels();
  const current: ModelRef = { kind: 'run', runId: r.id, which: 'current' };
  const best: ModelRef = { kind: 'run', runId: r.id, which: 'best' };
  assert.ok(models.some((m) => JSON.stringify(m.ref) === JSON.stringify(current) && /model run \(epoch 2\)/.test(m.label)));
  assert.ok(models.some((m) => JSON.stringify(m.ref) === JSON.stringify(best)));
  const saved = JSON.parse(await lab.modelJson(current));
  assert.deepEqual(saved.sizes, [784, 20, 10]);
  assert.equal(saved.meta.hyperparams.trainSize, 2000);
  assert.equal(saved.meta.history.length, 2);
  assert.equal((await lab.receptiveFields(best, 100)).length, 20);
  const c = await lab.confusion(current, 'validation');
  assert.equal(c.n, 10_000);
  await lab.deleteRun(r.id);
  await assert.rejects(lab.modelJson(current), /no run with id/);
});

test('a run that has not finished an epoch has no weights to use, said plainly', async () => {
  const r = await lab.startRun(validateHyperparams({ sizes: [784, 100, 10], trainSize: 50_000, epochs: 1, evalSet: 'none' }));
  await lab.pauseRun(r.id);
  await assert.rejects(lab.predict({ kind: 'run', runId: r.id, which: 'current' }, drawn(0, 1, false)), /has no weights yet/);
  await lab.deleteRun(r.id);
});

test('the augmentation preview is a PNG, the same for the same seed', async () => {
  const spec = { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 };
  const a = await lab.augmentPreview(spec, 0, 8, 1);
  const b = await lab.augmentPreview(spec, 0, 8, 1);
  const c = await lab.augmentPreview(spec, 0, 8, 2);
  assert.equal(Buffer.from(a.png, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual(a, b);
  assert.notEqual(a.png, c.png);
  // Each tile says its transform: the first is the digit itself, the others rotated within ±15°.
  assert.equal(a.tiles.length, 9);
  assert.deepEqual(a.tiles[0], { angleDeg: 0, shiftX: 0, shiftY: 0, elastic: false });
  assert.ok(a.tiles.slice(1).every((t) => Math.abs(t.angleDeg) <= 15 && t.angleDeg !== 0 && t.elastic));
  const shifted = await lab.augmentPreview({ rotateDeg: 0, shiftPx: 1, elasticAlpha: 0, elasticSigmaPx: 4 }, 0, 20, 1);
  assert.ok(shifted.tiles.slice(1).every((t) => Math.abs(t.shiftX) + Math.abs(t.shiftY) <= 1 && t.angleDeg === 0));
  assert.ok(shifted.tiles.some((t) => t.shiftX !== 0 || t.shiftY !== 0));
  // Index 60,000 is the first test image, 59,999 the last validation one.
  const none = { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
  assert.notEqual((await lab.augmentPreview(none, 60_000, 1, 1)).png, (await lab.augmentPreview(none, 59_999, 1, 1)).png);
});
