// The costs' values are float64 arithmetic on z, as network2.py's float64 gives them: a confidently
// wrong output whose float32 sigmoid is exactly 1 costs about z, not infinity, and a run with such
// an output is not stopped as "diverged".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costs, softplus } from '../src/engine/costs';
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

test("the cross-entropy's monitor (the live mini-batch cost) is its value up to rounding, one log an example", () => {
  const ce = costs['cross-entropy'];
  assert.ok(ce.monitor);
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 80;
  for (const n of [1, 10, 31, 32, 33, 100]) {
    for (let t = 0; t < 200; t++) {
      const z = Float64Array.from({ length: n }, rand);
      const y = t % n;
      const want = ce.fn(z, z, 0, n, y);
      const got = ce.monitor(z, z, 0, n, y);
      assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, want), `n ${n}: ${got} against ${want}`);
    }
  }
  // 1,100 outputs at 0: each factor is 2, and their product alone would overflow.
  const zeros = new Float64Array(1100);
  assert.ok(Math.abs(ce.monitor(zeros, zeros, 0, 1100, 0) - 1100 * Math.LN2) < 1e-9);
  // Far out on both sides, and a diverged run's values.
  const far = Float64Array.from([800, -800, 40, -40, 0, 1e-20, -1e-20, 17.5, -17.5, 3]);
  for (let y = 0; y < 10; y++) assert.ok(Math.abs(ce.monitor(far, far, 0, 10, y) - ce.fn(far, far, 0, 10, y)) < 1e-9, `y ${y}`);
  assert.equal(ce.monitor(Float64Array.from([Infinity, 0]), null as never, 0, 2, 1), Infinity);
  assert.equal(ce.monitor(Float64Array.from([-Infinity, 0]), null as never, 0, 2, 0), Infinity);
  assert.ok(Number.isNaN(ce.monitor(Float64Array.from([NaN, 0]), null as never, 0, 2, 1)));
});
