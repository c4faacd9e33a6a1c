// The lab's back end behind the LabApi contract: the same object serves Electron's IPC, the
// browser-mode WebSocket server and the CLI. Its arguments are typed and already checked: IPC and
// the WebSocket pass untrusted calls through src/shared/validate first, the CLI builds typed values.
import { join } from 'node:path';
import type { Hyperparams } from '../engine/hyperparams';
import type { LoadedModel } from '../engine/model-json';
import { trainNeuron } from '../engine/neuron';
import type { EpochMetrics, LabApi, LabEvent, ModelInfo, RunId } from '../shared/api';
import { loadMnist } from './datasets';
import { ModelRegistry } from './models';
import { resourcesDir } from './paths';
import { RunPool, type Datasets } from './runs/pool';
import { RunStore } from './runs/store';
import { augmentPreview } from './augment-files';
import { decodeImageBuffer } from './images';
import { SweepRunner } from './sweeps';
import { availableParallelism } from 'node:os';
import { darknessCorrect } from '../engine/baselines';
import { defaultWorkerUrl, startWorker } from './worker-start';
import type { Worker } from 'node:worker_threads';
import type { FromSvm, WorkerRole } from './runs/messages';
import type { SvmResult } from '../shared/api';
import { LabError, type ErrorCode, type ErrorParams } from '../shared/errors';

export interface LabServiceOptions {
  /** The runs folder (Electron's userData/runs, or --runs-dir). */
  runsDir: string;
  /** The bundled resources folder (mnist/, models/); defaults to the repository's or the app's. */
  resources?: string;
  /** The run worker script: defaults to src/main/runs/worker.ts (under tsx); Electron passes its bundled file. */
  workerUrl?: URL | string;
  /** Heap limit of each training worker in MB. */
  heapLimitMb?: number;
  /** At most this many runs may hold a worker (training or paused) at once. */
  maxLiveRuns?: number;
  /** At most one per-epoch run summary event per run in this many milliseconds (default 200). */
  runEventMs?: number;
  /** Points of a sweep trained at once (default: the machine's cores). */
  sweepParallel?: number;
}

export interface LabService extends LabApi {
  /** Stops every worker; runs that were training stay resumable from their last checkpoint. */
  close(): Promise<void>;
  /** Kills a run's worker as a crash would (fault drills and tests). */
  killWorker(id: RunId): Promise<void>;
  /** Resolves when the run's worker has exited (at once if it has none). */
  settled(id: RunId): Promise<void>;
  /** Training worker threads that exist now (diagnostics and tests: one per live run). */
  trainingWorkers(): number;
  /** Loads a model whose file was parsed elsewhere (browser mode parses large messages off its thread). */
  loadParsedModel(model: LoadedModel, name: string): Promise<ModelInfo>;
}

export class ApiError extends LabError {
  override name = 'ApiError';
}

function fail(code: ErrorCode, params: ErrorParams = {}): never {
  throw new ApiError(code, params);
}

export function defaultRunName(hp: Hyperparams): string {
  const parts = [hp.sizes.join('-'), hp.cost, `η ${hp.eta}`];
  if (hp.lambda) parts.push(`λ ${hp.lambda}`);
  if (hp.activation !== 'sigmoid') parts.push(hp.activation);
  if (hp.dropout) parts.push(`dropout ${hp.dropout}`);
  if (hp.augment) parts.push('augmented');
  if (hp.digits) parts.push(`digits ${hp.digits.join(',')}`);
  return parts.join(', ');
}

export function createLabService(opts: LabServiceOptions): LabService {
  const resources = opts.resources ?? resourcesDir();
  const listeners = new Set<(event: LabEvent) => void>();
  // Made once the pool exists; the pool's events reach it through emit.
  let sweeps: SweepRunner | null = null;
  const emit = (event: LabEvent): void => {
    // A point's run that ended gives its sweep the result and room for the next point.
    if (event.type === 'run') sweeps?.onRun(event.run);
    for (const l of listeners) {
      try {
        l(event);
      } catch (e) {
        console.error(`lab event listener failed: ${(e as Error).message}`);
      }
    }
  };
  const data = (): Promise<Datasets> => loadMnist(join(resources, 'mnist'));
  const workerUrl = opts.workerUrl ?? defaultWorkerUrl();
  let svmRunning = false;
  let svmWorker: Worker | null = null;
  const store = new RunStore(opts.runsDir);
  const pool = new RunPool({
    store,
    data,
    workerUrl,
    heapLimitMb: opts.heapLimitMb,
    maxLiveRuns: opts.maxLiveRuns,
    runEventMs: opts.runEventMs,
    emit,
  });
  sweeps = new SweepRunner(
    join(opts.runsDir, 'sweeps'),
    {
      start: (hp, name, sweepId) => pool.start(hp, name, null, null, sweepId),
      resume: (id) => pool.resume(id),
      pause: (id) => pool.pause(id),
      stop: (id) => pool.stop(id),
      delete: async (id) => {
        await pool.delete(id);
        models.forgetRun(id);
      },
      get: (id) => {
        try {
          return pool.summary(id);
        } catch {
          return null;
        }
      },
      history: (id) => pool.get(id).history,
      canStart: () => pool.canStart(),
    },
    Math.max(1, opts.sweepParallel ?? availableParallelism()),
    (sweep) => emit({ type: 'sweep', sweep }),
  );
  const sweepsReady = sweeps.recover();
  const models = new ModelRegistry({
    resources,
    store,
    runName: (id) => {
      try {
        return pool.get(id).name;
      } catch {
        return null;
      }
    },
    runsWithWeights: () =>
      pool
        .list()
        .filter((r) => store.hasCheckpoint(r.id))
        .map((r) => r.id),
    data,
  });
  const service: LabService = {
    async listRuns() {
      return pool.list();
    },
    async startRun(hp, name, presetId, from) {
      let start = null;
      if (from) {
        const w = models.startingWeights(from);
        if (w.sizes.join(',') !== hp.sizes.join(',')) fail('model.cannotStartFrom', { label: w.label, sizes: w.sizes.join('-'), want: hp.sizes.join('-') });
        start = { params: w.params, label: w.label };
      }
      return pool.start(hp, name || defaultRunName(hp), presetId ?? null, start);
    },
    async pauseRun(id) {
      await pool.pause(id);
    },
    async resumeRun(id) {
      await pool.resume(id);
    },
    async stopRun(id) {
      await pool.stop(id);
    },
    async describeRun(id, name, note) {
      await pool.describe(id, name, note);
    },
    async setEta(id, value) {
      await pool.setEta(id, value);
    },
    async deleteRun(id) {
      await pool.delete(id);
      models.forgetRun(id);
    },
    async runHistory(id): Promise<EpochMetrics[]> {
      return pool.get(id).history.map((m) => ({ ...m }));
    },
    async runCsv(id) {
      return pool.csv(id);
    },
    async listModels() {
      return models.list();
    },
    async decodeImage(data, name) {
      return decodeImageBuffer(Buffer.from(data, 'base64'), name);
    },
    async predict(model, image) {
      return models.predict(model, image);
    },
    async modelJson(model) {
      return models.json(model);
    },
    async loadModelJson(json, name) {
      return models.loadJson(json, name);
    },
    async confusion(model, which) {
      return models.confusion(model, which);
    },
    async gallery(model, which, actual, predicted, limit) {
      return models.gallery(model, which, actual, predicted, limit);
    },
    async receptiveFields(model, limit) {
      return models.receptiveFields(model, limit);
    },
    async neuron(setup) {
      return trainNeuron(setup);
    },
    async backprop(request) {
      return models.backprop(request);
    },
    async listSweeps() {
      await sweepsReady;
      return sweeps!.list();
    },
    async startSweep(spec) {
      await sweepsReady;
      return sweeps!.start(spec);
    },
    async pauseSweep(id) {
      await sweeps!.pause(id);
    },
    async resumeSweep(id) {
      await sweeps!.resume(id);
    },
    async stopSweep(id) {
      await sweeps!.stop(id);
    },
    async deleteSweep(id) {
      await sweeps!.delete(id);
      emit({ type: 'sweep-deleted', sweepId: id });
    },
    async baseline(request) {
      const d = await data();
      if (request.method === 'darkness') {
        const t0 = performance.now();
        const correct = darknessCorrect(d.train, d.test);
        return { method: 'darkness', correct, testSize: d.test.count, accuracy: correct / d.test.count, seconds: (performance.now() - t0) / 1000 };
      }
      if (svmRunning) fail('run.svmBusy');
      svmRunning = true;
      try {
        const job = { role: 'svm' as const, train: d.train, test: d.test, trainSize: request.trainSize, testSize: request.testSize };
        return await svmInWorker(workerUrl, job, (w) => (svmWorker = w));
      } finally {
        svmRunning = false;
        svmWorker = null;
      }
    },
    async augmentPreview(augment, index, count, seed) {
      const d = await data();
      let k = index;
      let split = d.train;
      for (const next of [d.validation, d.test]) {
        if (k < split.count) break;
        k -= split.count;
        split = next;
      }
      if (k >= split.count) fail('run.pastLast', { index });
      const p = await augmentPreview(split.images.subarray(k * 784, (k + 1) * 784), augment, count, seed);
      return { png: p.png.toString('base64'), tiles: p.tiles };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      await svmWorker?.terminate();
      await pool.close();
      listeners.clear();
    },
    async killWorker(id) {
      await pool.killWorker(id);
    },
    async settled(id) {
      await pool.settled(id);
    },
    trainingWorkers() {
      return pool.trainingWorkers();
    },
    async loadParsedModel(model, name) {
      return models.loadParsed(model, name);
    },
  };
  return service;
}

/** Runs the SVM baseline in a worker thread of the run worker script (libsvm blocks while it trains). */
function svmInWorker(url: URL | string, job: Extract<WorkerRole, { role: 'svm' }>, started: (w: Worker) => void): Promise<SvmResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(url, { workerData: job, name: 'svm baseline' });
    started(worker);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (msg: FromSvm) => {
      if (msg.type === 'done') finish(() => resolve(msg.result));
      else if (msg.type === 'failed') finish(() => reject(new ApiError('run.svmFailed', { detail: msg.reason })));
    });
    worker.on('error', (e) => finish(() => reject(new ApiError('run.svmFailed', { detail: e.message }))));
    worker.on('exit', (code) => finish(() => reject(new ApiError('run.svmExited', { code }))));
  });
}
