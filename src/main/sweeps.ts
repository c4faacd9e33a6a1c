// Sweeps on this machine: each point of a sweep (src/shared/sweep.ts) is a run of the run pool,
// started in order, at most `parallel` at a time and within the pool's live-run limit, all sharing
// the one dataset. A sweep and its points' results are kept in sweeps/<id>.json (written
// atomically on every change), so closing the app mid-sweep loses no finished point: on the next
// start, points that were training resume from their runs' checkpoints and the rest follow.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EpochMetrics, RunSummary } from '../shared/api';
import {
  expandSweep,
  formatValue,
  validateSweepSpec,
  type PointResult,
  type SweepPointRecord,
  type SweepSpec,
  type SweepState,
  type SweepSummary,
} from '../shared/sweep';
import type { Hyperparams } from '../engine/hyperparams';

export type { SweepSummary } from '../shared/sweep';
import { writeFileAtomicSync } from './runs/atomic';
import { LabError } from '../shared/errors';

interface SweepRecord {
  version: 1;
  id: string;
  spec: SweepSpec;
  state: SweepState;
  createdAt: string;
  points: SweepPointRecord[];
}

export class SweepError extends LabError {
  override name = 'SweepError';
}

const SWEEP_ID = /^sweep-[a-z0-9-]{1,60}$/;

export function newSweepId(now = new Date()): string {
  return `sweep-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase()}-${randomBytes(3).toString('hex')}`;
}

/** What the sweep needs of the run pool (the service passes its own). */
export interface SweepRuns {
  start(hp: Hyperparams, name: string, sweepId: string): Promise<RunSummary>;
  resume(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  stop(id: string): Promise<void>;
  delete(id: string): Promise<void>;
  get(id: string): RunSummary | null;
  history(id: string): EpochMetrics[];
  /** Whether another run may start now (the pool's live-run limit). */
  canStart(): boolean;
}

export function pointResult(run: RunSummary, history: readonly EpochMetrics[]): PointResult {
  const last = history[history.length - 1];
  return {
    bestEvalAccuracy: run.bestEvalAccuracy,
    bestEpoch: run.bestEpoch,
    finalTrainCost: last?.trainCost ?? null,
    finalEvalCost: last?.evalCost ?? null,
    seconds: run.secondsTraining,
    evalAccuracy: history.map((m) => m.evalAccuracy ?? null),
    trainCost: history.map((m) => (m.trainCost !== undefined && Number.isFinite(m.trainCost) ? m.trainCost : null)),
  };
}

export class SweepRunner {
  private readonly sweeps = new Map<string, SweepRecord>();
  private pumping = false;
  private again = false;

  constructor(
    private readonly dir: string,
    private readonly runs: SweepRuns,
    private readonly parallel: number,
    private readonly emit: (s: SweepSummary) => void,
  ) {
    // The folder is made with the first sweep: a lab without sweeps has none.
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      if (f.includes('.tmp-')) rmSync(join(dir, f), { force: true });
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SweepRecord;
        rec.spec = validateSweepSpec(rec.spec);
        if (!SWEEP_ID.test(rec.id) || `${rec.id}.json` !== f) throw new Error('its id does not match its file name');
        this.sweeps.set(rec.id, rec);
      } catch (e) {
        console.error(`sweeps: skipping ${f}: ${(e as Error).message}`);
      }
    }
  }

  /** After the app restarts: points that were training resume from their runs' checkpoints, and the queue goes on. */
  async recover(): Promise<void> {
    for (const s of this.sweeps.values()) {
      for (const p of s.points) {
        if (p.state !== 'running' || !p.runId) continue;
        const run = this.runs.get(p.runId);
        if (!run) {
          p.state = 'queued';
          p.runId = null;
        } else this.settle(s, p, run);
      }
      this.save(s);
    }
    for (const s of this.sweeps.values()) {
      if (s.state !== 'running') continue;
      for (const p of s.points) {
        const run = p.state === 'running' && p.runId ? this.runs.get(p.runId) : null;
        if (run && run.state !== 'running' && run.state !== 'paused') {
          try {
            await this.runs.resume(p.runId!);
          } catch (e) {
            console.error(`sweeps: ${s.id} point ${p.index} could not resume: ${(e as Error).message}`);
          }
        }
      }
    }
    void this.pump();
  }

  list(): SweepSummary[] {
    return [...this.sweeps.values()].map((s) => this.summary(s));
  }

  get(id: string): SweepSummary {
    return this.summary(this.record(id));
  }

  private record(id: string): SweepRecord {
    const s = this.sweeps.get(id);
    if (!s) throw new SweepError('sweep.notFound', { id: JSON.stringify(id) });
    return s;
  }

  start(spec: SweepSpec): SweepSummary {
    const points = expandSweep(spec);
    const rec: SweepRecord = {
      version: 1,
      id: newSweepId(),
      spec,
      state: 'running',
      createdAt: new Date().toISOString(),
      points: points.map((p) => ({
        index: p.index,
        values: p.values,
        repeat: p.repeat,
        seed: p.hyperparams.seed,
        runId: null,
        state: 'queued',
        result: null,
        error: null,
      })),
    };
    this.sweeps.set(rec.id, rec);
    this.save(rec);
    void this.pump();
    return this.summary(rec);
  }

  async pause(id: string): Promise<void> {
    const s = this.record(id);
    if (s.state !== 'running') throw new SweepError('sweep.notRunning', { id, state: s.state });
    s.state = 'paused';
    this.save(s);
    for (const p of s.points)
      if (p.state === 'running' && p.runId && this.runs.get(p.runId)?.state === 'running') await this.runs.pause(p.runId).catch(() => {});
  }

  async resume(id: string): Promise<void> {
    const s = this.record(id);
    if (s.state === 'running' || s.state === 'finished') throw new SweepError('sweep.cannotResume', { id, state: s.state });
    s.state = 'running';
    this.save(s);
    for (const p of s.points) {
      if (p.state !== 'running' || !p.runId) continue;
      const run = this.runs.get(p.runId);
      if (run && run.state !== 'running') await this.runs.resume(p.runId).catch((e: Error) => console.error(`sweeps: ${e.message}`));
    }
    void this.pump();
  }

  async stop(id: string): Promise<void> {
    const s = this.record(id);
    if (s.state === 'finished' || s.state === 'stopped') return;
    s.state = 'stopped';
    this.save(s);
    for (const p of s.points) {
      if (p.state === 'running' && p.runId) {
        const run = this.runs.get(p.runId);
        if (run && (run.state === 'running' || run.state === 'paused')) await this.runs.stop(p.runId).catch(() => {});
      }
    }
  }

  /** Deletes the sweep and its points' runs. */
  async delete(id: string): Promise<void> {
    const s = this.record(id);
    await this.stop(id);
    for (const p of s.points) if (p.runId && this.runs.get(p.runId)) await this.runs.delete(p.runId).catch(() => {});
    this.sweeps.delete(id);
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }

  /** Called with every run event: a point's run that ended gives the point its result. */
  onRun(run: RunSummary): void {
    for (const s of this.sweeps.values()) {
      const p = s.points.find((x) => x.runId === run.id);
      if (!p || p.state !== 'running') continue;
      if (this.settle(s, p, run)) {
        this.save(s);
        void this.pump();
      }
    }
  }

  /** Records a point whose run has ended; true if it had. */
  private settle(s: SweepRecord, p: SweepPointRecord, run: RunSummary): boolean {
    const interrupted = run.state === 'failed' && (run.stoppedBecause ?? '').startsWith('interrupted');
    if (run.state === 'finished' || (run.state === 'failed' && !interrupted) || (run.state === 'stopped' && s.state !== 'running')) {
      p.state = run.state === 'finished' ? 'done' : 'failed';
      p.error = run.state === 'finished' ? null : (run.stoppedBecause ?? run.state);
      p.result = pointResult(run, this.runs.history(run.id));
      return true;
    }
    return false;
  }

  /** Starts queued points while the sweep is running and there is room. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        for (const s of this.sweeps.values()) {
          if (s.state !== 'running') continue;
          const active = () => s.points.filter((p) => p.state === 'running').length;
          while (active() < this.parallel && this.runs.canStart()) {
            const p = s.points.find((x) => x.state === 'queued');
            if (!p) break;
            p.state = 'running';
            try {
              const hp = expandSweep(s.spec)[p.index].hyperparams;
              const label = s.spec.axes.map((a, i) => `${a.param} ${formatValue(p.values[i])}`).join(', ');
              const run = await this.runs.start(hp, `${s.spec.name}: ${label}${s.spec.seeds > 1 ? `, seed ${p.seed}` : ''}`, s.id);
              p.runId = run.id;
            } catch (e) {
              p.state = 'failed';
              p.error = (e as Error).message;
            }
            this.save(s);
          }
          if (s.points.every((p) => p.state === 'done' || p.state === 'failed')) {
            s.state = 'finished';
            this.save(s);
          }
        }
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private save(s: SweepRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomicSync(join(this.dir, `${s.id}.json`), JSON.stringify(s));
    this.emit(this.summary(s));
  }

  private summary(s: SweepRecord): SweepSummary {
    const finished = s.points.filter((p) => p.state === 'done' || p.state === 'failed');
    const seconds = finished.reduce((t, p) => t + (p.result?.seconds ?? 0), 0);
    const left = s.points.length - finished.length;
    return {
      id: s.id,
      spec: s.spec,
      state: s.state,
      createdAt: s.createdAt,
      points: s.points.map((p) => ({ ...p })),
      done: finished.length,
      etaSeconds: finished.length > 0 && s.state === 'running' ? ((seconds / finished.length) * left) / this.parallel : null,
    };
  }

  exists(id: string): boolean {
    return this.sweeps.has(id) && existsSync(join(this.dir, `${id}.json`));
  }
}
