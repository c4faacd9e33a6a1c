// Sweeps, as chapter 3's "How to choose a neural network's hyper-parameters?" teaches: a base
// experiment, axes (a list, or a log or linear range, of any hyperparameter), grid or random
// sampling, and seeds per point. This module is pure: the spec's one validation (UI, JSON file,
// CLI flags and IPC alike), its expansion into points, the summary of finished points (mean ± sd
// over seeds) and the book's recipes.
import { validateHyperparams, type Hyperparams } from '../engine/hyperparams';
import { Rng } from '../engine/rng';
import { experimentById } from './experiments';
import { MAX_NAME_CHARS } from './limits';
import { LabError, locate, type ErrorCode, type ErrorParams } from './errors';

/** The hyperparameters an axis can vary; `hidden` is the hidden layers (784-…-10 around them). */
export const AXIS_PARAMS = ['eta', 'lambda', 'l1', 'momentum', 'dropout', 'hidden', 'batchSize', 'trainSize', 'epochs', 'init', 'cost', 'activation'] as const;
export type AxisParam = (typeof AXIS_PARAMS)[number];
/** A value on an axis: a number, a word (init, cost, activation) or the hidden layers' sizes. */
export type AxisValue = number | string | number[];

export interface Axis {
  param: AxisParam;
  /** The values, in order (a list); or made from `range`. */
  values?: AxisValue[];
  range?: { scale: 'log' | 'linear'; from: number; to: number; count: number };
}

export interface SweepSpec {
  name: string;
  /** The base experiment: a preset's hyperparameters, changed by `hyperparams`. */
  base: { presetId?: string; hyperparams?: Partial<Hyperparams> };
  axes: Axis[];
  /** Every combination, or `count` combinations drawn at random (with `seed`). */
  sampling: { kind: 'grid' } | { kind: 'random'; count: number; seed: number };
  /** Runs per point, with seeds 1 … seeds (the base seed + 0 … seeds − 1). */
  seeds: number;
}

export interface SweepPoint {
  /** Position in the sweep: points are trained in this order. */
  index: number;
  /** The point's value on each axis (by axis order). */
  values: AxisValue[];
  /** Which repeat of its combination this is (0 … seeds − 1). */
  repeat: number;
  hyperparams: Hyperparams;
}

/** At most this many points (combinations × seeds) in one sweep. */
export const MAX_SWEEP_POINTS = 2000;
const NUMERIC: Partial<Record<AxisParam, { min: number; max: number; integer?: boolean }>> = {
  eta: { min: 1e-9, max: 1e6 },
  lambda: { min: 0, max: 1e6 },
  l1: { min: 0, max: 1e6 },
  momentum: { min: 0, max: 0.999 },
  dropout: { min: 0, max: 0.95 },
  batchSize: { min: 1, max: 50_000, integer: true },
  trainSize: { min: 1, max: 50_000, integer: true },
  epochs: { min: 1, max: 100_000, integer: true },
};
const WORDS: Partial<Record<AxisParam, string[]>> = {
  init: ['default', 'large'],
  cost: ['quadratic', 'cross-entropy', 'log-likelihood'],
  activation: ['sigmoid', 'tanh', 'relu'],
};

export class SweepError extends LabError {
  override name = 'SweepError';
}
function fail(code: ErrorCode, params: ErrorParams = {}): never {
  throw new SweepError(code, params);
}
const located = (e: unknown, at: string) => locate(e, at, (c, p, where) => new SweepError(c, p, where));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/** The values a range makes: `count` of them from `from` to `to`, evenly on a log or linear scale. */
export function rangeValues(r: NonNullable<Axis['range']>): number[] {
  if (r.count === 1) return [r.from];
  return Array.from({ length: r.count }, (_, i) => {
    const t = i / (r.count - 1);
    const v = r.scale === 'log' ? Math.exp(Math.log(r.from) + t * (Math.log(r.to) - Math.log(r.from))) : r.from + t * (r.to - r.from);
    return Number(v.toPrecision(6));
  });
}

function checkValue(param: AxisParam, v: unknown, where: string): AxisValue {
  const num = NUMERIC[param];
  if (num) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < num.min || v > num.max || (num.integer && !Number.isInteger(v)))
      fail(num.integer ? 'sweep.whole' : 'sweep.number', { at: where, min: num.min, max: num.max, got: show(v) });
    return v;
  }
  const words = WORDS[param];
  if (words) {
    if (typeof v !== 'string' || !words.includes(v)) fail('sweep.word', { at: where, allowed: words.join(', '), got: show(v) });
    return v;
  }
  // hidden: one size or a list of sizes
  const sizes = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 8 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 100_000))
    fail('sweep.hidden', { at: where, got: show(v) });
  return sizes as number[];
}

function checkAxis(v: unknown, i: number): Axis {
  const where = `axes[${i}]`;
  if (!isObject(v)) fail('sweep.axisObject', { at: where, got: show(v) });
  for (const k of Object.keys(v)) if (!['param', 'values', 'range'].includes(k)) fail('sweep.axisField', { at: where, got: show(k) });
  if (!AXIS_PARAMS.includes(v.param as AxisParam)) fail('sweep.axisParam', { at: where, allowed: AXIS_PARAMS.join(', '), got: show(v.param) });
  const param = v.param as AxisParam;
  if ((v.values === undefined) === (v.range === undefined)) fail('sweep.valuesOrRange', { at: where });
  if (v.values !== undefined) {
    if (!Array.isArray(v.values) || v.values.length === 0 || v.values.length > 100) fail('sweep.values', { at: where });
    return { param, values: v.values.map((x, k) => checkValue(param, x, `${where}.values[${k}]`)) };
  }
  const r = v.range;
  if (!isObject(r)) fail('sweep.rangeObject', { at: where });
  if (!NUMERIC[param]) fail('sweep.noRange', { at: where, param });
  if (r.scale !== 'log' && r.scale !== 'linear') fail('sweep.rangeScale', { at: where, got: show(r.scale) });
  if (typeof r.count !== 'number' || !Number.isInteger(r.count) || r.count < 1 || r.count > 100) fail('sweep.rangeCount', { at: where, got: show(r.count) });
  const from = checkValue(param, r.from, `${where}.range.from`) as number;
  const to = checkValue(param, r.to, `${where}.range.to`) as number;
  if (r.scale === 'log' && (from <= 0 || to <= 0)) fail('sweep.logPositive', { at: where });
  const range = { scale: r.scale as 'log' | 'linear', from, to, count: r.count };
  // Rounded values must still be valid (an integer axis on a linear range rounds).
  const values = rangeValues(range).map((x) => (NUMERIC[param]!.integer ? Math.round(x) : x));
  values.forEach((x, k) => checkValue(param, x, `${where}.range value ${k + 1}`));
  return { param, range, values };
}

/** The one validation of a sweep spec: returns a clean spec (axes with their values filled in) or throws one line. */
export function validateSweepSpec(v: unknown): SweepSpec {
  if (!isObject(v)) fail('sweep.notObject', { got: show(v) });
  for (const k of Object.keys(v)) if (!['name', 'base', 'axes', 'sampling', 'seeds'].includes(k)) fail('sweep.unknownField', { got: show(k) });
  const name = v.name ?? 'sweep';
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_CHARS) fail('sweep.name', { max: MAX_NAME_CHARS });
  const base = v.base ?? {};
  if (!isObject(base)) fail('sweep.base');
  for (const k of Object.keys(base)) if (!['presetId', 'hyperparams'].includes(k)) fail('sweep.baseField', { got: show(k) });
  if (base.presetId !== undefined && (typeof base.presetId !== 'string' || !experimentById(base.presetId))) fail('sweep.preset', { got: show(base.presetId) });
  if (base.hyperparams !== undefined && !isObject(base.hyperparams)) fail('sweep.baseHyperparams');
  if (!Array.isArray(v.axes) || v.axes.length === 0 || v.axes.length > 4) fail('sweep.axes');
  const axes = v.axes.map(checkAxis);
  const params = axes.map((a) => a.param);
  const twice = params.find((p, i) => params.indexOf(p) !== i);
  if (twice) fail('sweep.axisTwice', { param: twice });
  const s = v.sampling ?? { kind: 'grid' };
  let sampling: SweepSpec['sampling'];
  if (isObject(s) && s.kind === 'grid') sampling = { kind: 'grid' };
  else if (isObject(s) && s.kind === 'random') {
    if (typeof s.count !== 'number' || !Number.isInteger(s.count) || s.count < 1 || s.count > MAX_SWEEP_POINTS)
      fail('sweep.samplingCount', { max: MAX_SWEEP_POINTS, got: show(s.count) });
    const seed = s.seed ?? 1;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) fail('sweep.samplingSeed', { got: show(seed) });
    sampling = { kind: 'random', count: s.count, seed };
  } else fail('sweep.sampling', { got: show(s) });
  const seeds = v.seeds ?? 1;
  if (typeof seeds !== 'number' || !Number.isInteger(seeds) || seeds < 1 || seeds > 100) fail('sweep.seeds', { got: show(seeds) });
  const spec: SweepSpec = {
    name: name.trim(),
    base: {
      ...(base.presetId ? { presetId: base.presetId as string } : {}),
      ...(base.hyperparams ? { hyperparams: base.hyperparams as Partial<Hyperparams> } : {}),
    },
    axes,
    sampling,
    seeds,
  };
  // Expanding checks every point's hyperparameters (e.g. log-likelihood needs no extra rule, but sizes must fit the limits).
  expandSweep(spec);
  return spec;
}

/** The base hyperparameters: the preset's (or the defaults), changed by base.hyperparams. */
export function sweepBase(spec: SweepSpec): Hyperparams {
  const preset = spec.base.presetId ? experimentById(spec.base.presetId) : undefined;
  try {
    return validateHyperparams({ ...(preset?.hyperparams ?? {}), ...(spec.base.hyperparams ?? {}) });
  } catch (e) {
    throw located(e, 'base');
  }
}

function apply(hp: Hyperparams, param: AxisParam, v: AxisValue): Hyperparams {
  if (param === 'hidden') return { ...hp, sizes: [hp.sizes[0], ...(v as number[]), hp.sizes[hp.sizes.length - 1]] };
  return { ...hp, [param]: v };
}

/** Every point of the sweep, in training order: each combination, then its repeats (seeds). */
export function expandSweep(spec: SweepSpec): SweepPoint[] {
  const base = sweepBase(spec);
  const lists = spec.axes.map((a) => a.values ?? rangeValues(a.range!));
  let combos: AxisValue[][] = [[]];
  if (spec.sampling.kind === 'grid') {
    for (const list of lists) combos = combos.flatMap((c) => list.map((v) => [...c, v]));
  } else {
    const rng = new Rng(spec.sampling.seed);
    combos = Array.from({ length: spec.sampling.count }, () => lists.map((list) => list[rng.int(list.length)]));
  }
  if (combos.length * spec.seeds > MAX_SWEEP_POINTS) fail('sweep.tooManyPoints', { n: combos.length * spec.seeds, max: MAX_SWEEP_POINTS });
  const points: SweepPoint[] = [];
  for (const values of combos) {
    let hp = base;
    values.forEach((v, i) => (hp = apply(hp, spec.axes[i].param, v)));
    for (let repeat = 0; repeat < spec.seeds; repeat++) {
      const withSeed = { ...hp, seed: base.seed + repeat };
      let checked: Hyperparams;
      try {
        checked = validateHyperparams(withSeed);
      } catch (e) {
        throw located(e, `point ${spec.axes.map((a, i) => `${a.param} = ${formatValue(values[i])}`).join(', ')}`);
      }
      points.push({ index: points.length, values, repeat, hyperparams: checked });
    }
  }
  return points;
}

export function formatValue(v: AxisValue): string {
  return Array.isArray(v) ? v.join('-') : String(v);
}

/** What a finished point's run gave (kept in the sweep, so its results outlive the run). */
export interface PointResult {
  bestEvalAccuracy: number | null;
  bestEpoch: number | null;
  /** The last epoch's costs, when monitored. */
  finalTrainCost: number | null;
  finalEvalCost: number | null;
  seconds: number;
  /** Per epoch, for the mean ± band curves and the learning-rate threshold. */
  evalAccuracy: (number | null)[];
  trainCost: (number | null)[];
}

export interface MeanSd {
  mean: number;
  sd: number;
  n: number;
}

/** Mean and sample standard deviation (0 for one value) of the finite values; null when there are none. */
export function meanSd(values: readonly (number | null | undefined)[]): MeanSd | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, n: xs.length };
}

export type SweepState = 'running' | 'paused' | 'stopped' | 'finished';
export type PointState = 'queued' | 'running' | 'done' | 'failed';

export interface SweepPointRecord {
  index: number;
  values: AxisValue[];
  repeat: number;
  seed: number;
  runId: string | null;
  state: PointState;
  result: PointResult | null;
  /** Why the point's run failed (it diverged, its worker crashed). */
  error: string | null;
}

/** A sweep as the UI and the CLI see it. */
export interface SweepSummary {
  id: string;
  spec: SweepSpec;
  state: SweepState;
  createdAt: string;
  points: SweepPointRecord[];
  /** Points done or failed. */
  done: number;
  /** Seconds to go, from the points done so far (null before the first). */
  etaSeconds: number | null;
}

/** One combination of axis values and its repeats' results. */
export interface SweepCell {
  values: AxisValue[];
  key: string;
  results: PointResult[];
  bestEvalAccuracy: MeanSd | null;
  finalTrainCost: MeanSd | null;
  finalEvalCost: MeanSd | null;
  seconds: MeanSd | null;
}

/** Groups finished points by their axis values (repeats together), in sweep order. */
export function sweepCells(points: readonly { values: AxisValue[]; result: PointResult | null }[]): SweepCell[] {
  const cells = new Map<string, SweepCell>();
  for (const p of points) {
    const key = JSON.stringify(p.values);
    let c = cells.get(key);
    if (!c) {
      c = { values: p.values, key, results: [], bestEvalAccuracy: null, finalTrainCost: null, finalEvalCost: null, seconds: null };
      cells.set(key, c);
    }
    if (p.result) c.results.push(p.result);
  }
  for (const c of cells.values()) {
    c.bestEvalAccuracy = meanSd(c.results.map((r) => r.bestEvalAccuracy));
    c.finalTrainCost = meanSd(c.results.map((r) => r.finalTrainCost));
    c.finalEvalCost = meanSd(c.results.map((r) => r.finalEvalCost));
    c.seconds = meanSd(c.results.map((r) => r.seconds));
  }
  return [...cells.values()];
}

/** Per epoch, the mean ± sd of a series over a cell's repeats. */
export function meanCurve(results: readonly PointResult[], series: 'evalAccuracy' | 'trainCost'): (MeanSd | null)[] {
  const epochs = Math.max(0, ...results.map((r) => r[series].length));
  return Array.from({ length: epochs }, (_, e) => meanSd(results.map((r) => r[series][e])));
}

/**
 * Chapter 3's learning-rate threshold: the largest η whose mean training cost falls over the first
 * epochs (each epoch's cost below the one before, the last below the first). Null when none does.
 */
export function etaThreshold(cells: readonly SweepCell[], etaAxis: number): { eta: number | null; falling: { eta: number; falls: boolean }[] } {
  const falling = cells
    .filter((c) => c.results.length > 0)
    .map((c) => {
      const curve = meanCurve(c.results, 'trainCost').map((m) => m?.mean ?? NaN);
      const falls = curve.length >= 2 && curve.every((v, i) => Number.isFinite(v) && (i === 0 || v < curve[i - 1]));
      return { eta: c.values[etaAxis] as number, falls };
    })
    .sort((a, b) => a.eta - b.eta);
  const ok = falling.filter((f) => f.falls);
  return { eta: ok.length ? ok[ok.length - 1].eta : null, falling };
}

/** The book's recipes as sweeps, on a base the user can change. */
export const SWEEP_PRESETS: { id: string; name: string; book: string; spec: SweepSpec }[] = [
  {
    id: 'eta-threshold',
    name: 'Learning-rate threshold',
    book: 'Ch. 3: η on a log scale; the threshold is the largest η whose training cost falls over the first epochs',
    spec: {
      name: 'learning-rate threshold',
      base: { hyperparams: { sizes: [784, 30, 10], lambda: 5, epochs: 3, trainSize: 10_000, evalSet: 'validation', monitor: monitors(true) } },
      axes: [{ param: 'eta', range: { scale: 'log', from: 0.01, to: 100, count: 9 } }],
      sampling: { kind: 'grid' },
      seeds: 1,
    },
  },
  {
    id: 'lambda-log',
    name: 'λ on a log scale',
    book: 'Ch. 3: try λ = 0.01 … 100, then refine around the best',
    spec: {
      name: 'λ on a log scale',
      base: { hyperparams: { sizes: [784, 30, 10], eta: 0.5, epochs: 10, trainSize: 10_000, evalSet: 'validation' } },
      axes: [{ param: 'lambda', range: { scale: 'log', from: 0.01, to: 100, count: 5 } }],
      sampling: { kind: 'grid' },
      seeds: 3,
    },
  },
  {
    id: 'train-size',
    name: 'Accuracy against training-set size',
    book: 'Ch. 3: more training data helps; accuracy keeps climbing from 1,000 to 50,000 images',
    spec: {
      name: 'accuracy against training-set size',
      base: { hyperparams: { sizes: [784, 30, 10], eta: 0.5, lambda: 5, epochs: 10, evalSet: 'validation' } },
      axes: [{ param: 'trainSize', values: [1000, 2000, 5000, 10_000, 20_000, 50_000] }],
      sampling: { kind: 'grid' },
      seeds: 1,
    },
  },
  {
    id: 'hidden-size',
    name: 'Hidden-layer size',
    book: 'Ch. 3: 30 against 100 hidden neurons, and more',
    spec: {
      name: 'hidden-layer size',
      base: { hyperparams: { eta: 0.5, lambda: 5, epochs: 10, trainSize: 10_000, evalSet: 'validation' } },
      axes: [{ param: 'hidden', values: [[10], [30], [100], [300]] }],
      sampling: { kind: 'grid' },
      seeds: 1,
    },
  },
  {
    id: 'seeds-5',
    name: 'The same run over 5 seeds',
    book: 'Ch. 3: trust no single run; the spread over seeds is the noise a comparison must beat',
    spec: {
      name: 'the same run over 5 seeds',
      base: { presetId: 'ch3-ce-30', hyperparams: { epochs: 10 } },
      axes: [{ param: 'eta', values: [0.5] }],
      sampling: { kind: 'grid' },
      seeds: 5,
    },
  },
];

function monitors(trainCost: boolean): Hyperparams['monitor'] {
  return { evalAccuracy: true, evalCost: false, trainAccuracy: false, trainCost, inside: false };
}

/** The short form of an axis on the command line: `eta=log:0.01:10:7`, `lambda=lin:0:5:6` or `hidden=30,100` / `init=default,large`. */
export function parseAxisFlag(flag: string): Axis {
  const m = /^([a-zA-Z]+)=(.+)$/.exec(flag);
  // The command line's own error (the CLI stays English).
  if (!m) throw new Error(`--axis must look like eta=log:0.01:10:7 or hidden=30,100, got ${show(flag)}`);
  const [, param, rest] = m;
  const r = /^(log|lin|linear):([^:]+):([^:]+):(\d+)$/.exec(rest);
  const axis: Record<string, unknown> = { param };
  if (r) axis.range = { scale: r[1] === 'log' ? 'log' : 'linear', from: Number(r[2]), to: Number(r[3]), count: Number(r[4]) };
  else
    axis.values = rest.split(',').map((s) => {
      if (param === 'hidden') return s.split('-').map(Number);
      const n = Number(s);
      return s.trim() !== '' && Number.isFinite(n) ? n : s;
    });
  return checkAxis(axis, 0);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV row per point: its axis values, seed, state and results. */
export function sweepCsv(s: SweepSummary): string {
  const head = [
    ...s.spec.axes.map((a) => a.param),
    'seed',
    'state',
    'runId',
    'bestEvalAccuracy',
    'bestEpoch',
    'finalTrainCost',
    'finalEvalCost',
    'seconds',
    'error',
  ];
  const rows = s.points.map((p) => [
    ...p.values.map(formatValue),
    String(p.seed),
    p.state,
    p.runId ?? '',
    p.result?.bestEvalAccuracy == null ? '' : String(p.result.bestEvalAccuracy),
    p.result?.bestEpoch == null ? '' : String(p.result.bestEpoch),
    p.result?.finalTrainCost == null ? '' : String(p.result.finalTrainCost),
    p.result?.finalEvalCost == null ? '' : String(p.result.finalEvalCost),
    p.result ? String(p.result.seconds) : '',
    p.error ?? '',
  ]);
  return [head, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
