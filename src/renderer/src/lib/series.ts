// Pure helpers behind the charts and exports: which series a run has, smoothing, the markers to
// draw from a run's own, CSV of several runs, and short descriptions of settings.
import type { EpochMetrics, RunSummary } from '../../../shared/api';
import type { Hyperparams } from '../../../shared/hyperparams';
import { englishOf, type Reason } from '../../../shared/errors';

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
/** A translation for marker labels (the UI's `t`); English by default, for tests and exports. */
type Tr = (key: string, english: string, vars?: Record<string, unknown>) => string;
const english: Tr = (_k, e, vars) => e.replace(/\{\{(\w+)\}\}/g, (_m, v: string) => String(vars?.[v] ?? ''));

export function runMarkers(run: RunSummary, tr: Tr = english): Marker[] {
  const out: Marker[] = [];
  if (run.bestEpoch !== null && run.bestEvalAccuracy !== null) {
    out.push({ epoch: run.bestEpoch, kind: 'best', label: tr('marker.best', 'best {{value}}%', { value: (run.bestEvalAccuracy * 100).toFixed(2) }) });
  }
  for (const m of run.markers) {
    if (m.kind === 'eta-halved') out.push({ epoch: m.epoch, kind: 'eta', label: tr('marker.halved', 'η halved → {{eta}}', { eta: fmtNum(m.eta) }) });
    else if (m.kind === 'eta-changed') out.push({ epoch: m.epoch, kind: 'eta', label: tr('marker.changed', 'η → {{eta}}', { eta: fmtNum(m.eta) }) });
    else if (m.kind === 'early-stop') out.push({ epoch: m.epoch, kind: 'early-stop', label: tr('marker.earlyStop', 'early stop') });
    else if (m.kind === 'finished' && run.stoppedBecause === 'eta-schedule')
      out.push({ epoch: m.epoch, kind: 'early-stop', label: tr('marker.scheduleEnd', 'schedule end') });
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
const SUMMARY: Record<string, string> = {
  'summary.cost.quadratic': 'quadratic',
  'summary.cost.cross-entropy': 'cross-entropy',
  'summary.cost.log-likelihood': 'log-likelihood',
  'summary.dropout': 'dropout {{p}}',
  'summary.batch': 'batch {{n}}',
  'summary.epochs': '{{n}} ep',
  'summary.images': '{{n}} imgs',
  'summary.largeInit': 'N(0,1) init',
  'summary.augmented': 'augmented',
  'summary.earlyStop': 'early stop {{n}}',
  'summary.halve': 'halve η after {{n}}',
};

/** A run's settings in one short line (through `tr`, the UI's translation; English by default). */
export function describeHyperparams(hp: Hyperparams, tr: Tr = english): string {
  const w = (key: string, vars?: Record<string, unknown>) => tr(key, SUMMARY[key], vars);
  const parts = [hp.sizes.join('-'), w(`summary.cost.${hp.cost}`), hp.activation === 'sigmoid' ? '' : hp.activation, `η ${fmtNum(hp.eta)}`];
  if (hp.lambda) parts.push(`λ ${fmtNum(hp.lambda)}`);
  if (hp.l1) parts.push(`L1 ${fmtNum(hp.l1)}`);
  if (hp.momentum) parts.push(`μ ${fmtNum(hp.momentum)}`);
  if (hp.dropout) parts.push(w('summary.dropout', { p: fmtNum(hp.dropout) }));
  parts.push(w('summary.batch', { n: hp.batchSize }), w('summary.epochs', { n: hp.epochs }));
  if (hp.trainSize !== 50_000) parts.push(w('summary.images', { n: hp.trainSize.toLocaleString('en') }));
  if (hp.init === 'large') parts.push(w('summary.largeInit'));
  if (hp.augment) parts.push(w('summary.augmented'));
  if (hp.earlyStop) parts.push(w('summary.earlyStop', { n: hp.earlyStop }));
  if (hp.halveAfter) parts.push(w('summary.halve', { n: hp.halveAfter }));
  return parts.filter(Boolean).join(', ');
}

/** A new array with `point` appended; at `cap` points the older half is thinned to every other point. */
export function appendCapped(points: readonly XY[], point: XY, cap: number): XY[] {
  if (points.length < cap) return [...points, point];
  const half = Math.floor(points.length / 2);
  return [...points.slice(0, half).filter((_, i) => i % 2 === 0), ...points.slice(half), point];
}

/** Weights and biases of a network of these layer sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * (sizes[l - 1] + 1);
  return n;
}

/**
 * This machine's training rate, in multiply-adds per second (a training example costs about three
 * per parameter: forward, backward, gradient), from the runs it has trained: the median, so one
 * disturbed run does not skew it. Null before any run has trained here.
 */
export function machineRate(runs: readonly RunSummary[]): number | null {
  const rates = runs
    .filter((r) => r.examplesPerSecond !== null && r.examplesPerSecond > 0 && r.epochsDone > 0)
    .map((r) => r.examplesPerSecond! * 3 * parameterCount(r.hyperparams.sizes))
    .sort((a, b) => a - b);
  return rates.length ? rates[Math.floor(rates.length / 2)] : null;
}

/** Expected seconds for a run on this machine: training, plus each epoch's monitors (a forward pass per image). */
export function estimateSeconds(hp: Hyperparams, rate: number): number {
  const p = parameterCount(hp.sizes);
  const train = (hp.trainSize * 3 * p) / rate;
  const m = hp.monitor;
  const evalImages = hp.evalSet === 'none' ? 0 : m.evalAccuracy || m.evalCost || hp.earlyStop > 0 || hp.halveAfter > 0 ? 10_000 : 0;
  const monitors = ((m.trainAccuracy || m.trainCost ? hp.trainSize : 0) + evalImages) * (p / rate);
  return hp.epochs * (train + monitors);
}

const PLOTS: Record<string, string> = {
  'plots.validationAccuracy': 'validation accuracy',
  'plots.testAccuracy': 'test accuracy',
  'plots.validationCost': 'validation cost',
  'plots.testCost': 'test cost',
  'plots.trainAccuracy': 'training accuracy',
  'plots.trainCost': 'training cost',
  'plots.nothing': 'nothing per epoch (no monitor ticked)',
};

/** What a run will draw, in words (through `tr`, the UI's translation; English by default): its monitored series. */
export function plotsOf(hp: Hyperparams, tr: (key: string, english: string) => string = (_k, english) => english): string {
  const m = hp.monitor;
  const ev = hp.evalSet === 'validation' ? 'plots.validation' : 'plots.test';
  const keys = [
    m.evalAccuracy && hp.evalSet !== 'none' ? `${ev}Accuracy` : '',
    m.evalCost && hp.evalSet !== 'none' ? `${ev}Cost` : '',
    m.trainAccuracy ? 'plots.trainAccuracy' : '',
    m.trainCost ? 'plots.trainCost' : '',
  ].filter(Boolean);
  return keys.length ? keys.map((k) => tr(k, PLOTS[k])).join(', ') : tr('plots.nothing', PLOTS['plots.nothing']);
}

/** The form's fields by the hyperparameter key that validation messages start with (English; `field.<key>` in the catalogues). */
const FIELD_WORDS: Record<string, string> = {
  sizes: 'Layer sizes',
  eta: 'η',
  lambda: 'λ',
  l1: 'L1',
  momentum: 'Momentum μ',
  dropout: 'Dropout p',
  batchSize: 'The mini-batch size',
  epochs: 'Epochs',
  trainSize: 'Training images',
  digits: 'Digits',
  earlyStop: 'Early stop',
  halveAfter: 'Halve η after',
  seed: 'The seed',
  evalSet: 'Evaluate on',
};

/**
 * A hyperparameter's refusal in the user's words (through `tr`, the UI's translation; English by
 * default), and the field it belongs next to: the reason {hp.range, eta, (0, 1000000], got -1}
 * becomes "η must be a positive number, not -1" beside the η field. `other` words a reason the
 * form has no phrasing of its own for (the catalogues' `error.*`).
 */
export function formError(reason: Reason, tr: Tr = english, other: (r: Reason) => string = englishOf): { field: string | null; text: string } {
  const p = reason.params;
  const key = typeof p.field === 'string' ? p.field : null;
  const field = key && FIELD_WORDS[key] ? key : null;
  if (!field) return { field: null, text: other(reason) };
  const name = tr(`field.${field}`, FIELD_WORDS[field]);
  const got = p.got === undefined ? undefined : String(p.got);
  const shown = got === undefined || got === 'null' || got === 'undefined' || got === 'NaN' ? tr('form.err.empty', 'an empty field') : got;
  switch (reason.code) {
    case 'hp.sizeNotPositive':
      return {
        field,
        text: tr('form.err.layer', 'Layer sizes: layer {{n}} must be a whole number of neurons, not {{got}}', { n: Number(p.i) + 1, got: shown }),
      };
    case 'hp.notNumber':
      return { field, text: tr('form.err.needsNumber', '{{field}} needs a number, not {{got}}', { field: name, got: shown }) };
    case 'hp.notInteger':
      return { field, text: tr('form.err.whole', '{{field}} must be a whole number, not {{got}}', { field: name, got: shown }) };
    case 'hp.range':
      if (Number(p.lo) === 0 && p.open === '(')
        return { field, text: tr('form.err.positive', '{{field}} must be a positive number, not {{got}}', { field: name, got: shown }) };
      return {
        field,
        text: tr('form.err.range', '{{field}} must be a number from {{lo}} to {{hi}}, not {{got}}', {
          field: name,
          lo: p.lo,
          hi: Number(p.hi).toLocaleString('en'),
          got: shown,
        }),
      };
    default:
      return { field, text: other(reason) };
  }
}
