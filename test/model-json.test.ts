// Model files in network2.py's JSON: a hand-checked fixture, round trips, both directions with a
// python3 + numpy reader that loads exactly as network2.py does, and every kind of bad file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Evaluator } from '../src/engine/evaluate';
import { ModelError, parseModelJson, toNetwork2Json } from '../src/engine/model-json';
import { Network } from '../src/engine/network';
import { Rng } from '../src/engine/rng';
import { loadMnist } from '../src/main/datasets';
import { mnistDir } from '../src/main/paths';
import { pythonWithNumpy } from './helpers';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

test('a hand-checked network2.py file gives the outputs worked out by hand', () => {
  // 784-1-10: the hidden neuron sees only pixel 0 with weight 2 and bias -1; output j has weight j.
  const { network, meta } = parseModelJson(readFileSync('test/fixtures/network2-tiny.json', 'utf8'));
  assert.deepEqual(network.sizes, [784, 1, 10]);
  assert.equal(meta.cost, 'quadratic');
  assert.equal(meta.activation, 'sigmoid');
  assert.equal(meta.network2Compatible, true);
  const x = new Float32Array(784);
  x[0] = 1;
  const hidden = sigmoid(2 * 1 - 1); // 0.7311
  const out = network.feedforward(x);
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(out[j] - sigmoid(j * hidden)) < 1e-6, `output ${j}`);
  x[0] = 0;
  const out0 = network.feedforward(x);
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(out0[j] - sigmoid(j * sigmoid(-1))) < 1e-6);
});

test('save then load gives the same network and meta, bit for bit', () => {
  for (const [activation, cost] of [
    ['sigmoid', 'cross-entropy'],
    ['tanh', 'quadratic'],
    ['relu', 'log-likelihood'],
  ] as ['sigmoid' | 'tanh' | 'relu', 'quadratic' | 'cross-entropy' | 'log-likelihood'][]) {
    const net = Network.initialize({ sizes: [784, 13, 7, 10], activation, cost }, 'default', new Rng(3));
    const text = toNetwork2Json(net, { note: 'test' });
    const back = parseModelJson(text);
    assert.deepEqual(back.network.params, net.params);
    assert.equal(back.meta.activation, activation);
    assert.equal(back.meta.cost, cost);
    const json = JSON.parse(text);
    assert.deepEqual(Object.keys(json).sort(), ['biases', 'cost', 'meta', 'sizes', 'weights']);
    assert.equal(json.weights[0].length, 13);
    assert.equal(json.weights[0][0].length, 784);
    assert.deepEqual(
      json.biases[2].map((b: number[]) => b.length),
      Array(10).fill(1),
    );
    assert.equal(json.meta.network2Compatible, activation === 'sigmoid' && cost !== 'log-likelihood');
    if (!json.meta.network2Compatible) assert.match(json.meta.network2Reason, /network2\.py/);
  }
});

test('bad model files are refused with one line saying what and where', () => {
  const good = JSON.parse(readFileSync('test/fixtures/network2-tiny.json', 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a model file, mutated freely
  const variant = (f: (m: Record<string, any>) => void) => {
    const m = structuredClone(good);
    f(m);
    return JSON.stringify(m);
  };
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['{"sizes": [784, 1', /not valid JSON/],
    ['[1, 2, 3]', /must hold a JSON object/],
    ['"hello"', /must hold a JSON object/],
    [variant((m) => delete m.weights), /no "weights"/],
    [variant((m) => (m.cost = 'HingeCost')), /unknown cost "HingeCost"/],
    [variant((m) => (m.sizes = [784, 1, 9])), /end with 10 outputs/],
    [variant((m) => (m.sizes = [784, 0, 10])), /sizes\[1\] must be a positive integer/],
    [variant((m) => (m.sizes = [784, 1e9, 10])), /larger than the limit/],
    [variant((m) => m.weights[1].pop()), /weights\[1\] has 9 rows, expected 10/],
    [variant((m) => m.weights[0][0].pop()), /weights\[0\]\[0\] has 783 numbers, expected 784/],
    [variant((m) => m.weights.push(m.weights[1])), /weights has 3 layers, but sizes 784,1,10 needs 2/],
    [variant((m) => (m.weights[0][0][5] = null)), /weights\[0\]\[0\]\[5\] is null/],
    [variant((m) => (m.biases[1][3] = [1, 2])), /biases\[1\]\[3\] has 2 numbers, expected 1/],
    [variant((m) => (m.biases[1][3] = 'x')), /biases\[1\]\[3\] must be a list/],
    [variant((m) => (m.weights[0][0][7] = 'NaN')), /weights\[0\]\[0\]\[7\] is "NaN"/],
    [variant((m) => (m.weights[0][0][8] = 1e39)), /does not fit in a 32-bit float/],
    [variant((m) => (m.meta = { activation: 'swish' })), /unknown activation "swish"/],
    [variant((m) => (m.meta = 3)), /meta must be an object/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseModelJson(text),
      (e: Error) => e instanceof ModelError && re.test(e.message) && !e.message.includes('\n'),
      `${re}: ${text.slice(0, 60)}`,
    );
  }
  // NaN and Infinity are not JSON at all.
  assert.throws(() => parseModelJson(JSON.stringify(good).replace('2.0', 'NaN').replace(/\b2\b/, 'NaN')), ModelError);
  assert.throws(() => parseModelJson(JSON.stringify(good).replace(/-1\.0|-1\b/, 'Infinity')), ModelError);
});

const python = pythonWithNumpy();

test(
  'a model written by network2.py loads here and gives its accuracy and outputs',
  { skip: python ? false : 'python3 with numpy is not installed' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nnlab-n2-'));
    const path = join(dir, 'n2.json');
    const r = spawnSync(python!, ['test/fixtures/network2_io.py', 'make', mnistDir(), path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout);
    const { network } = parseModelJson(readFileSync(path, 'utf8'));
    const mnist = await loadMnist();
    const ours = new Evaluator(network).evaluate(mnist.test, undefined, false);
    assert.equal(ours.accuracy, theirs.accuracy);
    const ev = new Evaluator(network);
    for (let i = 0; i < 3; i++) {
      const x = Float32Array.from(mnist.test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      const out = ev.predict(x);
      for (let j = 0; j < 10; j++) assert.ok(Math.abs(out[j] - theirs.first_outputs[i][j]) < 1e-5, `image ${i} output ${j}`);
    }
  },
);

test(
  'a model written here loads the way network2.py loads it and gives our accuracy',
  { skip: python ? false : 'python3 with numpy is not installed' },
  async () => {
    const mnist = await loadMnist();
    const { Trainer } = await import('../src/engine/trainer');
    const t = new Trainer({ ...(await import('./helpers')).hp({ sizes: [784, 20, 10], trainSize: 3000, epochs: 1, evalSet: 'none' }) }, mnist.train, null);
    t.runEpoch();
    const dir = mkdtempSync(join(tmpdir(), 'nnlab-n2-'));
    const path = join(dir, 'ours.json');
    writeFileSync(path, toNetwork2Json(t.network));
    const ours = t.evaluate(mnist.test, false);
    const r = spawnSync(python!, ['test/fixtures/network2_io.py', 'evaluate', path, mnistDir()], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).accuracy, ours.accuracy);
    assert.ok(ours.accuracy > 0.7);
  },
);

test(
  'the bundled default model loads the way network2.py loads it, with our test accuracy (at least 97.5%)',
  { skip: python ? false : 'python3 with numpy is not installed' },
  async () => {
    const path = 'resources/models/default.json';
    const r = spawnSync(python!, ['test/fixtures/network2_io.py', 'evaluate', path, mnistDir()], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout).accuracy;
    const { network, meta } = parseModelJson(readFileSync(path, 'utf8'));
    assert.equal(meta.network2Compatible, true);
    const ours = new Evaluator(network).evaluate((await loadMnist()).test, undefined, false).accuracy;
    assert.equal(ours, theirs);
    assert.ok(ours >= 0.975, `default model test accuracy ${ours}`);
  },
);

test('the largest network the lab accepts can always be saved and loaded back within the model-size limit', async () => {
  const { MAX_MODEL_BYTES, MAX_PARAMETERS } = await import('../src/shared/limits');
  const { validateSizes } = await import('../src/engine/hyperparams');
  // Every weight at its longest spelling: negative, subnormal-free float32 with 9 significant digits.
  const worst = Math.fround(-1.17549435e-38);
  const sizes = [784, 2000, 10];
  const net = Network.initialize({ sizes, activation: 'sigmoid', cost: 'cross-entropy' }, 'default', new Rng(1));
  net.params.fill(worst);
  const history = Array.from({ length: 100_000 }, (_, i) => ({
    epoch: i + 1,
    seconds: 0.123456789,
    eta: 0.5,
    trainCost: 0.123456789,
    evalCost: 0.123456789,
    trainAccuracy: 0.98765,
    evalAccuracy: 0.98765,
  }));
  const text = toNetwork2Json(net, { history: history.slice(0, 10) });
  const params = net.params.length;
  const perParameter = (text.length - 2000) / params;
  assert.ok(perParameter <= 16.2, `${perParameter.toFixed(2)} characters per parameter`);
  // The largest accepted network, the longest history (100,000 epochs), at that rate: under the limit.
  const historyChars = JSON.stringify(history).length;
  assert.ok(MAX_PARAMETERS * 16.2 + historyChars < MAX_MODEL_BYTES, `${MAX_PARAMETERS * 16.2 + historyChars} ≥ ${MAX_MODEL_BYTES}`);
  // And one parameter more is refused before any memory is taken.
  assert.throws(() => validateSizes([784, Math.ceil((MAX_PARAMETERS - 10) / 795) + 1, 10]), /more than the limit/);
  assert.ok(parseModelJson(text).network.params.every((v) => v === worst));
});
