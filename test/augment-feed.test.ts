// Augmentation on another thread for runs trained on this one (the CLI's `train`, `reproduce`):
// the same images as augmenting in-thread, and a failure that ends the wait instead of hanging it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHyperparams, type Hyperparams } from '../src/engine/hyperparams';
import type { DataSplit } from '../src/engine/data';
import { augmentEpoch } from '../src/main/runs/augment-epoch';
import { backgroundAugmentation } from '../src/main/runs/augment-feed';
import { defaultWorkerUrl } from '../src/main/worker-start';
import { firstN, loadMnistSync } from '../src/main/datasets';

const train = firstN(loadMnistSync().train, 300);
const hp: Hyperparams = {
  ...defaultHyperparams(),
  epochs: 3,
  seed: 11,
  augment: { rotateDeg: 15, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 4 },
};

test("the augmentation worker makes each epoch's images exactly as augmenting in-thread does", async () => {
  const background = backgroundAugmentation(defaultWorkerUrl(), train, hp);
  try {
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const got = await background.images(epoch);
      const want = new Uint8Array(train.images.length);
      augmentEpoch(want, train.images, train.count, hp.augment!, hp.seed, epoch);
      assert.ok(Buffer.from(got.subarray(0, want.length)).equals(Buffer.from(want)), `epoch ${epoch}`);
      assert.ok(!Buffer.from(want).equals(Buffer.from(train.images)), 'the images are transformed');
    }
  } finally {
    await background.stop();
  }
});

test('a failure in the augmentation worker ends the wait for images with its message', async () => {
  // Fewer image bytes than the count says: the worker's transform refuses them.
  const broken: DataSplit = { ...train, images: train.images.subarray(0, 10 * 784) };
  const background = backgroundAugmentation(defaultWorkerUrl(), broken, hp);
  try {
    await assert.rejects(background.images(1), /augmentation failed: augment: need 300×784 bytes/);
  } finally {
    await background.stop();
  }
});
