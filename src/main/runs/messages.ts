// The messages between the run pool (main process), a training worker and its augmentation
// worker: discriminated unions, structured-clone-safe. Datasets travel as SharedArrayBuffer-backed
// views (shared, never copied); weights never travel here (they go to the checkpoint file).
import type { MessagePort } from 'node:worker_threads';
import type { DataSplit } from '../../engine/data';
import type { Augmentation, Hyperparams } from '../../engine/hyperparams';
import type { EpochMetrics, RunMarker, RunProgress } from '../../shared/api';
import type { SvmProgress, SvmResult } from '../svm';
import type { Reason } from '../../shared/errors';

/** workerData of every worker started from worker.ts: which of the two jobs it does. */
export type WorkerRole =
  | { role: 'train' }
  | { role: 'augment'; port: MessagePort }
  | { role: 'svm'; train: DataSplit; test: DataSplit; trainSize: number; testSize: number };

/** svm worker → main */
export type FromSvm = { type: 'progress'; progress: SvmProgress } | { type: 'done'; result: SvmResult } | { type: 'failed'; reason: string };

/** main → training worker */
export type ToTrainer =
  | {
      type: 'start';
      runId: string;
      hyperparams: Hyperparams;
      train: DataSplit;
      evalData: DataSplit | null;
      /** Where to write the checkpoint each epoch (atomically). */
      checkpointPath: string;
      /** Continue from this checkpoint file instead of starting fresh. */
      resumeFrom: boolean;
      /** A fresh run starts from these weights (a model's, in the slab layout) instead of random ones. */
      initialParams: Float32Array | null;
      /** The learning rate to go on with (the checkpoint's unless the user changed it meanwhile). */
      eta: number;
      /** A port to this run's augmentation worker, when hyperparams.augment is set. */
      augmentPort: MessagePort | null;
      /** Minimum milliseconds between progress messages. */
      progressIntervalMs: number;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'set-eta'; eta: number };

/** training worker → main */
export type FromTrainer =
  | { type: 'started'; epoch: number; eta: number; history: EpochMetrics[] }
  | ({ type: 'progress' } & Omit<RunProgress, 'runId'>)
  | {
      type: 'epoch';
      metrics: EpochMetrics;
      markers: RunMarker[];
      /** Training examples per second over the last five epochs (monitoring excluded). */
      examplesPerSecond: number;
      /** Wall-clock seconds of this epoch: training, evaluation, checkpoint; pauses excluded. */
      wallSeconds: number;
      eta: number;
      bestEpoch: number | null;
      bestEvalAccuracy: number | null;
    }
  | { type: 'eta-set'; eta: number }
  /** The worker is about to exit; `stoppedBecause` is 'epochs', 'early-stop', 'eta-schedule' or 'stopped'. */
  | { type: 'done'; state: 'finished' | 'stopped'; stoppedBecause: string }
  | { type: 'failed'; reason: string; why: Reason | null };

/** training worker → augmentation worker (over a MessageChannel set up by the pool) */
export type ToAugmenter =
  | { type: 'init'; images: Uint8Array; count: number; augment: Augmentation; seed: number }
  /** Fill `target` (count × 784, SharedArrayBuffer-backed) with epoch `epoch`'s transforms. */
  | { type: 'make'; epoch: number; target: Uint8Array };

/** augmentation worker → training worker */
export type FromAugmenter = { type: 'made'; epoch: number; seconds: number } | { type: 'error'; message: string };
