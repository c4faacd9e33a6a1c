// What a training run reports per epoch, and the markers the UI draws on its charts.
import type { InsideStats } from './inside';
import type { Reason } from '../shared/errors';

/** One epoch's figures; accuracies are fractions in [0, 1]; costs include regularization. */
export interface EpochMetrics {
  epoch: number;
  /** Seconds spent training this epoch (monitoring excluded). */
  seconds: number;
  /** Learning rate used during this epoch. */
  eta: number;
  trainCost?: number;
  trainAccuracy?: number;
  evalCost?: number;
  evalAccuracy?: number;
  /** Inside the network at the end of this epoch (monitor.inside): see src/engine/inside. */
  inside?: InsideStats;
  /** Epoch 1 only: the same, before any training (the initialization, or the weights a run started from). */
  insideStart?: InsideStats;
}

export type RunMarker =
  | { kind: 'best'; epoch: number; evalAccuracy: number }
  | { kind: 'eta-halved'; epoch: number; eta: number }
  | { kind: 'eta-changed'; epoch: number; eta: number }
  | { kind: 'early-stop'; epoch: number }
  | { kind: 'finished'; epoch: number }
  | { kind: 'failed'; epoch: number; reason: string; why?: Reason };

/** Why a run ended. */
export type StopReason = 'epochs' | 'early-stop' | 'eta-schedule' | 'diverged';
