// The bench runs end to end on a tiny configuration and reports every figure (no timings asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, runBench } from '../bench/bench';

test('bench --quick reports speed, evaluation, prediction and memory figures for each configuration', async () => {
  const r = await runBench({ quick: true, yardstick: false });
  assert.match(r.backend, /^wasm \((simd|relaxed-simd)\)$/, 'the build of the kernels is named');
  assert.deepEqual(
    r.configs.map((c) => `${c.sizes}/${c.batch}`),
    ['784-30-10/10', '784-100-10/10'],
  );
  for (const c of r.configs) {
    assert.ok(c.secondsPerEpoch > 0 && Number.isFinite(c.secondsPerEpoch));
    assert.ok(c.examplesPerSecond > 0);
    assert.ok(c.evalSeconds > 0 && c.evalSeconds < 60);
    assert.ok(c.testAccuracy > 0.5, `${c.sizes} learned nothing: ${c.testAccuracy}`);
    assert.equal(c.yardstick, null);
    assert.equal(c.ratio, null);
    assert.equal(c.torch, null);
    assert.equal(c.torchRatio, null);
  }
  assert.ok(r.predictMillis > 0 && Number.isFinite(r.predictMillis));
  assert.ok(r.peakRssMB100 > 0 && r.peakRssMB >= r.peakRssMB100);
  const table = formatTable(r);
  assert.match(table, /784-30-10 +10 /);
  assert.match(table, /prediction, one 28x28 through 784-100-10: \d/);
  assert.ok(JSON.parse(JSON.stringify(r)).configs.length === 2);
});
