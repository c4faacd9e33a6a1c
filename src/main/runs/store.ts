// The runs folder: one sub-folder per run holding run.json (hyperparameters, per-epoch metrics,
// markers, timings, outcome) and checkpoint.bin (written by the run's worker each epoch).
// run.json is rewritten atomically on every change, so the history survives any crash.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { validateHyperparams, type Hyperparams } from '../../engine/hyperparams';
import type { EpochMetrics, RunMarker, RunState, RunSummary } from '../../shared/api';
import { writeFileAtomicSync } from './atomic';
import { readCheckpoint } from './checkpoint';
import type { TrainerCheckpoint } from '../../engine/trainer';
import type { InsideStats } from '../../engine/inside';
import { RUN_ID_PATTERN } from '../../shared/validate';
import { englishOf, reasonOf, type Reason } from '../../shared/errors';

export interface RunRecord {
  version: 1;
  id: string;
  name: string;
  /** The book experiment (src/shared/experiments) this run was started from, if any. */
  presetId: string | null;
  /** The label of the model whose weights the run started from; null for random weights. */
  startedFrom: string | null;
  /** The sweep this run is a point of, if any. */
  sweepId: string | null;
  /** The run's colour (a palette index), fixed at creation: reloads and deletions never change it. */
  color: number | null;
  /** The user's note about the run. */
  note: string | null;
  hyperparams: Hyperparams;
  state: RunState;
  createdAt: string;
  updatedAt: string;
  /** Metrics of every completed epoch, in order. */
  history: EpochMetrics[];
  markers: RunMarker[];
  currentEta: number;
  bestEpoch: number | null;
  bestEvalAccuracy: number | null;
  secondsTraining: number;
  /** Wall-clock seconds of its epochs (evaluation included, pauses not). */
  secondsWall: number;
  examplesPerSecond: number | null;
  stoppedBecause: string | null;
  /** The reason of a failure as data (src/shared/errors), when it has one. */
  stoppedWhy?: Reason | null;
}

const RUN_FILE = 'run.json';
const CHECKPOINT_FILE = 'checkpoint.bin';

/** A run record as a run starts: nothing trained yet. */
export function newRunRecord(
  fields: Pick<RunRecord, 'name' | 'presetId' | 'startedFrom' | 'sweepId' | 'color' | 'hyperparams'>,
  now = new Date(),
): RunRecord {
  return {
    version: 1,
    id: newRunId(now),
    ...fields,
    note: null,
    state: 'running',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    history: [],
    markers: [],
    currentEta: fields.hyperparams.eta,
    bestEpoch: null,
    bestEvalAccuracy: null,
    secondsTraining: 0,
    secondsWall: 0,
    examplesPerSecond: null,
    stoppedBecause: null,
  };
}

/** A new run id: sortable by creation time, unique enough for one machine. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  return `run-${t}-${randomBytes(3).toString('hex')}`;
}

export class RunStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  runDir(id: string): string {
    if (!RUN_ID_PATTERN.test(id)) throw new Error(`bad run id ${JSON.stringify(id)}`);
    return join(this.dir, id);
  }

  checkpointPath(id: string): string {
    return join(this.runDir(id), CHECKPOINT_FILE);
  }

  hasCheckpoint(id: string): boolean {
    return existsSync(this.checkpointPath(id));
  }

  save(rec: RunRecord): void {
    const dir = this.runDir(rec.id);
    mkdirSync(dir, { recursive: true });
    rec.updatedAt = new Date().toISOString();
    writeFileAtomicSync(join(dir, RUN_FILE), JSON.stringify(rec, numberReplacer, 1));
  }

  /** Every readable run in the folder; unreadable ones are reported through `onBad` and skipped. */
  loadAll(onBad: (id: string, message: string) => void = () => {}): RunRecord[] {
    const out: RunRecord[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!RUN_ID_PATTERN.test(name)) continue;
      const file = join(this.dir, name, RUN_FILE);
      if (!existsSync(file)) continue;
      // A crash during an atomic write leaves its temporary file behind; the real file is intact.
      for (const f of readdirSync(join(this.dir, name))) if (f.includes('.tmp-')) rmSync(join(this.dir, name, f), { force: true });
      try {
        out.push(parseRunRecord(readFileSync(file, 'utf8'), name));
      } catch (e) {
        const why = (e as Error).message;
        // A damaged run.json (a truncated write, a full disk) must not hide a run whose checkpoint
        // is intact: it is listed as failed, and resumable from that checkpoint.
        const rescued = this.hasCheckpoint(name) ? recordFromCheckpoint(name, this.checkpointPath(name), why) : null;
        if (rescued) out.push(rescued);
        else onBad(name, why);
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  delete(id: string): void {
    rmSync(this.runDir(id), { recursive: true, force: true });
  }
}

/** JSON has no NaN or Infinity; a diverged run's costs are kept as strings and read back as numbers. */
function numberReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function reviveNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  return undefined;
}

/** Inside statistics as the trainer writes them (src/engine/inside); anything else in run.json is dropped. */
function isInsideStats(v: unknown): v is InsideStats {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.probe === 'number' &&
    Array.isArray(o.layers) &&
    o.layers.every((l: Record<string, unknown>) => typeof l === 'object' && l !== null && typeof l.neurons === 'number' && typeof l.z === 'object' && typeof l.a === 'object')
  );
}

const STATES: readonly RunState[] = ['running', 'paused', 'stopped', 'finished', 'failed'];

/** Reads run.json text, checking the fields the service relies on. */
export function parseRunRecord(text: string, id: string): RunRecord {
  const where = `${id}/${RUN_FILE}`;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof o !== 'object' || o === null) throw new Error(`${where}: not an object`);
  if (o.id !== id) throw new Error(`${where}: id ${JSON.stringify(o.id)} does not match its folder`);
  if (!STATES.includes(o.state as RunState)) throw new Error(`${where}: unknown state ${JSON.stringify(o.state)}`);
  if (!Array.isArray(o.history)) throw new Error(`${where}: history is not a list`);
  let hyperparams: Hyperparams;
  try {
    hyperparams = validateHyperparams(o.hyperparams);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  const history = (o.history as Record<string, unknown>[]).map((m) => {
    const out: EpochMetrics = { epoch: Number(m.epoch), seconds: Number(m.seconds), eta: Number(m.eta) };
    for (const k of ['trainCost', 'trainAccuracy', 'evalCost', 'evalAccuracy'] as const) {
      const v = reviveNumber(m[k]);
      if (v !== undefined) out[k] = v;
    }
    for (const k of ['inside', 'insideStart'] as const) if (isInsideStats(m[k])) out[k] = m[k];
    return out;
  });
  return {
    version: 1,
    id,
    name: typeof o.name === 'string' ? o.name : id,
    presetId: typeof o.presetId === 'string' ? o.presetId : null,
    startedFrom: typeof o.startedFrom === 'string' ? o.startedFrom : null,
    sweepId: typeof o.sweepId === 'string' ? o.sweepId : null,
    color: typeof o.color === 'number' && Number.isInteger(o.color) && o.color >= 0 ? o.color : null,
    note: typeof o.note === 'string' ? o.note : null,
    hyperparams,
    state: o.state as RunState,
    createdAt: String(o.createdAt ?? ''),
    updatedAt: String(o.updatedAt ?? ''),
    history,
    markers: Array.isArray(o.markers) ? (o.markers as RunMarker[]).filter((m) => typeof m === 'object' && m !== null && typeof m.kind === 'string' && typeof m.epoch === 'number') : [],
    currentEta: reviveNumber(o.currentEta) ?? hyperparams.eta,
    bestEpoch: typeof o.bestEpoch === 'number' ? o.bestEpoch : null,
    bestEvalAccuracy: typeof o.bestEvalAccuracy === 'number' ? o.bestEvalAccuracy : null,
    secondsTraining: reviveNumber(o.secondsTraining) ?? 0,
    secondsWall: reviveNumber(o.secondsWall) ?? reviveNumber(o.secondsTraining) ?? 0,
    examplesPerSecond: typeof o.examplesPerSecond === 'number' ? o.examplesPerSecond : null,
    stoppedBecause: typeof o.stoppedBecause === 'string' ? o.stoppedBecause : null,
    stoppedWhy: reasonOf({ reason: o.stoppedWhy }),
  };
}

/** A record's fields for a failure with a reason: its English line, and the reason itself for the UI. */
export function failure(why: Reason): Pick<RunRecord, 'stoppedBecause' | 'stoppedWhy'> {
  return { stoppedBecause: englishOf(why), stoppedWhy: why };
}

export function summarize(rec: RunRecord, resumable: boolean): RunSummary {
  const last = rec.history[rec.history.length - 1];
  return {
    id: rec.id,
    name: rec.name,
    presetId: rec.presetId,
    startedFrom: rec.startedFrom,
    sweepId: rec.sweepId,
    color: rec.color ?? 0,
    note: rec.note,
    hyperparams: rec.hyperparams,
    state: rec.state,
    createdAt: rec.createdAt,
    epochsDone: rec.history.length,
    currentEta: rec.currentEta,
    bestEpoch: rec.bestEpoch,
    bestEvalAccuracy: rec.bestEvalAccuracy,
    lastEvalAccuracy: last?.evalAccuracy ?? null,
    secondsTraining: rec.secondsTraining,
    secondsWall: rec.secondsWall,
    examplesPerSecond: rec.examplesPerSecond,
    stoppedBecause: rec.stoppedBecause,
    stoppedWhy: rec.stoppedWhy ?? null,
    resumable,
    markers: rec.markers.map((m) => ({ ...m })),
  };
}

const CSV_COLUMNS = ['epoch', 'seconds', 'eta', 'trainCost', 'trainAccuracy', 'evalCost', 'evalAccuracy'] as const;

/** The run's per-epoch metrics as CSV (one header row; empty cells for unmonitored series; markers last). */
export function runCsv(rec: RunRecord): string {
  const lines = [[...CSV_COLUMNS, 'markers'].join(',')];
  for (const m of rec.history) {
    const marks = rec.markers.filter((k) => k.epoch === m.epoch).map((k) => k.kind);
    const cells = CSV_COLUMNS.map((c) => (m[c] === undefined ? '' : String(m[c])));
    lines.push([...cells, marks.join(';')].join(','));
  }
  return lines.join('\n') + '\n';
}

/** A run rebuilt from its checkpoint when its run.json cannot be read; null when the checkpoint cannot be either. */
function recordFromCheckpoint(id: string, path: string, why: string): RunRecord | null {
  let ck: TrainerCheckpoint;
  try {
    ck = readCheckpoint(path) as TrainerCheckpoint;
    validateHyperparams(ck.hyperparams);
  } catch {
    return null;
  }
  const history = ck.history.map((m) => ({ ...m }));
  const at = new Date().toISOString();
  return {
    version: 1,
    id,
    name: `${id} (damaged)`,
    presetId: null,
    startedFrom: null,
    sweepId: null,
    color: null,
    note: null,
    hyperparams: ck.hyperparams,
    state: 'failed',
    createdAt: at,
    updatedAt: at,
    history,
    markers: [],
    currentEta: ck.eta,
    bestEpoch: ck.bestEpoch,
    bestEvalAccuracy: ck.bestEvalAccuracy,
    secondsTraining: history.reduce((t, m) => t + m.seconds, 0),
    secondsWall: history.reduce((t, m) => t + m.seconds, 0),
    examplesPerSecond: null,
    ...failure({ code: 'run.damaged', params: { detail: why.split('\n')[0], epoch: ck.epoch } }),
  };
}
