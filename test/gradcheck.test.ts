// `npm run gradcheck`: backpropagation (chapter 2's four equations, float64) against central
// differences on the bundled model and on networks of every activation and cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientCheck } from '../src/engine/backprop-steps';
import { Network } from '../src/engine/network';
import { Rng } from '../src/engine/rng';
import { loadMnist } from '../src/main/datasets';
import { cliInProcess } from './helpers';

test('npm run gradcheck on the bundled model: every sampled parameter within 1e-4', async () => {
  const r = await cliInProcess('gradcheck', '--image', '3', '--samples', '40', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const rows = lines.slice(0, -1);
  assert.equal(rows.length, 40);
  for (const row of rows) assert.ok(row.relativeError < 1e-4, JSON.stringify(row));
  assert.ok(
    rows.some((row) => row.layer === 0 && row.kind === 'weight' && row.backprop !== 0),
    'first-layer weights on the ink',
  );
  const summary = lines.at(-1);
  assert.deepEqual([summary.done, summary.image, summary.samples], [true, 3, 40]);
  assert.ok(summary.largestRelativeError < 1e-4);
  const text = await cliInProcess('gradcheck', '--samples', '4');
  assert.match(text.stdout, /largest relative error: \d\.\d\de[-+]\d+\n$/);
});

test('backprop agrees with central differences for every activation and cost', async () => {
  const mnist = await loadMnist();
  const x = Array.from(mnist.test.images.subarray(0, 784), (v) => v / 255);
  for (const activation of ['sigmoid', 'tanh', 'relu'] as const) {
    for (const cost of ['quadratic', 'cross-entropy', 'log-likelihood'] as const) {
      const net = Network.initialize({ sizes: [784, 12, 8, 10], activation, cost }, 'default', new Rng(7));
      const rng = new Rng(2);
      const rows = gradientCheck(net, x, mnist.test.labels[0], 30, (n) => rng.int(n));
      for (const row of rows) assert.ok(row.relativeError < 1e-4, `${activation} ${cost}: ${JSON.stringify(row)}`);
    }
  }
});

test('npm run gradcheck refuses bad values with one line', async () => {
  for (const [args, re] of [
    [['--cost', 'log-likelihood'], /--cost: the log-likelihood cost does not fit this model's sigmoid output/],
    [['--cost', 'hinge'], /--cost must be quadratic, cross-entropy or log-likelihood/],
    [['--image', '10000'], /--image must be a whole number from 0 to 9999/],
    [['--data', 'all'], /--data must be test, validation or train/],
    [['--samples', '0'], /--samples must be a whole number from 1 to 10000/],
  ] as [string[], RegExp][]) {
    const r = await cliInProcess('gradcheck', ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, re);
  }
});
