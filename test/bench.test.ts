// The bench runs end to end on a tiny configuration and reports every figure (no timings asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { benchMain, blasLibraries, formatTable, onlyReferenceBlas, runBench } from '../bench/bench';
import { parseRunsArgs } from '../bench/runs';

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
  // The larger mini-batch against the smaller, in turns: past each trainer's first epoch, and new
  // trainers' first epochs (the table's measure).
  assert.deepEqual(
    r.batches.map((f) => `${f.sizes}/${f.smaller}/${f.larger}/${f.ratios.length}/${f.firstRatios.length}`),
    ['784-30-10/10/100/3/3'],
  );
  for (const f of r.batches) {
    assert.ok(f.smallerSeconds > 0 && f.largerSeconds > 0 && Number.isFinite(f.largerSeconds));
    assert.ok(f.firstSmallerSeconds > 0 && f.firstLargerSeconds > 0 && Number.isFinite(f.firstLargerSeconds));
    for (const x of [...f.ratios, ...f.firstRatios]) assert.ok(x > 0 && Number.isFinite(x));
  }
  assert.match(
    table,
    /mini-batches of 10 and 100 in turns, 784-30-10, a run's later epochs: [\d.]+ s and [\d.]+ s \(best of 3\); 100 against 10, round by round: ([\d.]+x, ){2}[\d.]+x \(goal ≤ 1\)/,
  );
  assert.match(
    table,
    /mini-batches of 10 and 100 in turns, 784-30-10, new trainers' first epochs: [\d.]+ s and [\d.]+ s \(best of 3\); 100 against 10, round by round: ([\d.]+x, ){2}[\d.]+x \(goal ≤ 1\)/,
  );
  assert.ok(JSON.parse(JSON.stringify(r)).configs.length === 2);
  // Each yardstick's BLAS is named, and the reference BLAS is called out.
  assert.deepEqual(r.blas, { numpy: null, torch: null }, 'no yardstick ran');
  assert.doesNotMatch(table, /BLAS/);
  r.blas = { numpy: ['/opt/numpy.libs/libscipy_openblas64_-ff651d7f.so'], torch: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'] };
  const named = formatTable(r).split('\n');
  assert.ok(named.includes("numpy's BLAS: /opt/numpy.libs/libscipy_openblas64_-ff651d7f.so"));
  assert.ok(named.includes("PyTorch's BLAS: /usr/lib/x86_64-linux-gnu/blas/libblas.so.3"));
  assert.deepEqual(
    named.filter((l) => l.startsWith('WARNING')).map((l) => l.split(':')[0] + ':' + l.split(':')[1]),
    ['WARNING: PyTorch here runs on the reference BLAS, not an optimized one'],
  );
});

test('a yardstick on the reference BLAS alone is told apart from one on an optimized BLAS', () => {
  assert.equal(onlyReferenceBlas(['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3']), true);
  assert.equal(onlyReferenceBlas(['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3']), false);
  assert.equal(onlyReferenceBlas(['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', '/usr/lib/x86_64-linux-gnu/libopenblas.so.0']), false);
  assert.equal(onlyReferenceBlas(['/opt/intel/lib/libmkl_rt.so.2']), false);
  assert.equal(onlyReferenceBlas([]), false, 'nothing seen is not a verdict');
  assert.equal(onlyReferenceBlas(null), false);
  // The probe itself, where a python3 has numpy: it names the library its product went through.
  if (spawnSync('python3', ['-c', 'import numpy']).status === 0) {
    const libs = blasLibraries('python3', 'numpy');
    assert.ok(libs && libs.length > 0 && libs.every((l) => l.startsWith('/') && /blas|mkl/i.test(l)), `numpy's BLAS: ${libs}`);
  }
});

test('bench --repeat goes through every row before the next round, so a row’s runs lie apart', async () => {
  const lines: string[] = [];
  const r = await runBench({ quick: true, yardstick: false, repeat: 2, log: (l) => lines.push(l) });
  assert.deepEqual(
    r.configs.map((c) => `${c.sizes}/${c.batch}`),
    ['784-30-10/10', '784-100-10/10'],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith('training ')).map((l) => l.replace(/ \.\.\.$/, '')),
    [
      'training 784-30-10, mini-batch 10, round 1 of 2',
      'training 784-100-10, mini-batch 10, round 1 of 2',
      'training 784-30-10, mini-batch 10, round 2 of 2',
      'training 784-100-10, mini-batch 10, round 2 of 2',
    ],
  );
  for (const c of r.configs) assert.ok(c.testAccuracy > 0.5 && c.secondsPerEpoch > 0);
});

test('the benches refuse a wrong option in one line, before measuring anything', async () => {
  await assert.rejects(benchMain(['--repeat', '0']), /^UsageError: --repeat must be a whole number from 1 to 20, got "0"$/);
  await assert.rejects(benchMain(['--repeats', '2']), /unknown option --repeats/);
  assert.throws(() => parseRunsArgs(['--epochs', 'abc']), /^UsageError: --epochs must be a whole number from 2 to 1000, got "abc"$/);
  assert.throws(() => parseRunsArgs(['--epochs', '1']), /--epochs must be a whole number from 2 to 1000, got "1"/);
  assert.throws(() => parseRunsArgs(['--hiden', '800']), /unknown option --hiden/);
  assert.throws(() => parseRunsArgs(['800']), /bench:runs takes no positional arguments, got "800"/);
  assert.deepEqual(parseRunsArgs(['--hidden', '800', '--json']), { epochs: 5, repeats: 5, hidden: 800, json: true });
});
