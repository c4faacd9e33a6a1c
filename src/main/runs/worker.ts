// The script of every run's worker threads. workerData.role picks the job:
//  - 'train': one training run, through the one epoch loop (epoch-loop.ts). Between its chunks of
//    mini-batches it yields to its message port, so pause, stop and a new eta take effect
//    mid-epoch; it writes the checkpoint after every epoch and throttles its progress messages.
//  - 'augment': produces each epoch's freshly transformed training images into a shared buffer,
//    one epoch ahead of the training worker it is connected to, so the two overlap.
//  - 'svm': chapter 1's SVM baseline (src/main/svm.ts), which blocks while libsvm trains.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Hyperparams } from '../../engine/hyperparams';
import { getBackend } from '../../engine/backend';
import { Trainer, type TrainerCheckpoint } from '../../engine/trainer';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { augmentEpoch } from './augment-epoch';
import { AugmentFeed } from './augment-feed';
import { trainEpochs, type ChunkProgress } from './epoch-loop';
import type { EpochMetrics, RunMarker } from '../../engine/metrics';
import type { FromAugmenter, FromSvm, FromTrainer, ToAugmenter, ToTrainer, WorkerRole } from './messages';
import { svmBaseline } from '../svm';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { englishOf, reasonOf, type Reason } from '../../shared/errors';

// Training is background work: lower this thread's priority (on Linux, nice applies per thread) so
// the UI, and the main thread answering it, stay responsive while runs train. A no-op elsewhere.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10);
} catch {
  // No /proc (macOS, Windows) or not permitted: run at normal priority.
}

const now = (): number => performance.now();
const yieldToPort = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function errorMessage(e: unknown): string {
  const why = failureReason(e);
  return why ? englishOf(why) : e instanceof Error ? e.message : String(e);
}

/** A failure's reason as data, when it has one (src/shared/errors). */
function failureReason(e: unknown): Reason | null {
  const msg = e instanceof Error ? e.message : String(e);
  // Typed arrays and WebAssembly memory live outside the heap limit; their failure says "allocat…".
  if (/allocat/i.test(msg)) return { code: 'run.outOfMemory', params: { detail: msg } };
  return reasonOf(e);
}

function runTrainer(parent: MessagePort): void {
  const post = (msg: FromTrainer): void => parent.postMessage(msg);
  let trainer: Trainer | null = null;
  let paused = false;
  let stopRequested = false;
  let wake: (() => void) | null = null;
  let finished = false;

  const failWith = (reason: string, why: Reason | null): void => {
    if (finished) return;
    finished = true;
    post({ type: 'failed', reason, why });
  };
  const fail = (e: unknown): void => failWith(errorMessage(e), failureReason(e));

  async function train(msg: Extract<ToTrainer, { type: 'start' }>): Promise<void> {
    const checkpoint = msg.resumeFrom ? (readCheckpoint(msg.checkpointPath) as TrainerCheckpoint) : undefined;
    const t = new Trainer(msg.hyperparams, msg.train, msg.evalData, {
      checkpoint,
      backend: getBackend(),
      ...(msg.initialParams && !checkpoint ? { initialParams: msg.initialParams } : {}),
    });
    trainer = t;
    if (msg.eta !== t.eta && !t.done) t.setEta(msg.eta);
    // Weights a run starts from are checkpointed at once (as epoch 0), so a crash before the first epoch keeps them.
    if (msg.initialParams && !checkpoint) writeCheckpoint(msg.checkpointPath, t.checkpoint());
    post({ type: 'started', epoch: t.epoch, eta: t.eta, history: t.history });
    const feed = msg.augmentPort && msg.hyperparams.augment ? new AugmentFeed(msg.augmentPort, t.train, msg.hyperparams, msg.hyperparams.epochs) : null;

    const n = t.train.count;
    let lastProgress = now();
    // Wall-clock seconds of whole epochs (evaluation and waiting for augmented images included,
    // pauses excluded), for an honest ETA.
    let epochWallStart = now();
    let pausedMs = 0;
    let epochWallSeconds = 0;
    let epochsTimed = 0;

    /** Where the run is, with the mini-batch cost since the last report and the time left (the rest of this epoch, then whole epochs as measured). */
    const postProgress = (epoch: number, examplesDone: number, examplesPerSecond: number): void => {
      const perEpoch = epochsTimed > 0 ? epochWallSeconds / epochsTimed : examplesPerSecond > 0 ? n / examplesPerSecond : 0;
      const restOfEpoch = examplesPerSecond > 0 ? (n - examplesDone) / examplesPerSecond : 0;
      post({
        type: 'progress',
        epoch,
        examplesDone,
        examplesTotal: n,
        examplesPerSecond,
        batchCost: t.takeBatchCost(),
        etaSeconds: restOfEpoch + (t.hp.epochs - epoch) * perEpoch,
      });
    };

    const between = async (p: ChunkProgress): Promise<boolean> => {
      while (paused && !stopRequested) {
        const pausedAt = now();
        await new Promise<void>((resolve) => (wake = resolve));
        pausedMs += now() - pausedAt;
        wake = null;
      }
      if (stopRequested) return false;
      if (p.examplesDone > 0 && now() - lastProgress >= msg.progressIntervalMs) {
        lastProgress = now();
        postProgress(p.epoch, p.examplesDone, p.examplesPerSecond);
      }
      await yieldToPort();
      return !stopRequested;
    };

    // The last epochs' training seconds, for a speed that does not jump from epoch to epoch.
    const recent: number[] = [];
    const onEpoch = (metrics: EpochMetrics, markers: RunMarker[]): void => {
      const failedMarker = markers.find((m) => m.kind === 'failed');
      // The checkpoint is on disk before anyone hears of the epoch; a diverged epoch is not
      // checkpointed, so the last good one stays resumable.
      if (!failedMarker) writeCheckpoint(msg.checkpointPath, t.checkpoint());
      const at = now();
      const wallSeconds = (at - epochWallStart - pausedMs) / 1000;
      epochWallSeconds += wallSeconds;
      epochsTimed++;
      epochWallStart = at;
      pausedMs = 0;
      recent.push(metrics.seconds);
      if (recent.length > 5) recent.shift();
      const recentSeconds = recent.reduce((a, b) => a + b, 0);
      post({
        type: 'epoch',
        metrics,
        markers,
        examplesPerSecond: recentSeconds > 0 ? (n * recent.length) / recentSeconds : 0,
        wallSeconds,
        eta: t.eta,
        bestEpoch: t.bestEpoch,
        bestEvalAccuracy: t.bestEvalAccuracy,
      });
      if (failedMarker?.kind === 'failed') failWith(failedMarker.reason, failedMarker.why ?? null);
      // Epochs shorter than a progress interval never report mid-epoch: report at their end, so
      // the progress line and its ETA keep moving for 1,000-image runs too.
      if (!t.done && at - lastProgress >= msg.progressIntervalMs) {
        lastProgress = at;
        postProgress(metrics.epoch, n, recentSeconds > 0 ? (n * recent.length) / recentSeconds : 0);
      }
    };

    let ended: 'done' | 'stopped';
    try {
      ended = await trainEpochs(t, { augmentedImages: feed ? (epoch) => feed.take(epoch) : undefined, between, onEpoch });
    } finally {
      feed?.close();
    }
    if (finished) return;
    finished = true;
    if (ended === 'stopped') post({ type: 'done', state: 'stopped', stoppedBecause: 'stopped' });
    else post({ type: 'done', state: 'finished', stoppedBecause: t.stoppedBecause ?? 'epochs' });
  }

  parent.on('message', (msg: ToTrainer) => {
    try {
      switch (msg.type) {
        case 'start':
          train(msg).catch(fail);
          break;
        case 'pause':
          paused = true;
          break;
        case 'resume':
          paused = false;
          wake?.();
          break;
        case 'stop':
          stopRequested = true;
          wake?.();
          break;
        case 'set-eta':
          if (trainer && !trainer.done) {
            trainer.setEta(msg.eta);
            post({ type: 'eta-set', eta: msg.eta });
          }
          break;
      }
    } catch (e) {
      fail(e);
    }
  });
}

function runAugmenter(p: MessagePort): void {
  let source: { images: Uint8Array; count: number; augment: NonNullable<Hyperparams['augment']>; seed: number } | null = null;
  p.on('message', (msg: ToAugmenter) => {
    try {
      if (msg.type === 'init') {
        source = { images: msg.images, count: msg.count, augment: msg.augment, seed: msg.seed };
      } else {
        if (!source) throw new Error('make before init');
        const t0 = now();
        augmentEpoch(msg.target, source.images, source.count, source.augment, source.seed, msg.epoch);
        const reply: FromAugmenter = { type: 'made', epoch: msg.epoch, seconds: (now() - t0) / 1000 };
        p.postMessage(reply);
      }
    } catch (e) {
      const reply: FromAugmenter = { type: 'error', message: errorMessage(e) };
      p.postMessage(reply);
    }
  });
}

/** Chapter 1's SVM baseline, off the main thread (libsvm blocks while it trains). */
function runSvm(parent: MessagePort, job: Extract<WorkerRole, { role: 'svm' }>): void {
  const post = (msg: FromSvm): void => parent.postMessage(msg);
  svmBaseline(job.train, job.test, job.trainSize, job.testSize, (progress) => post({ type: 'progress', progress })).then(
    (result) => post({ type: 'done', result }),
    (e) => post({ type: 'failed', reason: errorMessage(e) }),
  );
}

const role = (workerData as WorkerRole | null)?.role;
if (!parentPort) throw new Error('worker.ts must run in a worker thread');
if (role === 'train') runTrainer(parentPort);
else if (role === 'augment') runAugmenter((workerData as { port: MessagePort }).port);
else if (role === 'svm') runSvm(parentPort, workerData as Extract<WorkerRole, { role: 'svm' }>);
else throw new Error(`unknown worker role ${JSON.stringify(role)}`);
