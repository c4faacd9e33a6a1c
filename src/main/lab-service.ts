// The lab's back end behind the LabApi contract: the same object serves Electron's IPC, the
// browser-mode WebSocket server and the CLI. Every payload is validated here, at the boundary,
// with a one-line error, because the WebSocket server hands over untrusted data as it came.
import { join } from 'node:path';
import { validateHyperparams, type Augmentation, type Hyperparams } from '../engine/hyperparams';
import type { EpochMetrics, GrayImage, LabApi, LabEvent, ModelRef, RunId } from '../shared/api';
import { loadMnist } from './datasets';
import { ModelRegistry } from './models';
import { resourcesDir } from './paths';
import { RunPool, type Datasets } from './runs/pool';
import { RUN_ID_PATTERN, RunStore } from './runs/store';
import { augmentPreviewPng } from './augment-files';

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
}

export interface LabService extends LabApi {
  /** Stops every worker; runs that were training stay resumable from their last checkpoint. */
  close(): Promise<void>;
  /** Kills a run's worker as a crash would (fault drills and tests). */
  killWorker(id: RunId): Promise<void>;
  /** Resolves when the run's worker has exited (at once if it has none). */
  settled(id: RunId): Promise<void>;
}

export class ApiError extends Error {
  override name = 'ApiError';
}

function fail(msg: string): never {
  throw new ApiError(msg);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function runId(v: unknown): RunId {
  if (typeof v !== 'string' || !RUN_ID_PATTERN.test(v)) fail(`run id must be a string like "run-20260101-120000-ab12cd", got ${describe(v)}`);
  return v;
}

export const ETA_MAX = 1e6;

function eta(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > ETA_MAX) fail(`eta must be a number in (0, ${ETA_MAX}], got ${describe(v)}`);
  return v;
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${what} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  return v;
}

function text(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string') fail(`${what} must be a string, got ${describe(v)}`);
  if (v.length > maxLength) fail(`${what} is ${v.length} characters, more than the limit of ${maxLength}`);
  return v;
}

function runName(v: unknown, hp: Hyperparams): string {
  if (v === undefined || v === null || v === '') return defaultRunName(hp);
  // eslint-disable-next-line no-control-regex
  const s = text(v, 'run name', 200).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return s || defaultRunName(hp);
}

export function defaultRunName(hp: Hyperparams): string {
  const parts = [hp.sizes.join('-'), hp.cost, `η ${hp.eta}`];
  if (hp.lambda) parts.push(`λ ${hp.lambda}`);
  if (hp.activation !== 'sigmoid') parts.push(hp.activation);
  if (hp.dropout) parts.push(`dropout ${hp.dropout}`);
  if (hp.augment) parts.push('augmented');
  return parts.join(', ');
}

function dataName(v: unknown): 'validation' | 'test' {
  if (v !== 'validation' && v !== 'test') fail(`data must be "validation" or "test", got ${describe(v)}`);
  return v;
}

function modelRef(v: unknown): ModelRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`model must be an object like {"kind": "default"}, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  if (o.kind === 'default') return { kind: 'default' };
  if (o.kind === 'run') {
    if (o.which !== 'current' && o.which !== 'best') fail(`model.which must be "current" or "best", got ${describe(o.which)}`);
    return { kind: 'run', runId: runId(o.runId), which: o.which };
  }
  if (o.kind === 'loaded') {
    if (typeof o.id !== 'string' || !/^m\d{1,9}$/.test(o.id)) fail(`model.id must be a loaded model's id like "m1", got ${describe(o.id)}`);
    return { kind: 'loaded', id: o.id };
  }
  fail(`model.kind must be "default", "run" or "loaded", got ${describe(o.kind)}`);
}

export const MAX_IMAGE_SIDE = 4096;

/** A drawing or decoded image: integer size within limits, one finite 0..255 value per pixel. */
export function grayImage(v: unknown): GrayImage {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`image must be an object {width, height, pixels}, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  const width = int(o.width, 'image.width', 1, MAX_IMAGE_SIDE);
  const height = int(o.height, 'image.height', 1, MAX_IMAGE_SIDE);
  const p = o.pixels;
  const isTyped = p instanceof Uint8Array || p instanceof Uint8ClampedArray;
  if (!Array.isArray(p) && !isTyped) fail(`image.pixels must be a list of numbers, got ${describe(p)}`);
  const pixels = p as ArrayLike<unknown>;
  if (pixels.length !== width * height) fail(`image.pixels has ${pixels.length} values, expected width × height = ${width * height}`);
  const out = new Array<number>(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const x = pixels[i];
    if (typeof x !== 'number' || !(x >= 0 && x <= 255)) fail(`image.pixels[${i}] must be a number in [0, 255], got ${describe(x)}`);
    out[i] = x;
  }
  return { width, height, pixels: out };
}

function augmentation(v: unknown): Augmentation {
  let hp: Hyperparams;
  try {
    hp = validateHyperparams({ augment: v });
  } catch (e) {
    fail((e as Error).message);
  }
  return hp.augment ?? { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
}

function hyperparams(v: unknown): Hyperparams {
  try {
    return validateHyperparams(v);
  } catch (e) {
    fail((e as Error).message);
  }
}

export function createLabService(opts: LabServiceOptions): LabService {
  const resources = opts.resources ?? resourcesDir();
  const maxLive = opts.maxLiveRuns ?? 8;
  const listeners = new Set<(event: LabEvent) => void>();
  const emit = (event: LabEvent): void => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (e) {
        console.error(`lab event listener failed: ${(e as Error).message}`);
      }
    }
  };
  const data = (): Promise<Datasets> => loadMnist(join(resources, 'mnist'));
  const store = new RunStore(opts.runsDir);
  const pool = new RunPool({
    store,
    data,
    workerUrl: opts.workerUrl ?? defaultWorkerUrl(),
    heapLimitMb: opts.heapLimitMb,
    emit,
  });
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
    runsWithWeights: () => pool.list().filter((r) => store.hasCheckpoint(r.id)).map((r) => r.id),
    data,
  });
  let starting = 0; // runs between the check and their worker's start
  const liveCount = (): number => starting + pool.list().filter((r) => pool.isLive(r.id)).length;
  const withSlot = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    if (liveCount() >= maxLive) fail(`${maxLive} runs are training or paused already; stop one before ${what} another`);
    starting++;
    try {
      return await f();
    } finally {
      starting--;
    }
  };

  const service: LabService = {
    async listRuns() {
      return pool.list();
    },
    async startRun(hp: unknown, name?: unknown) {
      const h = hyperparams(hp);
      const n = runName(name, h);
      return withSlot('starting', () => pool.start(h, n));
    },
    async pauseRun(id: unknown) {
      pool.pause(runId(id));
    },
    async resumeRun(id: unknown) {
      const rid = runId(id);
      if (pool.isLive(rid)) await pool.resume(rid);
      else await withSlot('resuming', () => pool.resume(rid));
    },
    async stopRun(id: unknown) {
      pool.stop(runId(id));
    },
    async setEta(id: unknown, value: unknown) {
      pool.setEta(runId(id), eta(value));
    },
    async deleteRun(id: unknown) {
      const rid = runId(id);
      await pool.delete(rid);
      models.forgetRun(rid);
    },
    async runHistory(id: unknown): Promise<EpochMetrics[]> {
      return pool.get(runId(id)).history.map((m) => ({ ...m }));
    },
    async runCsv(id: unknown) {
      return pool.csv(runId(id));
    },
    async listModels() {
      return models.list();
    },
    async predict(model: unknown, image: unknown) {
      return models.predict(modelRef(model), grayImage(image));
    },
    async modelJson(model: unknown) {
      return models.json(modelRef(model));
    },
    async loadModelJson(json: unknown, name: unknown) {
      const t = text(json, 'model text', 100 * 1024 * 1024);
      const n = name === undefined ? 'Loaded model' : text(name, 'model name', 200).trim() || 'Loaded model';
      return models.loadJson(t, n);
    },
    async confusion(model: unknown, which: unknown) {
      return models.confusion(modelRef(model), dataName(which));
    },
    async gallery(model: unknown, which: unknown, actual: unknown, predicted: unknown, limit: unknown) {
      return models.gallery(modelRef(model), dataName(which), int(actual, 'actual', 0, 9), int(predicted, 'predicted', 0, 9), int(limit, 'limit', 1, 1000));
    },
    async receptiveFields(model: unknown, limit: unknown) {
      return models.receptiveFields(modelRef(model), int(limit, 'limit', 1, 10_000));
    },
    async augmentPreview(augment: unknown, index: unknown, count: unknown, seed: unknown) {
      const a = augmentation(augment);
      // Indexes run through training (0-49,999), validation (50,000-59,999) and test (60,000-69,999).
      const i = int(index, 'index', 0, 69_999);
      const n = int(count, 'count', 1, 100);
      const s = int(seed, 'seed', 0, 2 ** 32 - 1);
      const d = await data();
      let k = i;
      let split = d.train;
      for (const next of [d.validation, d.test]) {
        if (k < split.count) break;
        k -= split.count;
        split = next;
      }
      if (k >= split.count) fail(`index ${i} is past the last image`);
      return (await augmentPreviewPng(split.images.subarray(k * 784, (k + 1) * 784), a, n, s)).toString('base64');
    },
    onEvent(listener) {
      if (typeof listener !== 'function') fail('onEvent needs a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      await pool.close();
      listeners.clear();
    },
    async killWorker(id) {
      await pool.killWorker(runId(id));
    },
    async settled(id) {
      await pool.settled(runId(id));
    },
  };
  return service;
}

/** src/main/runs/worker.ts beside this module (development and tests, under tsx). */
function defaultWorkerUrl(): URL {
  // Built from parts so that bundlers do not try to resolve it: Electron passes its own URL.
  const file = ['runs', 'worker.ts'].join('/');
  return new URL(`./${file}`, import.meta.url);
}

