// The policy of a run, apart from its mechanism (trainer.ts): after each epoch, which epoch is the
// best so far, whether to stop early, whether to halve the learning rate (the book's schedule:
// halve η after N epochs without improvement, stop at η₀/128), and whether the run has diverged.
import type { Hyperparams } from './hyperparams';
import type { EpochMetrics, RunMarker, StopReason } from './metrics';
import { englishOf, type Reason } from '../shared/errors';

export interface ScheduleState {
  eta: number;
  bestEpoch: number | null;
  bestEvalAccuracy: number | null;
  epochsSinceImprovement: number;
  stoppedBecause: StopReason | null;
}

export interface EpochVerdict {
  markers: RunMarker[];
  /** This epoch is the best so far: keep its weights. */
  newBest: boolean;
}

/** Decides, epoch by epoch, what the book's policies say; holds no weights. */
export class Schedule implements ScheduleState {
  eta: number;
  bestEpoch: number | null = null;
  bestEvalAccuracy: number | null = null;
  epochsSinceImprovement = 0;
  stoppedBecause: StopReason | null = null;

  constructor(
    private readonly hp: Hyperparams,
    state?: ScheduleState,
  ) {
    this.eta = hp.eta;
    if (state) Object.assign(this, { ...state });
  }

  state(): ScheduleState {
    const { eta, bestEpoch, bestEvalAccuracy, epochsSinceImprovement, stoppedBecause } = this;
    return { eta, bestEpoch, bestEvalAccuracy, epochsSinceImprovement, stoppedBecause };
  }

  /** Reads an epoch's figures; `weightsFinite` is false when any weight became NaN or infinite. */
  afterEpoch(metrics: EpochMetrics, weightsFinite: boolean): EpochVerdict {
    const hp = this.hp;
    const epoch = metrics.epoch;
    const markers: RunMarker[] = [];
    // The costs are computed stably (costs.ts): a saturated output gives a large finite cost, as in
    // float64, so only a non-finite cost or weight means the run has diverged.
    const diverged = !weightsFinite || [metrics.trainCost, metrics.evalCost].some((c) => c !== undefined && !Number.isFinite(c));
    if (diverged) {
      this.stoppedBecause = 'diverged';
      const why: Reason = { code: 'run.diverged', params: { epoch, eta: this.eta } };
      markers.push({ kind: 'failed', epoch, reason: englishOf(why), why });
      return { markers, newBest: false };
    }
    let newBest = false;
    if (metrics.evalAccuracy !== undefined) {
      if (this.bestEvalAccuracy === null || metrics.evalAccuracy > this.bestEvalAccuracy) {
        this.bestEvalAccuracy = metrics.evalAccuracy;
        this.bestEpoch = epoch;
        this.epochsSinceImprovement = 0;
        newBest = true;
        markers.push({ kind: 'best', epoch, evalAccuracy: metrics.evalAccuracy });
      } else {
        this.epochsSinceImprovement++;
      }
      if (hp.earlyStop > 0 && this.epochsSinceImprovement >= hp.earlyStop) {
        this.stoppedBecause = 'early-stop';
        markers.push({ kind: 'early-stop', epoch });
      } else if (hp.halveAfter > 0 && this.epochsSinceImprovement >= hp.halveAfter) {
        this.eta /= 2;
        this.epochsSinceImprovement = 0;
        markers.push({ kind: 'eta-halved', epoch, eta: this.eta });
        if (this.eta <= hp.eta / 128) this.stoppedBecause = 'eta-schedule';
      }
    }
    if (this.stoppedBecause === null && epoch >= hp.epochs) this.stoppedBecause = 'epochs';
    if (this.stoppedBecause !== null) markers.push({ kind: 'finished', epoch });
    return { markers, newBest };
  }

  /** Whether the evaluation accuracy must be measured each epoch, monitored or not. */
  static needsEvalAccuracy(hp: Hyperparams): boolean {
    return hp.monitor.evalAccuracy || hp.earlyStop > 0 || hp.halveAfter > 0;
  }
}
