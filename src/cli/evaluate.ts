// `evaluate`: accuracy and cost of a saved model on the validation or test data.
import { getBackend } from '../engine/backend';
import { Evaluator } from '../engine/evaluate';
import { loadMnist } from '../main/datasets';
import { UsageError, checkKnown, parseArgs } from './args';
import { readModelFile } from './model-file';
import { io } from './io';

export async function evaluateMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['data', 'json', 'lambda']);
  if (positional.length !== 1) throw new UsageError('evaluate needs exactly one model file: npm run evaluate -- model.json [--data test|validation] [--json]');
  const data = flags.get('data') ?? 'test';
  if (data !== 'test' && data !== 'validation') throw new UsageError(`--data must be test or validation, got ${JSON.stringify(data)}`);
  const lambdaFlag = flags.get('lambda');
  const lambda = lambdaFlag === undefined ? 0 : Number(lambdaFlag);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new UsageError(`--lambda must be a number of at least 0, got ${JSON.stringify(lambdaFlag)}`);
  const model = readModelFile(positional[0]);
  const mnist = await loadMnist();
  const split = data === 'test' ? mnist.test : mnist.validation;
  const e = new Evaluator(model.network, getBackend()).evaluate(split, { lambda, l1: 0 });
  if (flags.has('json')) io.out(JSON.stringify({ accuracy: e.accuracy, cost: e.cost, n: e.n }) + '\n');
  else io.out(`Accuracy on ${data} data: ${e.correct} / ${e.n} (${(100 * e.accuracy).toFixed(2)}%)\nCost on ${data} data: ${e.cost}\n`);
}
