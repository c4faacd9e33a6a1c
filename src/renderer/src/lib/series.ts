// Pure helpers behind the charts and exports: which series a run has, smoothing, the markers to
// draw from a run's own, CSV of several runs, and short descriptions of settings.
import type { EpochMetrics, RunSummary } from '../../../shared/api';
import type { Hyperparams } from '../../../shared/hyperparams';

export type SeriesKey = 'evalAccuracy' | 'trainAccuracy' | 'evalCost' | 'trainCost';

export const SERIES: { key: SeriesKey; label: string; kind: 'accuracy' | 'cost'; dashed: boolean }[] = [
  { key: 'evalAccuracy', label: 'eval accuracy', kind: 'accuracy', dashed: false },
  { key: 'trainAccuracy', label: 'train accuracy', kind: 'accuracy', dashed: true },
  { key: 'evalCost', label: 'eval cost', kind: 'cost', dashed: false },
  { key: 'trainCost', label: 'train cost', kind: 'cost', dashed: true },
];

export interface XY {
  x: number;
  y: number;
}

/** The points of one series (accuracies as percentages), skipping epochs where it was not monitored. */
export function seriesPoints(history: readonly EpochMetrics[], key: SeriesKey): XY[] {
  const out: XY[] = [];
  const scale = key.endsWith('Accuracy') ? 100 : 1;
  for (const m of history) {
    const v = m[key];
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ x: m.epoch, y: v * scale });
  }
  return out;
}

/** Exponential moving average with weight `alpha` on the past (0 = raw, 0.9 = very smooth); debiased at the start. */
export function smooth(points: readonly XY[], alpha: number): XY[] {
  if (!(alpha > 0)) return points.slice();
  let acc = 0;
  let weight = 0;
  return points.map((p) => {
    acc = alpha * acc + (1 - alpha) * p.y;
    weight = alpha * weight + (1 - alpha);
    return { x: p.x, y: acc / weight };
  });
}

export interface Marker {
  epoch: number;
  kind: 'best' | 'eta' | 'early-stop';
  label: string;
}

/**
 * The chart's markers from the run's own (the engine's, kept by the services): the best epoch so
 * far, every learning-rate change and halving, and where early stopping or the schedule ended it.
 */
export function runMarkers(run: RunSummary): Marker[] {
  const out: Marker[] = [];
  if (run.bestEpoch !== null && run.bestEvalAccuracy !== null) {
    out.push({ epoch: run.bestEpoch, kind: 'best', label: `best ${(run.bestEvalAccuracy * 100).toFixed(2)}%` });
  }
  for (const m of run.markers) {
    if (m.kind === 'eta-halved') out.push({ epoch: m.epoch, kind: 'eta', label: `η halved → ${fmtNum(m.eta)}` });
    else if (m.kind === 'eta-changed') out.push({ epoch: m.epoch, kind: 'eta', label: `η → ${fmtNum(m.eta)}` });
    else if (m.kind === 'early-stop') out.push({ epoch: m.epoch, kind: 'early-stop', label: 'early stop' });
    else if (m.kind === 'finished' && run.stoppedBecause === 'eta-schedule') out.push({ epoch: m.epoch, kind: 'early-stop', label: 'schedule end' });
  }
  return out;
}

const CSV_COLUMNS = ['epoch', 'seconds', 'eta', 'trainCost', 'trainAccuracy', 'evalCost', 'evalAccuracy'] as const;

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV with a row per run and epoch. */
export function runsCsv(runs: readonly { run: RunSummary; history: readonly EpochMetrics[] }[]): string {
  const lines = [['run', 'name', ...CSV_COLUMNS].join(',')];
  for (const { run, history } of runs) {
    for (const m of history) {
      lines.push([csvField(run.id), csvField(run.name), ...CSV_COLUMNS.map((c) => (m[c] === undefined ? '' : String(m[c])))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

export function fmtPct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A one-line summary of the settings that differ between the book's runs. */
export function describeHyperparams(hp: Hyperparams): string {
  const parts = [hp.sizes.join('-'), hp.cost, hp.activation === 'sigmoid' ? '' : hp.activation, `η ${fmtNum(hp.eta)}`];
  if (hp.lambda) parts.push(`λ ${fmtNum(hp.lambda)}`);
  if (hp.l1) parts.push(`L1 ${fmtNum(hp.l1)}`);
  if (hp.momentum) parts.push(`μ ${fmtNum(hp.momentum)}`);
  if (hp.dropout) parts.push(`dropout ${fmtNum(hp.dropout)}`);
  parts.push(`batch ${hp.batchSize}`, `${hp.epochs} ep`);
  if (hp.trainSize !== 50_000) parts.push(`${hp.trainSize.toLocaleString('en')} imgs`);
  if (hp.init === 'large') parts.push('N(0,1) init');
  if (hp.augment) parts.push('augmented');
  if (hp.earlyStop) parts.push(`early stop ${hp.earlyStop}`);
  if (hp.halveAfter) parts.push(`halve η after ${hp.halveAfter}`);
  return parts.filter(Boolean).join(', ');
}

/** A new array with `point` appended; at `cap` points the older half is thinned to every other point. */
export function appendCapped(points: readonly XY[], point: XY, cap: number): XY[] {
  if (points.length < cap) return [...points, point];
  const half = Math.floor(points.length / 2);
  return [...points.slice(0, half).filter((_, i) => i % 2 === 0), ...points.slice(half), point];
}
