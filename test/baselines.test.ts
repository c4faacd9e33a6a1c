// Chapter 1's average-darkness baseline: the book's figure to the image, 2,225 of 10,000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageDarkness, guessByDarkness } from '../src/engine/baselines';
import { cliInProcess } from './helpers';

test('npm run baseline -- darkness gets 2,225 of the 10,000 test images right, as the book says', async () => {
  const r = await cliInProcess('baseline', 'darkness', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { method: 'average darkness', correct: 2225, n: 10_000, accuracy: 0.2225 });
  const bad = await cliInProcess('baseline', 'svm-please');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: baseline takes one method: npm run baseline -- darkness/);
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
