// Each epoch's augmented training images, made one epoch ahead by an augmentation worker
// (worker.ts, role 'augment') so that making them overlaps training on another core. The run
// pool's training workers use it, and so do the CLI's `train` and `reproduce`, which train on the
// main thread. The images are exactly augmentEpoch's (seeded by the run's seed and the epoch), so
// a run gives the same weights whichever thread made them.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { IMAGE_PIXELS, type DataSplit } from '../../engine/data';
import type { Hyperparams } from '../../engine/hyperparams';
import type { Trainer } from '../../engine/trainer';
import { defaultWorkerUrl, startWorker } from '../worker-start';
import { trainEpochs, type EpochLoopHooks } from './epoch-loop';
import type { FromAugmenter, ToAugmenter, WorkerRole } from './messages';

/** The smallest page size there is: a write every PAGE bytes reaches every page. */
const PAGE = 4096;

/** The next epoch's augmented images, made by the augmentation worker one epoch ahead (double-buffered). */
export class AugmentFeed {
  private readonly buffers: Uint8Array[];
  private readonly requested = new Set<number>();
  private readonly made = new Set<number>();
  private waiter: { epoch: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly mapped = new Set<Uint8Array>();

  constructor(
    private readonly port: MessagePort,
    train: DataSplit,
    hp: Hyperparams,
    private readonly lastEpoch: number,
  ) {
    const bytes = train.count * IMAGE_PIXELS;
    this.buffers = [new Uint8Array(new SharedArrayBuffer(bytes)), new Uint8Array(new SharedArrayBuffer(bytes))];
    port.on('message', (msg: FromAugmenter) => {
      if (msg.type === 'made') {
        this.made.add(msg.epoch);
        if (this.waiter?.epoch === msg.epoch) this.waiter.resolve();
      } else {
        this.fail(new Error(`augmentation failed: ${msg.message}`));
      }
    });
    const init: ToAugmenter = { type: 'init', images: train.images, count: train.count, augment: hp.augment!, seed: hp.seed };
    port.postMessage(init);
  }

  /** Ends a wait for images with this error (the worker failed or is gone). */
  fail(e: Error): void {
    this.failure ??= e;
    this.waiter?.reject(this.failure);
  }

  private request(epoch: number): void {
    if (epoch > this.lastEpoch || this.requested.has(epoch)) return;
    this.requested.add(epoch);
    const msg: ToAugmenter = { type: 'make', epoch, target: this.buffers[epoch % 2] };
    this.port.postMessage(msg);
  }

  /** The images of `epoch` (1-based); asks for the following epoch's at once, into the other buffer. */
  async take(epoch: number): Promise<Uint8Array> {
    this.request(epoch);
    if (!this.made.has(epoch)) {
      if (this.failure) throw this.failure;
      // This thread has nothing to do until the images come: it maps the next epoch's buffer now,
      // so the worker does not take those page faults later, while training waits on it.
      if (epoch + 1 <= this.lastEpoch) this.mapPages(this.buffers[(epoch + 1) % 2]);
      await new Promise<void>((resolve, reject) => (this.waiter = { epoch, resolve, reject }));
      this.waiter = null;
    }
    this.made.delete(epoch);
    this.request(epoch + 1);
    return this.buffers[epoch % 2];
  }

  /**
   * Writes to every page of a buffer not yet written: a fresh buffer's first write to each page is
   * a page fault, 0.1 s for an epoch's 39 MB on a virtual machine (docs/speed.md).
   */
  private mapPages(buffer: Uint8Array): void {
    if (this.mapped.has(buffer)) return;
    this.mapped.add(buffer);
    for (let i = 0; i < buffer.length; i += PAGE) buffer[i] = 0;
  }

  close(): void {
    this.port.close();
  }
}

/** Starts an augmentation worker from the worker script; the returned port is its other end. */
export function startAugmentWorker(workerUrl: URL | string, name: string): { worker: Worker; port: MessagePort } {
  const channel = new MessageChannel();
  const worker = startWorker(workerUrl, {
    workerData: { role: 'augment', port: channel.port2 } satisfies WorkerRole,
    transferList: [channel.port2],
    name,
  });
  return { worker, port: channel.port1 };
}

/**
 * Augmentation on another thread for a run trained on this one (the CLI's): `images` is
 * trainEpochs' augmentedImages hook; `stop` ends the worker. Should the worker fail or exit,
 * the wait for images ends with that error.
 */
export function backgroundAugmentation(
  workerUrl: URL | string,
  train: DataSplit,
  hp: Hyperparams,
): { images: (epoch: number) => Promise<Uint8Array>; stop: () => Promise<void> } {
  const { worker, port } = startAugmentWorker(workerUrl, 'augment');
  const feed = new AugmentFeed(port, train, hp, hp.epochs);
  let stopping = false;
  worker.on('error', (e) => feed.fail(new Error(`augmentation failed: ${e.message}`)));
  worker.on('exit', (code) => {
    if (!stopping) feed.fail(new Error(`the augmentation worker exited (code ${code})`));
  });
  return {
    images: (epoch) => feed.take(epoch),
    stop: async () => {
      stopping = true;
      feed.close();
      await worker.terminate();
    },
  };
}

/**
 * trainEpochs for a run trained on this thread (the CLI's `train`, `reproduce`): an augmented run's
 * images are made on another thread, one epoch ahead, as in the app's runs, by a worker that ends
 * with the loop, however it ends.
 */
export async function trainEpochsAugmentingAside(trainer: Trainer, hooks: Omit<EpochLoopHooks, 'augmentedImages'> = {}): Promise<'done' | 'stopped'> {
  if (!trainer.hp.augment) return trainEpochs(trainer, hooks);
  const background = backgroundAugmentation(defaultWorkerUrl(), trainer.train, trainer.hp);
  try {
    return await trainEpochs(trainer, { ...hooks, augmentedImages: background.images });
  } finally {
    await background.stop();
  }
}
