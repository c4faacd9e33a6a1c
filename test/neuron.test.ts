// Chapter 3's one-neuron example: `npm run neuron` is the float64 arithmetic of the book's equations
// (55)-(56) and (61)-(62) at every epoch, for both costs and both starts, and shows the learning
// slowdown: from the saturated start the quadratic cost barely moves while the cross-entropy does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainNeuron, type NeuronCost } from '../src/engine/neuron';
import { cliInProcess } from './helpers';

/** The book's equations, written out again here, independently. */
function byTheBook(cost: NeuronCost, w0: number, b0: number, epochs: number, x = 1, y = 0, eta = 0.15) {
  const rows: { epoch: number; w: number; b: number; output: number; cost: number }[] = [];
  let w = w0;
  let b = b0;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const z = w * x + b;
    const a = 1 / (1 + Math.exp(-z));
    const c = cost === 'quadratic' ? ((y - a) * (y - a)) / 2 : -(y * Math.log(a) + (1 - y) * Math.log(1 - a));
    rows.push({ epoch, w, b, output: a, cost: c });
    const sp = a * (1 - a); // σ′(z)
    const dw = cost === 'quadratic' ? (a - y) * sp * x : x * (a - y); // (55) and (61)
    const db = cost === 'quadratic' ? (a - y) * sp : a - y; // (56) and (62)
    w = w - eta * dw;
    b = b - eta * db;
  }
  return rows;
}

for (const cost of ['quadratic', 'cross-entropy'] as const) {
  for (const [w, b] of [
    [0.6, 0.9],
    [2, 2],
  ]) {
    test(`npm run neuron: ${cost} from w = ${w}, b = ${b} is the equations' float64 arithmetic at every epoch`, async () => {
      const r = await cliInProcess('neuron', '--cost', cost, '--w', String(w), '--b', String(b), '--json');
      assert.equal(r.status, 0, r.stderr);
      const got = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(got, byTheBook(cost, w, b, 300));
    });
  }
}

test('the learning slowdown: from output 0.98 the quadratic cost learns slowly, the cross-entropy fast', () => {
  const start = { w: 2, b: 2, x: 1, y: 0, eta: 0.15, epochs: 300 };
  const quad = trainNeuron({ ...start, cost: 'quadratic' });
  const ce = trainNeuron({ ...start, cost: 'cross-entropy' });
  assert.ok(Math.abs(quad[0].output - 0.98) < 0.005);
  // After 50 epochs the quadratic neuron has hardly moved; the cross-entropy one is well on its way.
  assert.ok(quad[50].output > 0.95, `quadratic output at 50: ${quad[50].output}`);
  assert.ok(ce[50].output < 0.5, `cross-entropy output at 50: ${ce[50].output}`);
  // From the unsaturated start (0.82) both learn quickly at first.
  const q2 = trainNeuron({ ...start, w: 0.6, b: 0.9, cost: 'quadratic' });
  assert.ok(Math.abs(q2[0].output - 0.82) < 0.005);
  assert.ok(q2[100].output < 0.3);
});

test('npm run neuron refuses bad values with one line', async () => {
  for (const [args, re] of [
    [['--w', '2', '--b', '2'], /--cost must be quadratic or cross-entropy/],
    [['--cost', 'hinge', '--w', '2', '--b', '2'], /--cost must be quadratic or cross-entropy, got "hinge"/],
    [['--cost', 'quadratic', '--b', '2'], /neuron needs --w/],
    [['--cost', 'quadratic', '--w', 'x', '--b', '2'], /--w must be a number, got "x"/],
    [['--cost', 'quadratic', '--w', '1', '--b', '2', '--eta', '0'], /--eta must be a positive number, got 0/],
    [['--cost', 'quadratic', '--w', '1', '--b', '2', '--y', '2'], /--y must be in \[0, 1\]/],
    [['--cost', 'quadratic', '--w', '1', '--b', '2', '--epochs', '2.5'], /--epochs must be a whole number/],
  ] as [string[], RegExp][]) {
    const r = await cliInProcess('neuron', ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, re);
  }
});
