// The renderer's pure helpers: the drawing pad's rasterizer and the chart series (smoothing,
// markers, CSV). No DOM needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inkBounds, inputPen, rasterizeStrokes, STROKE_TO_SIZE } from '../src/renderer/src/lib/rasterize';
import { placeLabels } from '../src/renderer/src/lib/labels';
import { chartSvg, niceTicks } from '../src/renderer/src/lib/svg-chart';
import {
  appendCapped,
  estimateSeconds,
  formError,
  machineRate,
  parameterCount,
  plotsOf,
  runMarkers,
  runsCsv,
  seriesPoints,
  smooth,
} from '../src/renderer/src/lib/series';
import { insidePoints, layerSeries, statsAt } from '../src/renderer/src/lib/inside';
import { EXPERIMENTS, PRESETS } from '../src/shared/experiments';
import { validateHyperparams, defaultHyperparams } from '../src/engine/hyperparams';
import type { EpochMetrics, RunSummary } from '../src/shared/api';
import { englishOf, reasonOf, type Reason } from '../src/shared/errors';

test('no strokes give an empty image of the asked size', () => {
  const img = rasterizeStrokes([], 20, 10, 3);
  assert.equal(img.width, 20);
  assert.equal(img.height, 10);
  assert.equal(img.pixels.length, 200);
  assert.ok(img.pixels.every((v) => v === 0));
  assert.equal(inkBounds(img), null);
});

test('a horizontal stroke inks a band as wide as the pen, full in the middle, soft at the edge', () => {
  const img = rasterizeStrokes(
    [
      [
        { x: 5, y: 10 },
        { x: 35, y: 10 },
      ],
    ],
    40,
    20,
    4,
  );
  const at = (i: number, j: number) => img.pixels[j * 40 + i];
  assert.equal(at(20, 9), 255);
  assert.equal(at(20, 10), 255);
  assert.equal(at(20, 5), 0);
  assert.equal(at(20, 14), 0);
  // Pixel centre 2.5 from the line with a pen radius of 2: half covered.
  assert.equal(at(20, 12), 0);
  assert.ok(at(20, 11) > 0 && at(20, 11) <= 255);
  const b = inkBounds(img)!;
  assert.ok(b.left >= 2 && b.left <= 3 && b.right >= 36 && b.right <= 37, JSON.stringify(b));
  assert.ok(b.top >= 7 && b.bottom <= 12, JSON.stringify(b));
});

test('a one-point stroke is a dot, and overlapping strokes do not exceed full ink', () => {
  const dot = rasterizeStrokes([[{ x: 10, y: 10 }]], 20, 20, 6);
  assert.equal(dot.pixels[10 * 20 + 10], 255);
  assert.equal(dot.pixels[10 * 20 + 17], 0);
  const twice = rasterizeStrokes([[{ x: 10, y: 10 }], [{ x: 10, y: 10 }]], 20, 20, 6);
  assert.deepEqual(twice.pixels, dot.pixels);
});

test('strokes outside the image are clipped, bad sizes refused', () => {
  const img = rasterizeStrokes(
    [
      [
        { x: -50, y: -50 },
        { x: -40, y: -40 },
      ],
    ],
    10,
    10,
    2,
  );
  assert.ok(img.pixels.every((v) => v === 0));
  assert.throws(() => rasterizeStrokes([], 0, 10, 2), /bad size/);
  assert.throws(() => rasterizeStrokes([], 10, 10, 0), /pen width/);
});

test('series: accuracies in percent, unmonitored epochs skipped, smoothing debiased', () => {
  const h: EpochMetrics[] = [
    { epoch: 1, seconds: 1, eta: 0.5, evalAccuracy: 0.9 },
    { epoch: 2, seconds: 1, eta: 0.5 },
    { epoch: 3, seconds: 1, eta: 0.25, evalAccuracy: 0.95, trainCost: 0.3 },
  ];
  assert.deepEqual(seriesPoints(h, 'evalAccuracy'), [
    { x: 1, y: 90 },
    { x: 3, y: 95 },
  ]);
  assert.deepEqual(seriesPoints(h, 'trainCost'), [{ x: 3, y: 0.3 }]);
  const pts = [
    { x: 1, y: 10 },
    { x: 2, y: 20 },
  ];
  assert.deepEqual(smooth(pts, 0), pts);
  const s = smooth(pts, 0.5);
  assert.equal(s[0].y, 10, 'the first point is not pulled towards zero');
  assert.ok(Math.abs(s[1].y - (0.5 * 0.5 * 10 + 0.5 * 20) / 0.75) < 1e-12);
});

test("markers: the run's own best epoch, eta halving and change, early stop", () => {
  const markers: RunSummary['markers'] = [
    { kind: 'best', epoch: 1, evalAccuracy: 0.95 },
    { kind: 'best', epoch: 2, evalAccuracy: 0.97 },
    { kind: 'eta-halved', epoch: 3, eta: 0.25 },
    { kind: 'eta-changed', epoch: 4, eta: 0.1 },
    { kind: 'early-stop', epoch: 4 },
    { kind: 'finished', epoch: 4 },
  ];
  const run = { bestEpoch: 2, bestEvalAccuracy: 0.97, stoppedBecause: 'early-stop', epochsDone: 4, markers } as RunSummary;
  const m = runMarkers(run);
  assert.deepEqual(
    m.map((x) => [x.kind, x.epoch]),
    [
      ['best', 2],
      ['eta', 3],
      ['eta', 4],
      ['early-stop', 4],
    ],
  );
  assert.match(m[1].label, /halved/);
  assert.doesNotMatch(m[2].label, /halved/);
});

test('CSV: one row per run and epoch, names quoted', () => {
  const run = { id: 'run-1', name: 'a, "b"' } as RunSummary;
  const csv = runsCsv([{ run, history: [{ epoch: 1, seconds: 2, eta: 0.5, evalAccuracy: 0.9 }] }]);
  assert.equal(csv, 'run,name,epoch,seconds,eta,trainCost,trainAccuracy,evalCost,evalAccuracy\nrun-1,"a, ""b""",1,2,0.5,,,,0.9\n');
});

test('every experiment of the one catalogue is valid, cites the book, and the builder shows its presets', () => {
  assert.equal(PRESETS.length, 15);
  assert.equal(new Set(EXPERIMENTS.map((e) => e.id)).size, EXPERIMENTS.length, 'ids are unique');
  for (const p of EXPERIMENTS) {
    assert.deepEqual(validateHyperparams(p.hyperparams), p.hyperparams, p.id);
    assert.ok(p.book.length > 10, p.id);
  }
  const byId = Object.fromEntries(EXPERIMENTS.map((p) => [p.id, p]));
  assert.equal(byId['ch1-30'].hyperparams.cost, 'quadratic');
  assert.equal(byId['ch1-30'].hyperparams.eta, 3);
  assert.equal(byId['ch3-ce-30'].bookAccuracy, 0.9549);
  // Where the builder and the report once disagreed: softmax is compared with ch3-l2-30 (large
  // init, test data) and the augmented run with ch3-l2-100 (large init), so they share those settings.
  assert.equal(byId['ch3-softmax'].hyperparams.init, byId[byId['ch3-softmax'].baseline!].hyperparams.init);
  assert.equal(byId['ch3-softmax'].hyperparams.evalSet, byId[byId['ch3-softmax'].baseline!].hyperparams.evalSet);
  assert.equal(byId['ch3-augmented'].hyperparams.init, byId[byId['ch3-augmented'].baseline!].hyperparams.init);
  assert.equal(byId['ch3-overfit'].hyperparams.trainSize, 1000);
  assert.equal(byId['ch3-overfit'].hyperparams.epochs, 400);
  assert.equal(byId['ch3-overfit-l2'].hyperparams.lambda, 0.1);
  assert.equal(byId['ch3-l2-100-60'].bookAccuracy, 0.9804);
  assert.notDeepEqual(byId['ch3-init-old'].hyperparams.init, byId['ch3-init-new'].hyperparams.init);
  assert.notDeepEqual(PRESETS[0].hyperparams, defaultHyperparams());
});

test('inside statistics: epoch 0 from the first epoch’s start, then each epoch; a layer’s series skips what is missing', () => {
  const stats = (saturated: number | null) => ({
    probe: 100,
    layers: [{ neurons: 3, hidden: true, saturated, z: { lo: -20, hi: 20, counts: [] }, a: { lo: 0, hi: 1, counts: [] }, meanAbsWeight: 0.5, gradientNorm: 2 }],
  });
  const history = [
    { epoch: 1, seconds: 1, eta: 1, insideStart: stats(0.6), inside: stats(0.5) },
    { epoch: 2, seconds: 1, eta: 1 },
    { epoch: 3, seconds: 1, eta: 1, inside: stats(0.25) },
  ];
  const points = insidePoints(history);
  assert.deepEqual(
    points.map((p) => p.epoch),
    [0, 1, 3],
  );
  assert.deepEqual(layerSeries(points, 0, 'saturated'), [
    { x: 0, y: 60 },
    { x: 1, y: 50 },
    { x: 3, y: 25 },
  ]);
  assert.deepEqual(layerSeries(points, 1, 'saturated'), []);
  assert.equal(statsAt(points, 2)!.epoch, 1);
  assert.equal(statsAt(points, 9)!.epoch, 3);
});

test('mini-batch cost points are capped by thinning the older half', () => {
  let pts: { x: number; y: number }[] = [];
  for (let i = 0; i < 100; i++) pts = appendCapped(pts, { x: i, y: i }, 10);
  assert.ok(pts.length <= 11, `${pts.length}`);
  assert.deepEqual(pts.at(-1), { x: 99, y: 99 });
  assert.ok(
    pts.every((p, i) => i === 0 || p.x > pts[i - 1].x),
    'still in order',
  );
});

test('chart labels at the same spot are placed without overlapping, inside the plot', () => {
  const wanted = Array.from({ length: 8 }, () => ({ x: 100, y: 10, w: 80, h: 13 }));
  const placed = placeLabels(wanted, { top: 10, bottom: 300 });
  for (let i = 0; i < placed.length; i++) {
    assert.ok(placed[i].y >= 10 && placed[i].y + 13 <= 300);
    for (let j = 0; j < i; j++) {
      const [a, b] = [placed[i], placed[j]];
      assert.ok(!(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h), `labels ${i} and ${j} overlap`);
    }
  }
  // Labels that do not collide stay where they asked to be.
  assert.deepEqual(
    placeLabels(
      [
        { x: 0, y: 50, w: 10, h: 13 },
        { x: 40, y: 50, w: 10, h: 13 },
      ],
      { top: 0, bottom: 100 },
    ).map((b) => b.y),
    [50, 50],
  );
});

test('the network sees a pen no fatter than MNIST strokes for the digit’s size; a large digit keeps the user’s pen', () => {
  const stroke = (size: number) => [
    [
      { x: 0, y: 0 },
      { x: 0, y: size },
    ],
  ];
  assert.equal(inputPen(stroke(200), 22), 22);
  assert.ok(Math.abs(inputPen(stroke(60), 22) - STROKE_TO_SIZE * 82) < 1e-9);
  assert.equal(inputPen([], 22), 22);
  assert.equal(inputPen(stroke(1), 22), 4, 'a dot keeps a visible pen');
});

test('form errors in the user’s words beside their field; the expected duration from this machine’s runs', () => {
  // The reasons the one validation gives (src/shared/errors), not sentences parsed back.
  const refusal = (over: Record<string, unknown>): Reason => {
    try {
      validateHyperparams({ ...defaultHyperparams(), ...over });
    } catch (e) {
      return reasonOf(e)!;
    }
    throw new Error('expected a refusal');
  };
  assert.deepEqual(formError(refusal({ eta: -1 })), { field: 'eta', text: 'η must be a positive number, not -1' });
  assert.deepEqual(formError(refusal({ sizes: [784, null, 10] })), {
    field: 'sizes',
    text: 'Layer sizes: layer 2 must be a whole number of neurons, not an empty field',
  });
  assert.deepEqual(formError(refusal({ batchSize: 2.5 })), { field: 'batchSize', text: 'The mini-batch size must be a whole number, not 2.5' });
  assert.deepEqual(formError(refusal({ lambda: 2e6 })), { field: 'lambda', text: 'λ must be a number from 0 to 1,000,000, not 2000000' });
  const other = refusal({ evalSet: 'none', earlyStop: 3 });
  assert.deepEqual(formError(other), { field: null, text: englishOf(other) });
  const hp = validateHyperparams({ sizes: [784, 30, 10], epochs: 10, trainSize: 50_000, monitor: { evalAccuracy: true, trainCost: false } });
  assert.equal(parameterCount([784, 30, 10]), 784 * 30 + 30 + 30 * 10 + 10);
  const run = { examplesPerSecond: 100_000, epochsDone: 3, hyperparams: hp } as unknown as RunSummary;
  const rate = machineRate([run])!;
  assert.equal(rate, 100_000 * 3 * parameterCount(hp.sizes));
  // Ten epochs of 0.5 s training, plus 10,000 evaluation images a third as costly each.
  assert.ok(Math.abs(estimateSeconds(hp, rate) - 10 * (0.5 + 10_000 / 300_000)) < 1e-9);
  assert.equal(machineRate([]), null);
  assert.equal(plotsOf(hp), 'validation accuracy');
});

test('a chart exports as a standalone SVG: its title, axis labels, every series with its legend, markers; text escaped', () => {
  const svg = chartSvg({
    title: 'Classification accuracy',
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    series: [
      {
        label: 'run <a>: eval accuracy',
        color: '#2a6ea6',
        dashed: false,
        points: [
          { x: 1, y: 90 },
          { x: 2, y: 92 },
        ],
      },
      {
        label: 'run <a>: train accuracy',
        color: '#2a6ea6',
        dashed: true,
        points: [
          { x: 1, y: 91 },
          { x: 2, y: 95 },
        ],
      },
    ],
    markers: { vertical: [{ x: 2, color: '#2a6ea6', label: 'best 92.00%' }], horizontal: [{ y: 95.49, color: '#e8772e', label: 'book 95.49%' }] },
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const text of [
    'Classification accuracy',
    '>epoch<',
    'accuracy (%)',
    'best 92.00%',
    'book 95.49%',
    'run &lt;a&gt;: eval accuracy',
    'run &lt;a&gt;: train accuracy',
  ])
    assert.ok(svg.includes(text), text);
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /stroke-dasharray="6 4"/);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(87, 93), [87, 88, 89, 90, 91, 92, 93]);
});
