// The costs' values are float64 arithmetic on z, as network2.py's float64 gives them: a confidently
// wrong output whose float32 sigmoid is exactly 1 costs about z, not infinity, and a run with such
// an output is not stopped as "diverged".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costs, outputErrorRows, softplus } from '../src/engine/costs';
import { softmaxRows } from '../src/engine/activations';
import { Schedule } from '../src/engine/schedule';
import { hp } from './helpers';

/** network2.py's CrossEntropyCost.fn in float64: sum(nan_to_num(-y ln a - (1-y) ln(1-a))). */
function crossEntropy64(z: number[], y: number): number {
  return z.reduce((s, zj, j) => {
    const a = 1 / (1 + Math.exp(-zj));
    return s + (j === y ? -Math.log(a) : -Math.log(1 - a));
  }, 0);
}

test('cross-entropy of a saturated wrong output is finite and matches float64', () => {
  const z = [-5, -3, 17.5, -4, -6, -2, -7, -3, -5, 2.5]; // the label is 9; output 2 saturates
  const a32 = Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
  assert.equal(a32[2], 1, 'float32 sigmoid saturates to exactly 1 here');
  const c = costs['cross-entropy'].fn(Float64Array.from(z), a32, 0, 10, 9);
  assert.ok(Number.isFinite(c));
  assert.ok(Math.abs(c - crossEntropy64(z, 9)) < 1e-9 * crossEntropy64(z, 9), `${c} vs ${crossEntropy64(z, 9)}`);
  // Far past float64's own saturation: still finite, about z.
  const far = [...z];
  far[2] = 800;
  assert.ok(Math.abs(costs['cross-entropy'].fn(Float64Array.from(far), a32, 0, 10, 9) - (800 + crossEntropy64(z, 9) - crossEntropy64([17.5], 1))) < 1e-6);
});

test('log-likelihood is log-softmax: finite for huge z, equal to −ln a_y where a_y is representable', () => {
  const z = Float64Array.from([1, 2, 3, 0.5, -1, 0, 2.5, 1.5, -2, 0.25]);
  const a = new Float64Array(10);
  softmaxRows(a, z, 1, 10);
  for (let y = 0; y < 10; y++) assert.ok(Math.abs(costs['log-likelihood'].fn(z, a, 0, 10, y) + Math.log(a[y])) < 1e-12);
  const huge = Float64Array.from([900, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  softmaxRows(a, huge, 1, 10);
  assert.equal(costs['log-likelihood'].fn(huge, a, 0, 10, 3), 900);
});

test('softplus is ln(1 + e^x) without overflow', () => {
  for (const x of [-30, -1, 0, 0.5, 3, 30]) assert.ok(Math.abs(softplus(x) - Math.log(1 + Math.exp(x))) < 1e-12, String(x));
  assert.equal(softplus(1000), 1000);
  assert.equal(softplus(-1000), 0);
});

test('a large finite cost is not divergence; a non-finite cost or weight is', () => {
  const s = new Schedule(hp({ epochs: 10 }));
  assert.equal(
    s.afterEpoch({ epoch: 1, seconds: 1, eta: 0.5, evalCost: 1e304, evalAccuracy: 0.85 }, true).markers.some((m) => m.kind === 'failed'),
    false,
  );
  assert.equal(s.stoppedBecause, null);
  assert.ok(s.afterEpoch({ epoch: 2, seconds: 1, eta: 0.5, trainCost: Infinity }, true).markers.some((m) => m.kind === 'failed'));
  assert.ok(new Schedule(hp({})).afterEpoch({ epoch: 1, seconds: 1, eta: 0.5 }, false).markers.some((m) => m.kind === 'failed'));
});

test("the cross-entropy's rows at once: δ as delta gives it, and the cost as fn up to a's float32 rounding, one log an example", () => {
  const ce = costs['cross-entropy'];
  assert.ok(ce.deltaRows);
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 80;
  // What the trainer holds: z, and a = σ(z) in float32.
  const sigmoid32 = (z: Float32Array) => Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
  for (const n of [1, 10, 31, 32, 33, 100]) {
    const rows = 50;
    const z = Float32Array.from({ length: rows * n }, rand);
    const a = sigmoid32(z);
    const labels = Uint8Array.from({ length: rows }, (_, r) => r % n);
    const d = new Float32Array(rows * n);
    const want = new Float32Array(rows * n);
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      ce.delta(want, z, a, r * n, n, labels[r]);
      sum += ce.fn(z, a, r * n, n, labels[r]);
    }
    const got = ce.deltaRows(d, z, a, rows, n, labels, true);
    assert.deepEqual(d, want, `δ, n ${n}`);
    assert.ok(Math.abs(got - sum) <= 1e-7 * rows * n + 1e-12 * sum, `n ${n}: ${got} against ${sum}`);
    d.fill(0);
    assert.equal(ce.deltaRows(d, z, a, rows, n, labels, false), 0);
    assert.deepEqual(d, want, `δ without the cost, n ${n}`);
  }
  // 1,100 outputs at 0: each factor is ½, and their product alone would underflow.
  const zeros = new Float32Array(1100);
  const halves = sigmoid32(zeros);
  assert.ok(Math.abs(ce.deltaRows(new Float32Array(1100), zeros, halves, 1, 1100, [0], true) - 1100 * Math.LN2) < 1e-9);
  // Far out on both sides, and a diverged run's values.
  const far = Float32Array.from([800, -800, 40, -40, 0, 1e-20, -1e-20, 17.5, -17.5, 3]);
  const farA = sigmoid32(far);
  for (let y = 0; y < 10; y++) {
    const got = ce.deltaRows(new Float32Array(10), far, farA, 1, 10, [y], true);
    assert.ok(Math.abs(got - ce.fn(far, farA, 0, 10, y)) < 1e-6, `y ${y}`);
  }
  const one = (z: number, y: number) => {
    const zs = Float32Array.from([z, 0]);
    return outputErrorRows(ce, new Float32Array(2), zs, sigmoid32(zs), 1, 2, [y], true);
  };
  // A label past the outputs takes nothing off any δ, as delta does, and writes nothing past its row.
  const two = Float32Array.from([0.5, -0.5, 1, 2, 0.25, 0.75]);
  const dTwo = new Float32Array(8);
  const wantTwo = new Float32Array(8);
  [1, 0, 3].forEach((y, r) => ce.delta(wantTwo, two, two, 2 * r, 2, y));
  outputErrorRows(ce, dTwo, two, two, 3, 2, [1, 0, 3], false);
  assert.deepEqual(dTwo, wantTwo);
  assert.equal(one(Infinity, 1), Infinity);
  assert.equal(one(-Infinity, 0), Infinity);
  assert.ok(Number.isNaN(one(NaN, 1)));
});

test('costs without rows at once go through outputErrorRows row by row, with fn', () => {
  const q = costs.quadratic;
  assert.equal(q.deltaRows, undefined);
  const z = Float32Array.from([0.3, -1, 2, 0.5, 0, -0.2]);
  const a = Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
  const d = new Float32Array(6);
  const want = new Float32Array(6);
  q.delta(want, z, a, 0, 3, 2);
  q.delta(want, z, a, 3, 3, 0);
  const sum = outputErrorRows(q, d, z, a, 2, 3, [2, 0], true);
  assert.deepEqual(d, want);
  assert.equal(sum, q.fn(z, a, 0, 3, 2) + q.fn(z, a, 3, 3, 0));
});
