// One epoch of on-the-fly augmentation: every training image under a fresh random transform,
// seeded by (run seed, epoch) alone, so a resumed run regenerates exactly the same images.
import { Augmenter } from '../../engine/augment';
import type { Augmentation } from '../../engine/hyperparams';
import { Rng } from '../../engine/rng';

let cached: { key: string; augmenter: Augmenter } | null = null;

/**
 * The generator seed of epoch `epoch`'s transforms (1-based), independent of the trainer's own
 * stream. The same formula as the CLI's epochAugmentSeed(seed, epochsDone), so a run gives the same
 * weights in the CLI and in a worker (a test holds the two together).
 */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + (epoch - 1) * 0x7feb352d) >>> 0;
}

/** Fills target (count × 784) with epoch `epoch`'s transforms of source. */
export function augmentEpoch(target: Uint8Array, source: Uint8Array, count: number, augment: Augmentation, seed: number, epoch: number): void {
  const key = JSON.stringify(augment);
  if (cached?.key !== key) cached = { key, augmenter: new Augmenter(augment) };
  cached.augmenter.transformAll(target, source, count, new Rng(epochSeed(seed, epoch)));
}
