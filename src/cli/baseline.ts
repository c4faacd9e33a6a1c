// `baseline`: chapter 1's baselines before any neural network, on the book's split: the
// average-darkness classifier (the book: 2,225 of 10,000) and an SVM (the book: 94.35% with
// scikit-learn's default SVC trained on all 50,000 images); here libsvm, the library behind
// scikit-learn's SVC, trained on the first --train-size images (all 50,000 take tens of minutes).
import { darknessCorrect } from '../engine/baselines';
import { loadMnist } from '../main/datasets';
import { svmBaseline } from '../main/svm';
import { UsageError, checkKnown, parseArgs, wholeFlag } from './args';
import { io } from './io';

const USAGE = 'baseline takes one method: npm run baseline -- darkness|svm [--train-size N] [--test-size M] [--json]';

/** A whole-number flag, or its default. */
function whole(flags: Map<string, string | true>, name: string, fallback: number, min: number, max: number): number {
  return wholeFlag(flags, name, min, max) ?? fallback;
}

export async function baselineMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['json', 'train-size', 'test-size']);
  const method = positional[0];
  if (positional.length !== 1 || (method !== 'darkness' && method !== 'svm')) throw new UsageError(USAGE);
  if (method === 'darkness' && (flags.has('train-size') || flags.has('test-size')))
    throw new UsageError('--train-size and --test-size are for svm: the darkness baseline uses all 50,000 training and 10,000 test images');
  const mnist = await loadMnist();
  if (method === 'darkness') {
    const correct = darknessCorrect(mnist.train, mnist.test);
    if (flags.has('json')) io.out(JSON.stringify({ method: 'average darkness', correct, n: mnist.test.count, accuracy: correct / mnist.test.count }) + '\n');
    else
      io.out(
        `Average darkness baseline: ${correct} of ${mnist.test.count} test images correct (${((100 * correct) / mnist.test.count).toFixed(2)}%; the book: 2,225)\n`,
      );
    return;
  }
  const trainSize = whole(flags, 'train-size', 10_000, 10, mnist.train.count);
  const testSize = whole(flags, 'test-size', mnist.test.count, 1, mnist.test.count);
  if (!flags.has('json')) io.out(`Training libsvm's C-SVC (RBF kernel, C = 1, γ = 1/784) on the first ${trainSize.toLocaleString('en')} training images…\n`);
  const r = await svmBaseline(mnist.train, mnist.test, trainSize, testSize);
  if (flags.has('json')) {
    io.out(JSON.stringify(r) + '\n');
    return;
  }
  io.out(
    `SVM baseline: ${r.correct} of ${r.testSize} test images correct (${(100 * r.accuracy).toFixed(2)}%), ` +
      `${r.supportVectors} support vectors; trained in ${r.trainSeconds.toFixed(1)} s, tested in ${r.testSeconds.toFixed(1)} s\n`,
  );
  if (trainSize < mnist.train.count)
    io.out(
      `Trained on ${trainSize.toLocaleString('en')} of the 50,000 images; the book trains on all of them (94.35%): --train-size 50000, which takes much longer (training time grows about with the square of the images).\n`,
    );
}
