// One epoch of on-the-fly augmentation: every training image under a fresh random transform,
// seeded by (run seed, epoch) alone, so a resumed run regenerates exactly the same images.
import { Augmenter } from '../../engine/augment';
import type { Augmentation } from '../../engine/hyperparams';
import { Rng } from '../../engine/rng';

let cached: { key: string; augmenter: Augmenter } | null = null;

/** The generator seed of one epoch's transforms: distinct per epoch, independent of the trainer's stream. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ 0x5bd1e995) >>> 0;
}

/** Fills target (count × 784) with epoch `epoch`'s transforms of source. */
export function augmentEpoch(target: Uint8Array, source: Uint8Array, count: number, augment: Augmentation, seed: number, epoch: number): void {
  const key = JSON.stringify(augment);
  if (cached?.key !== key) cached = { key, augmenter: new Augmenter(augment) };
  cached.augmenter.transformAll(target, source, count, new Rng(epochSeed(seed, epoch)));
}
