// Chapter 1's baselines: the average-darkness classifier (the book's figure to the image, 2,225 of
// 10,000), and the SVM (libsvm through libsvm-js, set up as the book's scikit-learn SVC()), checked
// against scikit-learn itself on the same images, from the command line and through the service.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { averageDarkness, guessByDarkness } from '../src/engine/baselines';
import { createLabService } from '../src/main/lab-service';
import { dispatchCall } from '../src/shared/validate';
import { repoRoot } from '../src/main/paths';
import { cliInProcess } from './helpers';

const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-baseline-'));
const lab = createLabService({ runsDir });
after(async () => {
  await lab.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** A python3 with scikit-learn (Debian's python3-sklearn), or null. */
function pythonWithSklearn(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) if (spawnSync(py, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) return py;
  return null;
}

test('npm run baseline -- darkness gets 2,225 of the 10,000 test images right, as the book says', async () => {
  const r = await cliInProcess('baseline', 'darkness', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { method: 'average darkness', correct: 2225, n: 10_000, accuracy: 0.2225 });
  const bad = await cliInProcess('baseline', 'svm-please');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: baseline takes one method: npm run baseline -- darkness\|svm/);
  for (const [args, re] of [
    [['svm', '--train-size', '5'], /--train-size must be a whole number from 10 to 50000, got "5"/],
    [['svm', '--test-size', 'all'], /--test-size must be a whole number from 1 to 10000/],
    [['darkness', '--train-size', '100'], /--train-size and --test-size are for svm/],
  ] as [string[], RegExp][]) {
    const r = await cliInProcess('baseline', ...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, re);
  }
});

test('each image goes to the digit whose average darkness is nearest', () => {
  const images = new Uint8Array(784 * 3);
  images.fill(10, 0, 784); // darkness 7,840
  images.fill(20, 784, 1568); // 15,680
  images.fill(30, 1568); // 23,520
  const averages = averageDarkness({ images, labels: Uint8Array.from([4, 7, 9]), count: 3 });
  assert.deepEqual([averages[4], averages[7], averages[9]], [7840, 15_680, 23_520]);
  assert.ok(Number.isNaN(averages[0]));
  assert.deepEqual(
    [0, 1, 2].map((i) => guessByDarkness(averages, images, i)),
    [4, 7, 9],
  );
});

const sklearn = pythonWithSklearn();

test(
  'the SVM baseline classifies as scikit-learn’s SVC() does on the same images',
  { skip: sklearn ? false : 'python3-sklearn is not installed' },
  async () => {
    const r = await cliInProcess('baseline', 'svm', '--train-size', '1000', '--test-size', '1000', '--json');
    assert.equal(r.status, 0, r.stderr);
    const ours = JSON.parse(r.stdout);
    assert.deepEqual([ours.method, ours.trainSize, ours.testSize], ['svm', 1000, 1000]);
    const script = `
import sys, numpy as np
from sklearn.svm import SVC
import gzip
def idx(name):
    with gzip.open(${JSON.stringify(join(repoRoot(), 'resources/mnist'))} + '/' + name) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
X = idx('train-images-idx3-ubyte.gz')[:1000].reshape(1000, 784) / 255.0
y = idx('train-labels-idx1-ubyte.gz')[:1000]
Xt = idx('t10k-images-idx3-ubyte.gz')[:1000].reshape(1000, 784) / 255.0
yt = idx('t10k-labels-idx1-ubyte.gz')[:1000]
clf = SVC(C=1.0, kernel='rbf', gamma=1 / 784).fit(X, y)
print(int((clf.predict(Xt) == yt).sum()), int(clf.support_.shape[0]))
`;
    const py = spawnSync(sklearn!, ['-c', script], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const [correct, supportVectors] = py.stdout.trim().split(' ').map(Number);
    // The same library underneath, the same settings, the classes in the same order: the same answers.
    assert.equal(ours.supportVectors, supportVectors);
    assert.equal(ours.correct, correct);
  },
);

test('the baselines through the service: darkness at once, the SVM in a worker and one at a time; bad requests refused', async () => {
  const d = (await dispatchCall(lab, 'baseline', [{ method: 'darkness' }])) as { correct: number };
  assert.equal(d.correct, 2225);
  const first = dispatchCall(lab, 'baseline', [{ method: 'svm', trainSize: 300, testSize: 200 }]);
  await assert.rejects(dispatchCall(lab, 'baseline', [{ method: 'svm', trainSize: 300, testSize: 200 }]), /an SVM baseline is already running/);
  const r = (await first) as { correct: number; testSize: number; supportVectors: number; trainSeconds: number };
  assert.equal(r.testSize, 200);
  assert.ok(r.correct > 100 && r.supportVectors > 0 && r.trainSeconds > 0, JSON.stringify(r));
  await assert.rejects(
    dispatchCall(lab, 'baseline', [{ method: 'svm', trainSize: 9, testSize: 10 }]),
    /baseline: trainSize must be an integer in \[10, 50000\], got 9/,
  );
  await assert.rejects(dispatchCall(lab, 'baseline', [{ method: 'knn' }]), /baseline: method must be "darkness" or "svm"/);
});
