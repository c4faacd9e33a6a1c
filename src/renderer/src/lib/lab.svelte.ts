// The UI's view of the lab: runs, their histories and progress, the models, and which model the pad
// and analysis use. Big arrays live in $state.raw and are replaced, never mutated, so an epoch
// event costs one shallow copy and no deep proxying.
import type { SweepSummary } from '../../../shared/sweep';
import type { BackpropInput, EpochMetrics, GrayImage, LabEvent, ModelInfo, ModelRef, RunProgress, RunSummary } from '../../../shared/api';
import type { Hyperparams } from '../../../shared/hyperparams';
import { errorText } from './error-text';
import type { LabClient } from './transport';
import { t } from './i18n.svelte';
import { appendCapped, type XY } from './series';

/** A model's label for the UI: the bundled model's and a run's weights in the UI's language, loaded files as named. */
export function modelLabel(m: ModelInfo): string {
  if (m.ref.kind === 'default') return t('model.default');
  if (m.ref.kind === 'run' && m.run) return t(m.ref.which === 'best' ? 'model.runBest' : 'model.runCurrent', { name: m.run.name, epoch: m.run.epoch ?? '—' });
  return m.label;
}

export function sameRef(a: ModelRef, b: ModelRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Mini-batch cost points kept per run: beyond this, every other old point is dropped. */
export const MAX_BATCH_POINTS = 4000;

const SELECTION_KEY = 'nnlab.selectedRuns';

/** The runs shown last time (those that still exist); at the first start, the running ones and the newest other run. */
function restoreSelection(runs: readonly RunSummary[]): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(SELECTION_KEY) ?? 'null');
    if (Array.isArray(saved)) return runs.filter((r) => saved.includes(r.id)).map((r) => r.id);
  } catch {
    // Unreadable: start from the default below.
  }
  const live = runs.filter((r) => (r.state === 'running' || r.state === 'paused') && !r.sweepId).map((r) => r.id);
  const newest = runs.find((r) => !r.sweepId && !live.includes(r.id));
  return newest ? [...live, newest.id] : live;
}

export class LabState {
  runs = $state.raw<RunSummary[]>([]);
  histories = $state.raw<Record<string, EpochMetrics[]>>({});
  progress = $state.raw<Record<string, RunProgress>>({});
  /** Each run's mini-batch training cost as it arrived with progress events (x in epochs, fractional), this session only. */
  batchCosts = $state.raw<Record<string, XY[]>>({});
  /** Runs overlaid in the charts. */
  selected = $state.raw<string[]>([]);
  models = $state.raw<ModelInfo[]>([]);
  /** The model the drawing pad and the analysis views use. */
  model = $state.raw<ModelRef>({ kind: 'default' });
  sweeps = $state.raw<SweepSummary[]>([]);
  /** The pad's latest drawing (the backpropagation page can step through it). */
  drawing = $state.raw<GrayImage | null>(null);
  /** An input the backpropagation page should show next (from the analysis gallery). */
  backpropInput = $state.raw<BackpropInput | null>(null);
  /** A message to the user; with `key`, shown in the current language even after a switch. */
  notice = $state<{ kind: 'error' | 'info'; text: string; key?: string; vars?: Record<string, unknown>; error?: unknown } | null>(null);

  readonly client: LabClient;

  constructor(client: LabClient) {
    this.client = client;
  }

  get api() {
    return this.client.api;
  }

  async init(): Promise<void> {
    this.api.onEvent((e) => this.handle(e));
    const runs = await this.api.listRuns();
    const histories: Record<string, EpochMetrics[]> = {};
    await Promise.all(runs.map(async (r) => (histories[r.id] = await this.api.runHistory(r.id))));
    // Newest first, as new runs arrive: the same order before and after a reload.
    this.runs = [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    this.histories = { ...histories, ...this.histories };
    this.selected = restoreSelection(this.runs);
    this.sweeps = await this.api.listSweeps();
    await this.refreshModels();
  }

  /** Reloads the model list; with `selectNewest`, the newest loaded file becomes the pad's model. */
  async refreshModels(selectNewest = false): Promise<void> {
    this.models = await this.api.listModels();
    const loaded = this.models.filter((m) => m.ref.kind === 'loaded');
    if (selectNewest && loaded.length > 0) this.model = loaded[loaded.length - 1].ref;
    if (!this.models.some((m) => sameRef(m.ref, this.model)) && this.models.length > 0) this.model = this.models[0].ref;
  }

  handle(e: LabEvent): void {
    switch (e.type) {
      case 'run': {
        const i = this.runs.findIndex((r) => r.id === e.run.id);
        const before = i < 0 ? null : this.runs[i];
        this.runs = i < 0 ? [e.run, ...this.runs] : this.runs.map((r, k) => (k === i ? e.run : r));
        // A sweep's points are many: they join the charts when the user opens them.
        if (i < 0 && !e.run.sweepId) this.selected = [...this.selected, e.run.id];
        // A run's weights become a model after its first epoch; its label changes when it ends.
        if (!before || (before.epochsDone === 0 && e.run.epochsDone > 0) || before.state !== e.run.state) void this.refreshModels();
        if (e.run.state !== 'running' && this.progress[e.run.id]) {
          const { [e.run.id]: _gone, ...rest } = this.progress;
          this.progress = rest;
        }
        break;
      }
      case 'epoch': {
        const old = this.histories[e.runId] ?? [];
        const kept = old.filter((m) => m.epoch < e.metrics.epoch);
        this.histories = { ...this.histories, [e.runId]: [...kept, e.metrics] };
        break;
      }
      case 'progress': {
        const p = e.progress;
        this.progress = { ...this.progress, [p.runId]: p };
        if (p.batchCost !== null && Number.isFinite(p.batchCost)) {
          const point = { x: p.epoch - 1 + p.examplesDone / p.examplesTotal, y: p.batchCost };
          this.batchCosts = { ...this.batchCosts, [p.runId]: appendCapped(this.batchCosts[p.runId] ?? [], point, MAX_BATCH_POINTS) };
        }
        break;
      }
      case 'sweep': {
        const i = this.sweeps.findIndex((s) => s.id === e.sweep.id);
        this.sweeps = i < 0 ? [e.sweep, ...this.sweeps] : this.sweeps.map((s, k) => (k === i ? e.sweep : s));
        break;
      }
      case 'sweep-deleted':
        this.sweeps = this.sweeps.filter((s) => s.id !== e.sweepId);
        break;
      case 'run-deleted': {
        this.runs = this.runs.filter((r) => r.id !== e.runId);
        this.selected = this.selected.filter((id) => id !== e.runId);
        const { [e.runId]: _h, ...histories } = this.histories;
        this.histories = histories;
        const { [e.runId]: _b, ...batchCosts } = this.batchCosts;
        this.batchCosts = batchCosts;
        if (this.model.kind === 'run' && this.model.runId === e.runId) this.model = { kind: 'default' };
        void this.refreshModels();
        break;
      }
    }
  }

  async startRun(hp: Hyperparams, name?: string, presetId?: string, from?: ModelRef): Promise<RunSummary | null> {
    return this.attempt(async () => {
      const run = await this.api.startRun(hp, name, presetId, from);
      this.handle({ type: 'run', run });
      return run;
    });
  }

  toggleSelected(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((s) => s !== id) : [...this.selected, id];
  }

  /** Remembers which runs are shown, so a returning user sees the same charts. */
  rememberSelection(): void {
    try {
      localStorage.setItem(SELECTION_KEY, JSON.stringify(this.selected));
    } catch {
      // No storage (private mode): the selection lasts this session only.
    }
  }

  /** Runs an action, turning a failure into a one-line notice instead of an unhandled rejection. */
  async attempt<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      this.notice = { kind: 'error', text: errorText(e), error: e };
      return null;
    }
  }
}
