// `gradcheck`: chapter 2's backpropagation checked on a real model and a real image: for K
// parameters spread over every layer, backprop's ∂C/∂p (BP3, BP4) beside the central difference of
// the cost, in float64, and their relative error.
import { costMismatch, gradientCheck } from '../engine/backprop-steps';
import type { CostName } from '../engine/hyperparams';
import { Rng } from '../engine/rng';
import { loadMnist } from '../main/datasets';
import { modelsDir } from '../main/paths';
import { UsageError, checkKnown, parseArgs, wholeFlag } from './args';
import { io } from './io';
import { readModelFile } from './model-file';
import { join } from 'node:path';

const COSTS: CostName[] = ['quadratic', 'cross-entropy', 'log-likelihood'];

/** A whole-number flag, or its default. */
function whole(flags: Map<string, string | true>, name: string, fallback: number, min: number, max: number): number {
  return wholeFlag(flags, name, min, max) ?? fallback;
}

export async function gradcheckMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['image', 'data', 'cost', 'samples', 'seed', 'json']);
  if (positional.length > 1)
    throw new UsageError(
      'gradcheck takes one model file: npm run gradcheck -- model.json [--image N] [--data test|validation|train] [--cost NAME] [--samples K] [--json]',
    );
  const model = readModelFile(positional[0] ?? join(modelsDir(), 'default.json'));
  const net = model.network;
  const data = flags.get('data') ?? 'test';
  if (data !== 'test' && data !== 'validation' && data !== 'train')
    throw new UsageError(`--data must be test, validation or train, got ${JSON.stringify(data)}`);
  const costFlag = flags.get('cost');
  if (costFlag !== undefined && !COSTS.includes(costFlag as CostName))
    throw new UsageError(`--cost must be quadratic, cross-entropy or log-likelihood, got ${JSON.stringify(costFlag)}`);
  const cost = (costFlag as CostName | undefined) ?? net.spec.cost;
  const mismatch = costMismatch(net, cost);
  if (mismatch) throw new UsageError(`--cost: ${mismatch}`);
  const mnist = await loadMnist();
  const split = mnist[data];
  const index = whole(flags, 'image', 0, 0, split.count - 1);
  const samples = whole(flags, 'samples', 20, 1, 10_000);
  const rng = new Rng(whole(flags, 'seed', 1, 0, 2 ** 32 - 1));
  const x = Array.from(split.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
  const rows = gradientCheck(net, x, split.labels[index], samples, (n) => rng.int(n), cost);
  const largest = Math.max(...rows.map((r) => r.relativeError));
  if (flags.has('json')) {
    for (const r of rows) io.out(JSON.stringify(r) + '\n');
    io.out(JSON.stringify({ done: true, image: index, data, label: split.labels[index], cost, samples, largestRelativeError: largest }) + '\n');
    return;
  }
  io.out(`${data} image ${index} (a ${split.labels[index]}), ${cost} cost: backpropagation against central differences (h = 1e-5, float64)\n`);
  io.out('layer\tparameter\tbackprop\tnumeric\trelative error\n');
  for (const r of rows)
    io.out(
      `${r.layer + 1}\t${r.kind === 'weight' ? `w[${r.j}][${r.k}]` : `b[${r.j}]`}\t${r.backprop.toExponential(6)}\t${r.numeric.toExponential(6)}\t${r.relativeError.toExponential(2)}\n`,
    );
  io.out(`largest relative error: ${largest.toExponential(2)}\n`);
}
