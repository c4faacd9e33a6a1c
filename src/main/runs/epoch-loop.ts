// The one loop that trains a run epoch by epoch, used by the run worker, the CLI's train and
// `npm run reproduce`: each epoch gets its freshly augmented images first, then its mini-batches in
// chunks of about CHUNK_MS (so a worker can answer pause, stop and a new eta between them), then the
// epoch's monitors, best epoch and schedule (Trainer.finishEpoch), then onEpoch (checkpoint, report).
import type { Trainer } from '../../engine/trainer';
import type { EpochMetrics, RunMarker } from '../../engine/metrics';
import { augmentEpoch } from './augment-epoch';

/** Aim for chunks of about this many milliseconds: short enough to answer commands promptly. */
export const CHUNK_MS = 25;

export interface ChunkProgress {
  /** The epoch being trained, from 1. */
  epoch: number;
  examplesDone: number;
  examplesTotal: number;
  /** Training speed, smoothed over the last chunks; 0 before the first. */
  examplesPerSecond: number;
}

export interface EpochLoopHooks {
  /**
   * The images of epoch `epoch` (from 1) when the run augments. By default they are made here, in
   * this thread; a worker passes its augmentation worker's, made one epoch ahead. Both give the
   * same images: epoch e's transforms come from augmentEpoch's generator seeded by (seed, e).
   */
  augmentedImages?: (epoch: number) => Promise<Uint8Array>;
  /** Between chunks of mini-batches: may wait (a pause); false stops the run where it is. */
  between?: (progress: ChunkProgress) => Promise<boolean> | boolean;
  /** After each epoch, before the next one starts. */
  onEpoch?: (metrics: EpochMetrics, markers: RunMarker[]) => Promise<void> | void;
}

const now = (): number => performance.now();

/** Trains until the run is done ('done') or `between` says stop ('stopped', mid-epoch or at its start). */
export async function trainEpochs(trainer: Trainer, hooks: EpochLoopHooks = {}): Promise<'done' | 'stopped'> {
  const augment = trainer.hp.augment;
  let local: Uint8Array | null = null;
  const images =
    hooks.augmentedImages ??
    (async (epoch: number) => {
      local ??= new Uint8Array(trainer.train.images.length);
      augmentEpoch(local, trainer.train.images, trainer.train.count, augment!, trainer.hp.seed, epoch);
      return local;
    });
  // Without a `between`, nobody listens mid-epoch: train each epoch in one call.
  let batches = hooks.between ? 1 : Number.MAX_SAFE_INTEGER;
  let speed = 0;
  let done = 0;
  while (!trainer.done) {
    const epoch = trainer.epoch + 1;
    if (augment) trainer.setEpochImages(await images(epoch));
    // A command may have arrived while the images were made.
    if (hooks.between && !(await hooks.between({ epoch, examplesDone: 0, examplesTotal: trainer.train.count, examplesPerSecond: speed }))) return 'stopped';
    for (;;) {
      const t0 = now();
      const r = trainer.trainBatches(batches);
      const ms = now() - t0;
      const examples = r.examplesDone - done;
      done = r.epochComplete ? 0 : r.examplesDone;
      if (hooks.between) {
        if (ms > 0 && examples > 0) {
          const s = (examples * 1000) / ms;
          speed = speed === 0 ? s : 0.8 * speed + 0.2 * s;
          batches = Math.max(1, Math.min(100_000, Math.round((batches * CHUNK_MS) / Math.max(ms, 0.5))));
        } else if (examples > 0) {
          batches = Math.min(100_000, batches * 2);
        }
      }
      if (r.epochComplete) break;
      if (hooks.between && !(await hooks.between({ epoch, examplesDone: r.examplesDone, examplesTotal: r.examplesTotal, examplesPerSecond: speed }))) return 'stopped';
    }
    const { metrics, markers } = trainer.finishEpoch();
    await hooks.onEpoch?.(metrics, markers);
  }
  return 'done';
}
