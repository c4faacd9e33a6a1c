// The run pool: every run's record, and a worker thread (plus an augmentation worker when the run
// augments) for each run that is training or paused. Commands go to the workers as messages;
// their replies become LabEvents and updates of run.json. A worker that throws, runs out of
// memory, diverges or is killed ends only its own run, with the reason, never the process.
//
// Each run is a small state machine: running ⇄ paused, → stopped | finished | failed, and back to
// running by resume (from its checkpoint). Every command on a run (start, pause, resume, stop,
// setEta, delete) runs alone, after the ones before it on that run have settled, so no
// interleaving of calls from any number of clients can give a run two workers; the live-run limit
// is checked at every transition that takes a worker, counting the workers being started.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-start';
import type { DataSplit } from '../../engine/data';
import type { Hyperparams } from '../../engine/hyperparams';
import type { LabEvent, RunMarker, RunSummary } from '../../shared/api';
import type { FromTrainer, ToTrainer, WorkerRole } from './messages';
import { startAugmentWorker } from './augment-feed';
import { RunStore, failure, newRunRecord, runCsv, summarize, type RunRecord } from './store';
import { LabError, type Reason } from '../../shared/errors';

export interface Datasets {
  train: DataSplit;
  validation: DataSplit;
  test: DataSplit;
}

export interface PoolOptions {
  store: RunStore;
  /** The dataset, loaded once (SharedArrayBuffer-backed) and shared by every worker. */
  data: () => Promise<Datasets>;
  /** The worker script: src/main/runs/worker.ts under tsx, the bundled file in Electron. */
  workerUrl: URL | string;
  /** Heap limit per training worker, in MB. */
  heapLimitMb?: number;
  /** At most this many runs may hold a worker (training or paused) at once. */
  maxLiveRuns?: number;
  progressIntervalMs?: number;
  /** At most one per-epoch summary event per run in this many milliseconds. */
  runEventMs?: number;
  emit: (event: LabEvent) => void;
}

/** A model's weights a new run starts from, and the model's label (recorded in the run). */
export interface StartingWeights {
  params: Float32Array;
  label: string;
}

interface Live {
  worker: Worker;
  augmenter: Worker | null;
  /** Set once the worker said how the run ended; an exit without it is a crash. */
  ended: boolean;
  exited: Promise<void>;
}

export const DEFAULT_HEAP_LIMIT_MB = 2048;
const DEFAULT_PROGRESS_INTERVAL_MS = 100;
const DEFAULT_MAX_LIVE_RUNS = 8;
const DEFAULT_RUN_EVENT_MS = 200;

/** The options with their defaults filled in, where a key given as undefined counts as not given. */
export function poolOptions(opts: PoolOptions): Required<PoolOptions> {
  return {
    ...opts,
    heapLimitMb: opts.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB,
    maxLiveRuns: opts.maxLiveRuns ?? DEFAULT_MAX_LIVE_RUNS,
    progressIntervalMs: opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
    runEventMs: opts.runEventMs ?? DEFAULT_RUN_EVENT_MS,
  };
}


export class RunError extends LabError {
  override name = 'RunError';
}

export class RunPool {
  private readonly records = new Map<string, RunRecord>();
  private readonly live = new Map<string, Live>();
  /** Weights of runs started from a model, until their worker has them (and has checkpointed them). */
  private readonly startingWeights = new Map<string, Float32Array>();
  private readonly opts: Required<PoolOptions>;
  /** The last command queued on each run: the next one waits for it. */
  private readonly queue = new Map<string, Promise<unknown>>();
  /** Workers being started (between the limit check and their entry in `live`). */
  private starting = 0;
  /** Training workers created and not yet exited: what the tests hold to one per live run. */
  private workersRunning = 0;

  constructor(opts: PoolOptions) {
    this.opts = poolOptions(opts);
    for (const rec of opts.store.loadAll((id, message) => console.error(`runs: skipping ${id}: ${message}`))) {
      // A run that was training when the process died has no worker now: it failed, and can go on.
      if (rec.state === 'running') {
        rec.state = 'failed';
        Object.assign(rec, failure({ code: 'run.interrupted', params: {} }));
        this.persist(rec, opts.store);
      }
      this.records.set(rec.id, rec);
    }
    // Runs from before colours were kept get theirs in the order they were made.
    for (const rec of this.records.values()) if (rec.color === null) rec.color = this.nextColor();
  }

  /** The next run's colour: one past the highest in use, so no run's colour ever changes. */
  nextColor(): number {
    let max = -1;
    for (const r of this.records.values()) if (r.color !== null && r.color > max) max = r.color;
    return max + 1;
  }

  private get store(): RunStore {
    return this.opts.store;
  }

  private record(id: string): RunRecord {
    const rec = this.records.get(id);
    if (!rec) throw new RunError('run.notFound', { id: JSON.stringify(id) });
    return rec;
  }

  summary(id: string): RunSummary {
    const rec = this.record(id);
    return summarize(rec, this.resumable(rec));
  }

  private resumable(rec: RunRecord): boolean {
    return (rec.state === 'paused' || rec.state === 'stopped' || rec.state === 'failed') && this.store.hasCheckpoint(rec.id);
  }

  list(): RunSummary[] {
    return [...this.records.values()].map((r) => summarize(r, this.resumable(r)));
  }

  get(id: string): RunRecord {
    return this.record(id);
  }

  csv(id: string): string {
    return runCsv(this.record(id));
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Saves the record and tells listeners at once (state changes). */
  private changed(rec: RunRecord): void {
    this.persist(rec);
    this.emitRun(rec, true);
  }

  /**
   * Writes run.json. A full disk or a vanished folder must not take the process down from inside
   * a worker's message handler: the failure is logged and the run goes on in memory.
   */
  private persist(rec: RunRecord, store = this.store): void {
    try {
      store.save(rec);
    } catch (e) {
      console.error(`runs: ${rec.id}: ${(e as Error).message}`);
    }
  }

  private readonly runEventAt = new Map<string, number>();
  private readonly runEventTimers = new Map<string, NodeJS.Timeout>();

  /**
   * Emits the run's summary. Per-epoch updates (not urgent) are coalesced to one per
   * runEventMs, so a run of tiny epochs does not flood the UI; the epoch events themselves all go out.
   */
  private emitRun(rec: RunRecord, urgent: boolean): void {
    const send = (): void => {
      this.runEventTimers.delete(rec.id);
      if (this.records.get(rec.id) !== rec) return;
      this.runEventAt.set(rec.id, performance.now());
      this.opts.emit({ type: 'run', run: summarize(rec, this.resumable(rec)) });
    };
    const pending = this.runEventTimers.get(rec.id);
    if (urgent) {
      if (pending) clearTimeout(pending);
      send();
      return;
    }
    if (pending) return;
    const wait = this.opts.runEventMs - (performance.now() - (this.runEventAt.get(rec.id) ?? -Infinity));
    if (wait <= 0) send();
    else this.runEventTimers.set(rec.id, setTimeout(send, wait).unref());
  }

  /** Starts a run, from random weights or from `from` (a model's weights, which must fit hyperparams.sizes). */
  start(
    hyperparams: Hyperparams,
    name: string,
    presetId: string | null = null,
    from: StartingWeights | null = null,
    sweepId: string | null = null,
  ): Promise<RunSummary> {
    return this.withSlot('starting', () => this.startNow(hyperparams, name, presetId, from, sweepId));
  }

  /** Whether a run may start now without passing the live-run limit. */
  canStart(): boolean {
    return this.liveCount() < this.opts.maxLiveRuns;
  }

  private async startNow(
    hyperparams: Hyperparams,
    name: string,
    presetId: string | null,
    from: StartingWeights | null,
    sweepId: string | null,
  ): Promise<RunSummary> {
    await this.opts.data(); // a dataset that cannot be read fails the call, before any run exists
    const rec = newRunRecord({ name, presetId, startedFrom: from?.label ?? null, sweepId, color: this.nextColor(), hyperparams });
    try {
      this.store.save(rec); // a runs folder that cannot be written fails the call, before any run exists
    } catch (e) {
      this.store.delete(rec.id); // and leaves no empty run folder behind
      throw e;
    }
    this.records.set(rec.id, rec);
    this.emitRun(rec, true);
    // The worker checkpoints these weights as epoch 0 before it trains, so a resume keeps them.
    if (from) this.startingWeights.set(rec.id, from.params);
    await this.exclusive(rec.id, () => this.spawn(rec, false));
    return this.summary(rec.id);
  }

  /** Starts the run's worker; if that fails, the run is marked failed with the reason and the error rethrown. */
  private async spawn(rec: RunRecord, resume: boolean): Promise<void> {
    try {
      await this.spawnWorker(rec, resume);
    } catch (e) {
      this.failed(rec, `could not start its worker: ${(e as Error).message}`, this.live.get(rec.id));
      throw e;
    }
  }

  private async spawnWorker(rec: RunRecord, resume: boolean): Promise<void> {
    const data = await this.opts.data();
    const hp = rec.hyperparams;
    const evalData = hp.evalSet === 'none' ? null : data[hp.evalSet];
    const worker = startWorker(this.opts.workerUrl, {
      workerData: { role: 'train' } satisfies WorkerRole,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapLimitMb },
      name: `run ${rec.id}`,
    });
    this.workersRunning++;
    worker.once('exit', () => this.workersRunning--);
    let augmenter: Worker | null = null;
    let augmentPort = null;
    if (hp.augment) {
      try {
        const started = startAugmentWorker(this.opts.workerUrl, `augment ${rec.id}`);
        augmenter = started.worker;
        augmentPort = started.port;
      } catch (e) {
        void worker.terminate();
        throw e;
      }
      augmenter.on('error', (e) => this.failed(rec, { code: 'run.augmenterFailed', params: { detail: describeWorkerError(e) } }, live));
      // The training worker would wait for images forever: an augmenter gone early ends the run.
      augmenter.on('exit', (code) => this.failed(rec, { code: 'run.augmenterExited', params: { code } }, live));
    }
    const live: Live = {
      worker,
      augmenter,
      ended: false,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
    };
    this.live.set(rec.id, live);
    worker.on('message', (msg: FromTrainer) => {
      try {
        this.onMessage(rec, live, msg);
      } catch (e) {
        // Never let one run's bookkeeping throw out of an event handler (it would end the process).
        this.failed(rec, `internal error handling its ${msg?.type} message: ${(e as Error).message}`, live);
      }
    });
    worker.on('error', (e) => this.failed(rec, describeWorkerError(e), live));
    worker.on('exit', (code) => {
      this.failed(rec, { code: 'run.workerExited', params: { code } }, live);
      void augmenter?.terminate();
      if (this.live.get(rec.id) === live) this.live.delete(rec.id);
    });
    const start: ToTrainer = {
      type: 'start',
      runId: rec.id,
      hyperparams: hp,
      train: data.train,
      evalData,
      checkpointPath: this.store.checkpointPath(rec.id),
      resumeFrom: resume,
      initialParams: resume ? null : (this.startingWeights.get(rec.id) ?? null),
      eta: rec.currentEta,
      augmentPort,
      progressIntervalMs: this.opts.progressIntervalMs,
    };
    worker.postMessage(start, augmentPort ? [augmentPort] : []);
  }

  private onMessage(rec: RunRecord, live: Live, msg: FromTrainer): void {
    if (live.ended) return;
    switch (msg.type) {
      case 'started':
        this.startingWeights.delete(rec.id);
        // The checkpoint is the authority on what was done (run.json may lag it by one write).
        rec.history = msg.history.map((m) => ({ ...m }));
        // Markers of epochs to be trained again go, and so does the failure being recovered from.
        rec.markers = rec.markers.filter((m) => m.epoch <= msg.epoch && m.kind !== 'failed');
        rec.secondsTraining = rec.history.reduce((s, m) => s + m.seconds, 0);
        rec.currentEta = msg.eta;
        this.changed(rec);
        break;
      case 'progress':
        this.opts.emit({
          type: 'progress',
          progress: {
            runId: rec.id,
            epoch: msg.epoch,
            examplesDone: msg.examplesDone,
            examplesTotal: msg.examplesTotal,
            examplesPerSecond: msg.examplesPerSecond,
            batchCost: msg.batchCost,
            etaSeconds: msg.etaSeconds,
          },
        });
        break;
      case 'epoch':
        rec.history.push(msg.metrics);
        rec.markers.push(...msg.markers.filter((m) => m.kind !== 'failed'));
        rec.currentEta = msg.eta;
        rec.bestEpoch = msg.bestEpoch;
        rec.bestEvalAccuracy = msg.bestEvalAccuracy;
        rec.secondsTraining += msg.metrics.seconds;
        rec.secondsWall += msg.wallSeconds;
        rec.examplesPerSecond = msg.examplesPerSecond;
        this.persist(rec);
        this.opts.emit({ type: 'epoch', runId: rec.id, metrics: msg.metrics, markers: msg.markers });
        this.emitRun(rec, false);
        break;
      case 'eta-set':
        rec.currentEta = msg.eta;
        this.changed(rec);
        break;
      case 'done':
        live.ended = true;
        rec.state = msg.state;
        rec.stoppedBecause = msg.stoppedBecause;
        this.changed(rec);
        this.retire(live);
        break;
      case 'failed':
        this.failed(rec, msg.why ?? msg.reason, live);
        break;
    }
  }

  /**
   * Ends a run as failed with `reason`, keeping its last checkpoint for a resume. With `live`, only
   * if that worker had not ended yet (each worker ends its run once); without, the worker never started.
   */
  private failed(rec: RunRecord, why: string | Reason, live?: Live): void {
    if (live) {
      if (live.ended) return;
      live.ended = true;
      this.retire(live);
    }
    if (!this.records.has(rec.id)) return;
    rec.state = 'failed';
    const ended = typeof why === 'string' ? { stoppedBecause: why, stoppedWhy: null } : failure(why);
    Object.assign(rec, ended);
    const epoch = rec.history.length;
    const reason = ended.stoppedBecause ?? '';
    const marker: RunMarker = ended.stoppedWhy ? { kind: 'failed', epoch, reason, why: ended.stoppedWhy } : { kind: 'failed', epoch, reason };
    if (!rec.markers.some((m) => m.kind === 'failed' && m.epoch === epoch)) rec.markers.push(marker);
    this.changed(rec);
  }

  private retire(live: Live): void {
    void live.worker.terminate();
    void live.augmenter?.terminate();
  }

  /** Runs `f` on run `id` after every command queued on it before has settled. */
  private exclusive<T>(id: string, f: () => T | Promise<T>): Promise<T> {
    const before = this.queue.get(id) ?? Promise.resolve();
    const mine = before.then(f, f);
    const tail = mine.then(
      () => {},
      () => {},
    );
    this.queue.set(id, tail);
    void tail.then(() => {
      if (this.queue.get(id) === tail) this.queue.delete(id);
    });
    return mine;
  }

  /** Workers held or being started: what the live-run limit counts. */
  private liveCount(): number {
    return this.live.size + this.starting;
  }

  /** Takes a worker slot for `f` (which starts a worker), or refuses in one line when none is free. */
  private async withSlot<T>(what: 'starting' | 'resuming', f: () => Promise<T>): Promise<T> {
    const max = this.opts.maxLiveRuns;
    if (this.liveCount() >= max) throw new RunError(what === 'starting' ? 'run.tooMany' : 'run.tooManyResume', { max });
    this.starting++;
    try {
      return await f();
    } finally {
      this.starting--;
    }
  }

  /** Saves a record the user's command changed: a failure to write is that command's error, in one line. */
  private commit(rec: RunRecord): void {
    this.store.save(rec);
    this.emitRun(rec, true);
  }

  pause(id: string): Promise<void> {
    return this.exclusive(id, () => {
      const rec = this.record(id);
      const live = this.live.get(id);
      if (rec.state !== 'running' || !live || live.ended) throw new RunError('run.notRunning', { id, state: rec.state });
      live.worker.postMessage({ type: 'pause' } satisfies ToTrainer);
      rec.state = 'paused';
      this.changed(rec);
    });
  }

  /** Resumes a paused run, or restarts a stopped or failed one from its last checkpoint. */
  resume(id: string): Promise<void> {
    return this.exclusive(id, () => this.resumeNow(id));
  }

  private async resumeNow(id: string): Promise<void> {
    const rec = this.record(id);
    const live = this.live.get(id);
    if (live && !live.ended) {
      if (rec.state !== 'paused') throw new RunError('run.notPaused', { id, state: rec.state });
      live.worker.postMessage({ type: 'resume' } satisfies ToTrainer);
      rec.state = 'running';
      this.changed(rec);
      return;
    }
    if (rec.state === 'finished') throw new RunError('run.finished', { id });
    if (rec.state === 'running') throw new RunError('run.alreadyRunning', { id });
    // The worker of a run that just ended may still be exiting: it holds its threads until it has.
    if (live) await live.exited;
    await this.withSlot('resuming', () => this.restart(rec));
  }

  private async restart(rec: RunRecord): Promise<void> {
    const id = rec.id;
    const fromCheckpoint = this.store.hasCheckpoint(id);
    if (!fromCheckpoint) {
      // Nothing was saved yet: start over; with the same seed this is the same run.
      rec.history = [];
      rec.markers = [];
      rec.bestEpoch = null;
      rec.bestEvalAccuracy = null;
      rec.secondsTraining = 0;
    }
    const before = { state: rec.state, stoppedBecause: rec.stoppedBecause, stoppedWhy: rec.stoppedWhy };
    Object.assign(rec, { state: 'running', stoppedBecause: null, stoppedWhy: null });
    try {
      this.commit(rec);
    } catch (e) {
      Object.assign(rec, before);
      throw e;
    }
    await this.spawn(rec, fromCheckpoint);
  }

  stop(id: string): Promise<void> {
    return this.exclusive(id, async () => {
      const rec = this.record(id);
      const live = this.live.get(id);
      if (live && !live.ended) {
        live.worker.postMessage({ type: 'stop' } satisfies ToTrainer);
        // The worker finishes its chunk, says 'done' and exits: the next command sees it gone.
        await live.exited;
        return;
      }
      if (rec.state !== 'paused') throw new RunError('run.notLive', { id, state: rec.state });
      rec.state = 'stopped';
      rec.stoppedBecause = 'stopped';
      this.changed(rec);
    });
  }

  /** Renames a run and sets its note (null leaves either as it is); its book reference stays. */
  describe(id: string, name: string | null, note: string | null): Promise<void> {
    return this.exclusive(id, () => {
      const rec = this.record(id);
      const before = { name: rec.name, note: rec.note };
      if (name !== null) rec.name = name;
      if (note !== null) rec.note = note || null;
      try {
        this.commit(rec);
      } catch (e) {
        Object.assign(rec, before);
        throw e;
      }
    });
  }

  setEta(id: string, eta: number): Promise<void> {
    return this.exclusive(id, () => {
      const rec = this.record(id);
      if (rec.state === 'finished') throw new RunError('run.etaFinished', { id });
      // Written first: the call answers OK only once run.json holds the new rate.
      const before = rec.currentEta;
      rec.currentEta = eta;
      try {
        this.commit(rec);
      } catch (e) {
        rec.currentEta = before;
        throw e;
      }
      const live = this.live.get(id);
      // Not training now: the new rate applies when the run is resumed.
      if (live && !live.ended) live.worker.postMessage({ type: 'set-eta', eta } satisfies ToTrainer);
    });
  }

  delete(id: string): Promise<void> {
    return this.exclusive(id, async () => {
      const rec = this.record(id);
      const live = this.live.get(id);
      this.records.delete(id);
      if (live) {
        live.ended = true;
        this.retire(live);
        await live.exited;
      }
      this.store.delete(rec.id);
      this.opts.emit({ type: 'run-deleted', runId: id });
    });
  }

  /** Ends the run's worker abruptly, as a crash would (for tests and fault drills). */
  async killWorker(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) throw new Error(`run ${id} has no worker`);
    await live.worker.terminate();
    await live.exited;
  }

  /** Training workers that exist now (created and not yet exited). */
  trainingWorkers(): number {
    return this.workersRunning;
  }

  /** Waits until a run's worker has exited (or returns at once when it has none). */
  async settled(id: string): Promise<void> {
    await this.live.get(id)?.exited;
  }

  /** Shuts every worker down; their runs are left failed-but-resumable from their last checkpoint. */
  async close(): Promise<void> {
    const all = [...this.live.entries()];
    for (const [id, live] of all) {
      const rec = this.records.get(id);
      live.ended = true;
      this.retire(live);
      if (rec && (rec.state === 'running' || rec.state === 'paused')) {
        if (rec.state === 'running') {
          rec.state = 'failed';
          Object.assign(rec, failure({ code: 'run.closed', params: {} }));
        }
        this.persist(rec);
      }
    }
    await Promise.all(all.map(([, l]) => l.exited));
  }
}

function describeWorkerError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'ran out of memory (the worker hit its heap limit)';
  return err instanceof Error ? err.message : String(e);
}
