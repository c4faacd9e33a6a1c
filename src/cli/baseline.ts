// `baseline`: chapter 1's average-darkness classifier on the book's split (training images
// 0-49,999 for the averages, the 10,000 test images to classify). The book reports 2,225 of 10,000.
import { darknessCorrect } from '../engine/baselines';
import { loadMnist } from '../main/datasets';
import { UsageError, checkKnown, parseArgs } from './args';
import { io } from './io';

export async function baselineMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['json']);
  if (positional.length !== 1 || positional[0] !== 'darkness') throw new UsageError('baseline takes one method: npm run baseline -- darkness [--json]');
  const mnist = await loadMnist();
  const correct = darknessCorrect(mnist.train, mnist.test);
  if (flags.has('json')) io.out(JSON.stringify({ method: 'average darkness', correct, n: mnist.test.count, accuracy: correct / mnist.test.count }) + '\n');
  else
    io.out(
      `Average darkness baseline: ${correct} of ${mnist.test.count} test images correct (${((100 * correct) / mnist.test.count).toFixed(2)}%; the book: 2,225)\n`,
    );
}
