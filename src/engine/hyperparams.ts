// The one plain, serializable description of a training run: the CLI, the UI, workers and saved
// models all carry this object. validateHyperparams is the single gate for values from outside.

import { MAX_ETA, MAX_LAYER_SIZE, MAX_PARAMETERS, TRAIN_SIZE_MAX } from '../shared/limits';
import { LabError, type ErrorCode, type ErrorParams } from '../shared/errors';

export type Activation = 'sigmoid' | 'tanh' | 'relu';
export type CostName = 'quadratic' | 'cross-entropy' | 'log-likelihood';
export type InitName = 'default' | 'large';
export type EvalSet = 'validation' | 'test' | 'none';

export interface Monitors {
  evalAccuracy: boolean;
  evalCost: boolean;
  trainAccuracy: boolean;
  trainCost: boolean;
  /** Per layer on a probe batch: saturated neurons, histograms of z and a, mean |w|, gradient norm (src/engine/inside). */
  inside: boolean;
}

export interface Augmentation {
  /** Uniform random rotation in ±rotateDeg degrees; 0 = off. */
  rotateDeg: number;
  /** expand_mnist.py-style shift by up to shiftPx pixels in one of four directions; 0 = off. */
  shiftPx: number;
  /** Simard elastic distortion: displacement scale alpha (0 = off) and smoothing sigma in pixels. */
  elasticAlpha: number;
  elasticSigmaPx: number;
}

export interface Hyperparams {
  /** Layer sizes, input first: [784, 30, 10]. */
  sizes: number[];
  /** Hidden-layer activation. The output layer is sigmoid, or softmax with the log-likelihood cost. */
  activation: Activation;
  cost: CostName;
  init: InitName;
  eta: number;
  /** L2 regularization (network2.py's lmbda). */
  lambda: number;
  /** L1 regularization. */
  l1: number;
  /** Momentum coefficient mu; 0 = plain SGD. */
  momentum: number;
  /** Dropout probability on hidden layers, in [0, 1). */
  dropout: number;
  batchSize: number;
  epochs: number;
  /** The first trainSize of the book's 50,000 training images. */
  trainSize: number;
  evalSet: EvalSet;
  monitor: Monitors;
  /** Stop after this many epochs without a better evaluation accuracy; 0 = off. */
  earlyStop: number;
  /** Halve eta after this many epochs without improvement, stop at eta0/128; 0 = off. */
  halveAfter: number;
  augment: Augmentation | null;
  /** Train and evaluate on these digits only (chapter 3's tip for fast exploration); null = all ten. */
  digits: number[] | null;
  seed: number;
}

export function defaultHyperparams(): Hyperparams {
  return {
    sizes: [784, 30, 10],
    activation: 'sigmoid',
    cost: 'cross-entropy',
    init: 'default',
    eta: 0.5,
    lambda: 0,
    l1: 0,
    momentum: 0,
    dropout: 0,
    batchSize: 10,
    epochs: 30,
    trainSize: TRAIN_SIZE_MAX,
    evalSet: 'validation',
    monitor: { evalAccuracy: true, evalCost: false, trainAccuracy: false, trainCost: false, inside: true },
    earlyStop: 0,
    halveAfter: 0,
    augment: null,
    digits: null,
    seed: 1,
  };
}

export class HyperparamError extends LabError {
  override name = 'HyperparamError';
}

const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu'];
const COSTS: readonly CostName[] = ['quadratic', 'cross-entropy', 'log-likelihood'];
const INITS: readonly InitName[] = ['default', 'large'];
const EVAL_SETS: readonly EvalSet[] = ['validation', 'test', 'none'];

function fail(code: ErrorCode, params: ErrorParams = {}): never {
  throw new HyperparamError(code, params);
}

/** A value as the error shows it: JSON, or "undefined" for nothing. */
const shown = (v: unknown): string => String(JSON.stringify(v));

function num(
  o: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  opts: { integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('hp.notNumber', { field: key, got: shown(v) });
  if (opts.integer && !Number.isInteger(v)) fail('hp.notInteger', { field: key, got: v });
  const lowOk = opts.minExclusive ? v > min : v >= min;
  const highOk = opts.maxExclusive ? v < max : v <= max;
  if (!lowOk || !highOk) {
    fail('hp.range', { field: key, open: opts.minExclusive ? '(' : '[', lo: min, hi: max, close: opts.maxExclusive ? ')' : ']', got: v });
  }
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail('hp.unknownChoice', { field: key, got: shown(v), allowed: allowed.join(', ') });
  }
  return v as T;
}

/** Checks layer sizes for the 784-in / 10-out MNIST contract and a sane parameter count. */
export function validateSizes(sizes: unknown, where = 'sizes'): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) fail('hp.sizesList', { field: where });
  sizes.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s <= 0) fail('hp.sizeNotPositive', { field: where, i, got: shown(s) });
    if (s > MAX_LAYER_SIZE) fail('hp.sizeTooLarge', { field: where, i, size: s, max: MAX_LAYER_SIZE });
  });
  const s = sizes as number[];
  if (s[0] !== 784) fail('hp.sizesInput', { field: where, got: s[0] });
  if (s[s.length - 1] !== 10) fail('hp.sizesOutput', { field: where, got: s[s.length - 1] });
  let params = 0;
  for (let l = 1; l < s.length; l++) params += s[l] * (s[l - 1] + 1);
  if (params > MAX_PARAMETERS) fail('hp.tooManyParams', { field: where, sizes: s.join(','), n: params, max: MAX_PARAMETERS });
  return s.slice();
}

/** null (every digit) or a non-empty list of distinct digits 0-9, returned sorted. */
function digitList(v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v) || v.length === 0) fail('hp.digitsList', { field: 'digits', got: shown(v) });
  for (const d of v) if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 9) fail('hp.digitsRange', { field: 'digits', got: shown(d) });
  if (new Set(v).size !== v.length) fail('hp.digitsTwice', { field: 'digits', got: shown(v) });
  return [...(v as number[])].sort((a, b) => a - b);
}

/** Validates an untrusted object (CLI, IPC, WebSocket, checkpoint) into Hyperparams, filling defaults. */
export function validateHyperparams(input: unknown): Hyperparams {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('hp.notObject');
  const o: Record<string, unknown> = { ...defaultHyperparams(), ...(input as Record<string, unknown>) };
  const known = new Set(Object.keys(defaultHyperparams()));
  for (const k of Object.keys(input as object)) if (!known.has(k)) fail('hp.unknownKey', { key: shown(k) });
  const cost = oneOf(o, 'cost', COSTS);
  const monitorIn = o.monitor;
  if (typeof monitorIn !== 'object' || monitorIn === null || Array.isArray(monitorIn)) fail('hp.monitorObject');
  const m = monitorIn as Record<string, unknown>;
  const monitor = defaultHyperparams().monitor;
  for (const k of Object.keys(m)) {
    if (!Object.hasOwn(monitor, k)) fail('hp.unknownMonitor', { key: shown(k) });
    if (typeof m[k] !== 'boolean') fail('hp.monitorBool', { key: k });
    monitor[k as keyof Monitors] = m[k] as boolean;
  }
  let augment: Augmentation | null = null;
  if (o.augment !== null && o.augment !== undefined) {
    if (typeof o.augment !== 'object' || Array.isArray(o.augment)) fail('hp.augmentObject');
    const a = o.augment as Record<string, unknown>;
    for (const k of Object.keys(a)) if (!['rotateDeg', 'shiftPx', 'elasticAlpha', 'elasticSigmaPx'].includes(k)) fail('hp.unknownAugment', { key: shown(k) });
    const ao = { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4, ...a };
    augment = {
      rotateDeg: num(ao, 'rotateDeg', 0, 180),
      shiftPx: num(ao, 'shiftPx', 0, 14, { integer: true }),
      elasticAlpha: num(ao, 'elasticAlpha', 0, 1000),
      elasticSigmaPx: num(ao, 'elasticSigmaPx', 0, 28, { minExclusive: true }),
    };
    if (augment.rotateDeg === 0 && augment.shiftPx === 0 && augment.elasticAlpha === 0) augment = null;
  }
  const hp: Hyperparams = {
    sizes: validateSizes(o.sizes),
    activation: oneOf(o, 'activation', ACTIVATIONS),
    cost,
    init: oneOf(o, 'init', INITS),
    eta: num(o, 'eta', 0, MAX_ETA, { minExclusive: true }),
    lambda: num(o, 'lambda', 0, 1e6),
    l1: num(o, 'l1', 0, 1e6),
    momentum: num(o, 'momentum', 0, 1, { maxExclusive: true }),
    dropout: num(o, 'dropout', 0, 1, { maxExclusive: true }),
    batchSize: num(o, 'batchSize', 1, 60_000, { integer: true }),
    epochs: num(o, 'epochs', 1, 100_000, { integer: true }),
    trainSize: num(o, 'trainSize', 1, TRAIN_SIZE_MAX, { integer: true }),
    evalSet: oneOf(o, 'evalSet', EVAL_SETS),
    monitor,
    earlyStop: num(o, 'earlyStop', 0, 100_000, { integer: true }),
    halveAfter: num(o, 'halveAfter', 0, 100_000, { integer: true }),
    augment,
    digits: digitList(o.digits),
    seed: num(o, 'seed', 0, 2 ** 32 - 1, { integer: true }),
  };
  // Rules across fields, the same for the CLI, the API and the UI.
  if (hp.evalSet === 'none' && (hp.earlyStop > 0 || hp.halveAfter > 0)) {
    fail('hp.scheduleNeedsEval');
  }
  // Chapter 3: choosing hyper-parameters (here, the epoch) by the test data overfits the test data.
  if (hp.evalSet === 'test' && (hp.earlyStop > 0 || hp.halveAfter > 0)) {
    fail('hp.scheduleOnTest');
  }
  return hp;
}

/** The output layer follows from the cost: softmax for log-likelihood, sigmoid otherwise. */
export function outputIsSoftmax(cost: CostName): boolean {
  return cost === 'log-likelihood';
}
