// Sweeps on many machines: the points go to BullMQ on Redis, and any number of `npm run worker`
// processes, on any machines that reach the Redis server, train them. Redis carries everything:
// the point (its hyperparameters), the progress (each epoch's metrics) and the checkpoint, which a
// worker writes to Redis after every epoch, so a worker that dies mid-point loses only its current
// epoch: BullMQ sees the point's lock expire and hands it to another worker, which resumes from
// that checkpoint. Checkpoints travel through Redis rather than a shared folder because the
// machines share nothing else; a point's checkpoint is a few hundred kilobytes to a few megabytes
// (it is removed when the collector has copied it into the run's folder).
import { hostname } from 'node:os';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import type { DataSplit } from '../engine/data';
import { getBackend } from '../engine/backend';
import type { Hyperparams } from '../engine/hyperparams';
import type { EpochMetrics } from '../engine/metrics';
import { Trainer, type TrainerCheckpoint } from '../engine/trainer';
import type { RunSummary } from '../shared/api';
import { decodeCheckpoint, encodeCheckpoint, writeCheckpoint } from './runs/checkpoint';
import { trainEpochs } from './runs/epoch-loop';
import { RunStore, newRunRecord, summarize, type RunRecord } from './runs/store';
import type { SweepRuns } from './sweeps';

/** The one queue of sweep points. */
export const POINT_QUEUE = 'nnlab-points';

export interface PointJob {
  sweepId: string;
  runId: string;
  name: string;
  hyperparams: Hyperparams;
}

export interface PointOutcome {
  history: EpochMetrics[];
  bestEpoch: number | null;
  bestEvalAccuracy: number | null;
  stoppedBecause: string;
  /** The epoch the point was resumed from after another worker died, or null. */
  resumedFrom: number | null;
  worker: string;
}

const checkpointKey = (runId: string) => `nnlab:checkpoint:${runId}`;

/** A Redis connection as BullMQ's workers need it (no per-request retry limit). */
export function redisConnection(url: string): IORedis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--redis must be a URL like redis://host:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`--redis must be a redis:// URL, got ${JSON.stringify(url)}`);
  return new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Trains one point, resuming from its checkpoint in Redis if a worker died on it before. */
export async function trainPoint(
  job: Job<PointJob>,
  redis: IORedis,
  data: { train: DataSplit; validation: DataSplit; test: DataSplit },
  log: (line: string) => void,
): Promise<PointOutcome> {
  const key = checkpointKey(job.data.runId);
  const saved = await redis.getBuffer(key);
  const checkpoint = saved ? (decodeCheckpoint(saved, key) as TrainerCheckpoint) : undefined;
  const hp = job.data.hyperparams;
  const trainer = new Trainer(hp, data.train, hp.evalSet === 'none' ? null : data[hp.evalSet], { checkpoint, backend: getBackend() });
  log(`${job.data.runId}: ${checkpoint ? `resuming at epoch ${checkpoint.epoch + 1}` : 'starting'} (${job.data.name})`);
  await trainEpochs(trainer, {
    // Between chunks of mini-batches: let BullMQ renew the point's lock (its timers need the event loop).
    between: () => new Promise<boolean>((resolve) => setImmediate(() => resolve(true))),
    onEpoch: async (metrics) => {
      await redis.set(key, Buffer.concat(encodeCheckpoint(trainer.checkpoint())));
      await job.updateProgress({ epoch: metrics.epoch, metrics });
      log(`${job.data.runId}: epoch ${metrics.epoch} done`);
    },
  });
  return {
    history: trainer.history,
    bestEpoch: trainer.bestEpoch,
    bestEvalAccuracy: trainer.bestEvalAccuracy,
    stoppedBecause: trainer.stoppedBecause ?? 'epochs',
    resumedFrom: checkpoint ? checkpoint.epoch : null,
    worker: `${hostname()}:${process.pid}`,
  };
}

export interface WorkerOptions {
  concurrency?: number;
  /** How long a point's lock lasts without renewal: a dead worker's point moves on after this. */
  lockSeconds?: number;
  log?: (line: string) => void;
}

/** `npm run worker`: trains sweep points from Redis until closed. */
export async function startPointWorker(
  url: string,
  data: { train: DataSplit; validation: DataSplit; test: DataSplit },
  opts: WorkerOptions = {},
): Promise<{ close(): Promise<void> }> {
  const log = opts.log ?? (() => {});
  const redis = redisConnection(url);
  const lockMs = Math.round((opts.lockSeconds ?? 30) * 1000);
  const worker = new Worker<PointJob, PointOutcome>(POINT_QUEUE, (job) => trainPoint(job, redis, data, log), {
    connection: redis,
    concurrency: opts.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: Math.max(250, Math.round(lockMs / 2)),
    // A point whose workers keep dying is retried this often before it is given up.
    maxStalledCount: 10,
  });
  worker.on('failed', (job, e) => log(`${job?.data.runId ?? '?'}: failed: ${e.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}

/**
 * The sweep runner's runs, trained by remote workers: a point becomes a job; its run record is
 * written to this machine's runs folder as it progresses and when it ends, with the final
 * checkpoint copied from Redis, so the app shows these runs as its own.
 */
export class RemoteRuns implements SweepRuns {
  private readonly records = new Map<string, RunRecord>();
  private queue: Queue<PointJob, PointOutcome> | null = null;
  private events: QueueEvents | null = null;
  private redis: IORedis | null = null;
  private eventsRedis: IORedis | null = null;
  onRun: (run: RunSummary) => void = () => {};

  constructor(
    private readonly url: string,
    private readonly store: RunStore,
  ) {}

  async open(): Promise<void> {
    this.redis = redisConnection(this.url);
    this.queue = new Queue(POINT_QUEUE, { connection: this.redis });
    this.eventsRedis = redisConnection(this.url);
    this.events = new QueueEvents(POINT_QUEUE, { connection: this.eventsRedis });
    await this.events.waitUntilReady();
    this.events.on('progress', ({ jobId, data }) => {
      const rec = this.records.get(jobId);
      const m = (data as { metrics?: EpochMetrics }).metrics;
      if (!rec || !m) return;
      rec.history = [...rec.history.filter((h) => h.epoch < m.epoch), m];
      rec.secondsTraining = rec.history.reduce((s, h) => s + h.seconds, 0);
      this.store.save(rec);
    });
    this.events.on('completed', ({ jobId, returnvalue }) => void this.completed(jobId, returnvalue as unknown as PointOutcome | string));
    this.events.on('failed', ({ jobId, failedReason }) => this.ended(jobId, 'failed', failedReason));
  }

  private async completed(jobId: string, value: PointOutcome | string): Promise<void> {
    const rec = this.records.get(jobId);
    if (!rec) return;
    const out = typeof value === 'string' ? (JSON.parse(value) as PointOutcome) : value;
    rec.history = out.history;
    rec.bestEpoch = out.bestEpoch;
    rec.bestEvalAccuracy = out.bestEvalAccuracy;
    rec.secondsTraining = out.history.reduce((s, h) => s + h.seconds, 0);
    rec.secondsWall = rec.secondsTraining;
    // The weights: the final checkpoint, from Redis into the run's folder (then out of Redis).
    const bytes = await this.redis!.getBuffer(checkpointKey(jobId));
    if (bytes) {
      writeCheckpoint(this.store.checkpointPath(jobId), decodeCheckpoint(bytes, checkpointKey(jobId)));
      await this.redis!.del(checkpointKey(jobId));
    }
    this.ended(jobId, out.stoppedBecause === 'diverged' ? 'failed' : 'finished', out.stoppedBecause, out);
  }

  private ended(jobId: string, state: 'finished' | 'failed', why: string, outcome?: PointOutcome): void {
    const rec = this.records.get(jobId);
    if (!rec || rec.state === 'finished' || rec.state === 'failed') return;
    rec.state = state;
    rec.stoppedBecause = why;
    this.store.save(rec);
    this.outcomes.set(jobId, outcome ?? null);
    this.onRun(summarize(rec, false));
  }

  /** What each finished point's worker said (which worker, whether it resumed another's checkpoint). */
  readonly outcomes = new Map<string, PointOutcome | null>();

  async start(hp: Hyperparams, name: string, sweepId: string): Promise<RunSummary> {
    const rec = newRunRecord({ name, presetId: null, startedFrom: null, sweepId, color: this.records.size, hyperparams: hp });
    this.store.save(rec);
    this.records.set(rec.id, rec);
    // The run id is the job id: one job per point, never two.
    await this.queue!.add('point', { sweepId, runId: rec.id, name, hyperparams: hp }, { jobId: rec.id, removeOnComplete: true, removeOnFail: true });
    return summarize(rec, false);
  }

  async resume(): Promise<void> {
    throw new Error('a point trained through Redis resumes by itself on another worker');
  }
  async pause(): Promise<void> {
    throw new Error('points trained through Redis cannot be paused');
  }
  async stop(id: string): Promise<void> {
    await this.queue!.remove(id).catch(() => 0);
  }
  async delete(id: string): Promise<void> {
    this.store.delete(id);
    this.records.delete(id);
  }
  get(id: string): RunSummary | null {
    const rec = this.records.get(id);
    return rec ? summarize(rec, false) : null;
  }
  history(id: string): EpochMetrics[] {
    return this.records.get(id)?.history ?? [];
  }
  canStart(): boolean {
    return true;
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue?.close();
    this.redis?.disconnect();
    this.eventsRedis?.disconnect();
  }
}
