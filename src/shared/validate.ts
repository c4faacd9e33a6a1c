// The one validation of every call that crosses a process boundary. Electron's IPC handlers and the
// browser-mode WebSocket both hand untrusted arguments to dispatchCall, which checks them against
// each verb's rules and calls the services with typed, clean values; a bad call is refused with one
// line that names the verb and the argument. The services themselves trust their arguments.
import { validateHyperparams, type Augmentation, type Hyperparams } from '../engine/hyperparams';
import type { BackpropInput, BackpropRequest, BaselineRequest, GrayImage, LabApi, ModelRef, ParamRef, RunId } from './api';
import type { CostName } from '../engine/hyperparams';
import { experimentById } from './experiments';
import { validateSweepSpec, type SweepSpec } from './sweep';
import type { NeuronSetup } from '../engine/neuron';
import { LabError, locate, reasonOf, type TextField } from './errors';
import { MAX_NOTE_CHARS, MAX_ETA, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_SIDE, MAX_MODEL_BYTES, MAX_NAME_CHARS } from './limits';

export class CallError extends Error {
  override name = 'CallError';
}

function fail(msg: string): never {
  throw new CallError(msg);
}

/** A short, one-line picture of a value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Run ids name folders: lower-case letters, digits and dashes only (run-20260101-120000-ab12cd). */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function runId(v: unknown): RunId {
  if (typeof v !== 'string' || !RUN_ID_PATTERN.test(v)) fail(`run id must be a string like "run-20260101-120000-ab12cd", got ${describe(v)}`);
  return v;
}

export function eta(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_ETA) fail(`eta must be a number in (0, ${MAX_ETA}], got ${describe(v)}`);
  return v;
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${what} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  return v;
}

function text(v: unknown, what: TextField, maxLength: number): string {
  if (typeof v !== 'string') fail(`${what} must be a string, got ${describe(v)}`);
  // A person can reach this one (a long note, a dropped file too big): it has a reason the UI words.
  if (v.length > maxLength) throw new LabError('call.tooLong', { what, n: v.length, max: maxLength });
  return v;
}

// eslint-disable-next-line no-control-regex -- control characters are what is matched
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A display name: control characters become spaces; empty means "choose one for me" (null). */
function name(v: unknown, what: TextField): string | null {
  if (v === undefined || v === null) return null;
  return text(v, what, MAX_NAME_CHARS).replace(CONTROL_CHARACTERS, ' ').trim() || null;
}

/** Base64 text of at most maxBytes bytes. */
function base64(v: unknown, what: TextField, maxBytes: number): string {
  const s = text(v, what, Math.ceil(maxBytes / 3) * 4);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail(`${what} must be base64 text`);
  return s;
}

function presetId(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !experimentById(v)) fail(`preset must be the id of one of the book's experiments, got ${describe(v)}`);
  return v;
}

function finite(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${what} must be a number in [${min}, ${max}], got ${describe(v)}`);
  return v;
}

function neuronSetup(v: unknown): NeuronSetup {
  if (!isPlainObject(v)) fail(`neuron setup must be an object {cost, w, b, x, y, eta, epochs}, got ${describe(v)}`);
  for (const k of Object.keys(v)) if (!['cost', 'w', 'b', 'x', 'y', 'eta', 'epochs'].includes(k)) fail(`unknown neuron setting ${describe(k)}`);
  if (v.cost !== 'quadratic' && v.cost !== 'cross-entropy') fail(`neuron cost must be "quadratic" or "cross-entropy", got ${describe(v.cost)}`);
  const eta = finite(v.eta, 'η', 0, 1e6);
  if (eta === 0) fail('η must be a positive number, got 0');
  return {
    cost: v.cost,
    w: finite(v.w, 'w', -1e6, 1e6),
    b: finite(v.b, 'b', -1e6, 1e6),
    x: finite(v.x, 'x', -1e6, 1e6),
    y: finite(v.y, 'y', 0, 1),
    eta,
    epochs: int(v.epochs, 'epochs', 0, 100_000),
  };
}

function dataName(v: unknown): 'validation' | 'test' {
  if (v !== 'validation' && v !== 'test') fail(`data must be "validation" or "test", got ${describe(v)}`);
  return v;
}

export function modelRef(v: unknown): ModelRef {
  if (!isPlainObject(v)) fail(`model must be an object like {"kind": "default"}, got ${describe(v)}`);
  if (v.kind === 'default') return { kind: 'default' };
  if (v.kind === 'run') {
    if (v.which !== 'current' && v.which !== 'best') fail(`model.which must be "current" or "best", got ${describe(v.which)}`);
    return { kind: 'run', runId: runId(v.runId), which: v.which };
  }
  if (v.kind === 'loaded') {
    if (typeof v.id !== 'string' || !/^m\d{1,9}$/.test(v.id)) fail(`model.id must be a loaded model's id, a string like "m1", got ${describe(v.id)}`);
    return { kind: 'loaded', id: v.id };
  }
  fail(`model.kind must be "default", "run" or "loaded", got ${describe(v.kind)}`);
}

/** A drawing or decoded image: integer size within limits, one finite 0..255 value per pixel. */
export function grayImage(v: unknown): GrayImage {
  if (!isPlainObject(v)) fail(`image must be an object {width, height, pixels}, got ${describe(v)}`);
  const width = int(v.width, 'image.width', 1, MAX_IMAGE_SIDE);
  const height = int(v.height, 'image.height', 1, MAX_IMAGE_SIDE);
  const p = v.pixels;
  if (!Array.isArray(p) && !(p instanceof Uint8Array) && !(p instanceof Uint8ClampedArray)) fail(`image.pixels must be a list of numbers, got ${describe(p)}`);
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

const COSTS: readonly CostName[] = ['quadratic', 'cross-entropy', 'log-likelihood'];
/** Gradient checks per backprop call. */
export const MAX_CHECKS = 100;
/** Layers and neurons are bounded by the parameter limit; any index beyond a network's is refused by the engine. */
const MAX_INDEX = 15_000_000;

function backpropInput(v: unknown): BackpropInput {
  if (!isPlainObject(v)) fail(`input must be an object {kind: "drawing", image} or {kind: "mnist", data, index}, got ${describe(v)}`);
  if (v.kind === 'drawing') return { kind: 'drawing', image: grayImage(v.image) };
  if (v.kind === 'mnist') {
    if (v.data !== 'train' && v.data !== 'validation' && v.data !== 'test') fail(`input.data must be "train", "validation" or "test", got ${describe(v.data)}`);
    return { kind: 'mnist', data: v.data, index: int(v.index, 'input.index', 0, 49_999) };
  }
  fail(`input.kind must be "drawing" or "mnist", got ${describe(v.kind)}`);
}

function paramRef(v: unknown, where: string): ParamRef {
  if (!isPlainObject(v)) fail(`${where} must be an object {layer, kind, j, k}, got ${describe(v)}`);
  if (v.kind !== 'weight' && v.kind !== 'bias') fail(`${where}.kind must be "weight" or "bias", got ${describe(v.kind)}`);
  const k = v.kind === 'bias' ? (v.k === null || v.k === undefined ? null : fail(`${where}: a bias has no input k`)) : int(v.k, `${where}.k`, 0, MAX_INDEX);
  return { layer: int(v.layer, `${where}.layer`, 0, 1000), kind: v.kind, j: int(v.j, `${where}.j`, 0, MAX_INDEX), k };
}

function backpropRequest(v: unknown): BackpropRequest {
  if (!isPlainObject(v)) fail(`request must be an object {model, input, target, cost, select, check}, got ${describe(v)}`);
  for (const k of Object.keys(v)) if (!['model', 'input', 'target', 'cost', 'select', 'check'].includes(k)) fail(`unknown backprop setting ${describe(k)}`);
  const cost = v.cost ?? null;
  if (cost !== null && !COSTS.includes(cost as CostName)) fail(`cost must be quadratic, cross-entropy or log-likelihood, got ${describe(cost)}`);
  const sel = v.select ?? null;
  if (sel !== null && !isPlainObject(sel)) fail(`select must be an object {layer, j} or null, got ${describe(sel)}`);
  const check = v.check ?? [];
  if (!Array.isArray(check)) fail(`check must be a list of parameters, got ${describe(check)}`);
  if (check.length > MAX_CHECKS) fail(`check lists ${check.length} parameters, more than the limit of ${MAX_CHECKS}`);
  return {
    model: modelRef(v.model),
    input: backpropInput(v.input),
    target: v.target === null || v.target === undefined ? null : int(v.target, 'target', 0, 9),
    cost: cost as CostName | null,
    select: sel === null ? null : { layer: int(sel.layer, 'select.layer', 0, 1000), j: int(sel.j, 'select.j', 0, MAX_INDEX) },
    check: check.map((c, i) => paramRef(c, `check[${i}]`)),
  };
}

function baselineRequest(v: unknown): BaselineRequest {
  if (!isPlainObject(v)) fail(`request must be an object {method: "darkness"} or {method: "svm", trainSize, testSize}, got ${describe(v)}`);
  if (v.method === 'darkness') return { method: 'darkness' };
  if (v.method === 'svm') return { method: 'svm', trainSize: int(v.trainSize, 'trainSize', 10, 50_000), testSize: int(v.testSize, 'testSize', 1, 10_000) };
  fail(`method must be "darkness" or "svm", got ${describe(v.method)}`);
}

function sweepSpec(v: unknown): SweepSpec {
  try {
    return validateSweepSpec(v);
  } catch (e) {
    fail((e as Error).message);
  }
}

function sweepId(v: unknown): string {
  if (typeof v !== 'string' || !/^sweep-[a-z0-9-]{1,60}$/.test(v)) fail(`sweep id must be a string like "sweep-20260101-120000-ab12cd", got ${describe(v)}`);
  return v;
}

function hyperparams(v: unknown): Hyperparams {
  try {
    return validateHyperparams(v);
  } catch (e) {
    fail((e as Error).message);
  }
}

function augmentation(v: unknown): Augmentation {
  if (!isPlainObject(v)) fail(`augment must be an object, got ${describe(v)}`);
  return hyperparams({ augment: v }).augment ?? { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
}

/** Indexes run through training (0-49,999), validation (50,000-59,999) and test (60,000-69,999). */
export const LAST_IMAGE_INDEX = 69_999;

type Calls = Omit<LabApi, 'onEvent'>;
/** Each verb's arguments, checked: what the services receive. */
type Checked = { [K in keyof Calls]: (args: unknown[]) => Parameters<Calls[K]> };

function arity(args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) fail(`takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
}

/** One entry per LabApi verb (onEvent is a subscription, not a call). */
export const LAB_CALLS: Checked = {
  listRuns: (a) => (arity(a, 0), []),
  startRun: (a) => {
    arity(a, 1, 4);
    const hp = hyperparams(a[0]);
    return [hp, name(a[1], 'run name') ?? undefined, presetId(a[2]), a[3] === undefined || a[3] === null ? undefined : modelRef(a[3])];
  },
  pauseRun: (a) => (arity(a, 1), [runId(a[0])]),
  resumeRun: (a) => (arity(a, 1), [runId(a[0])]),
  stopRun: (a) => (arity(a, 1), [runId(a[0])]),
  setEta: (a) => (arity(a, 2), [runId(a[0]), eta(a[1])]),
  describeRun: (a) => {
    arity(a, 3);
    // A note keeps its line breaks; other control characters become spaces.
    const note = a[2] === null || a[2] === undefined ? null : text(a[2], 'note', MAX_NOTE_CHARS).replace(CONTROL_CHARACTERS, (c) => (c === '\n' ? c : ' '));
    return [runId(a[0]), name(a[1], 'run name'), note];
  },
  deleteRun: (a) => (arity(a, 1), [runId(a[0])]),
  runHistory: (a) => (arity(a, 1), [runId(a[0])]),
  runCsv: (a) => (arity(a, 1), [runId(a[0])]),
  listModels: (a) => (arity(a, 0), []),
  decodeImage: (a) => (arity(a, 2), [base64(a[0], 'image data', MAX_IMAGE_FILE_BYTES), text(a[1], 'image name', MAX_NAME_CHARS)]),
  predict: (a) => (arity(a, 2), [modelRef(a[0]), grayImage(a[1])]),
  modelJson: (a) => (arity(a, 1), [modelRef(a[0])]),
  loadModelJson: (a) => {
    arity(a, 1, 2);
    return [text(a[0], 'model text', MAX_MODEL_BYTES), name(a[1], 'model name') ?? 'Loaded model'];
  },
  confusion: (a) => (arity(a, 2), [modelRef(a[0]), dataName(a[1])]),
  gallery: (a) => {
    arity(a, 5);
    return [modelRef(a[0]), dataName(a[1]), int(a[2], 'actual', 0, 9), int(a[3], 'predicted', 0, 9), int(a[4], 'limit', 1, 1000)];
  },
  receptiveFields: (a) => (arity(a, 2), [modelRef(a[0]), int(a[1], 'limit', 1, 10_000)]),
  neuron: (a) => (arity(a, 1), [neuronSetup(a[0])]),
  backprop: (a) => (arity(a, 1), [backpropRequest(a[0])]),
  baseline: (a) => (arity(a, 1), [baselineRequest(a[0])]),
  listSweeps: (a) => (arity(a, 0), []),
  startSweep: (a) => (arity(a, 1), [sweepSpec(a[0])]),
  pauseSweep: (a) => (arity(a, 1), [sweepId(a[0])]),
  resumeSweep: (a) => (arity(a, 1), [sweepId(a[0])]),
  stopSweep: (a) => (arity(a, 1), [sweepId(a[0])]),
  deleteSweep: (a) => (arity(a, 1), [sweepId(a[0])]),
  augmentPreview: (a) => {
    arity(a, 4);
    return [augmentation(a[0]), int(a[1], 'index', 0, LAST_IMAGE_INDEX), int(a[2], 'count', 1, 100), int(a[3], 'seed', 0, 2 ** 32 - 1)];
  },
};

export type LabMethod = keyof typeof LAB_CALLS;

export function isLabMethod(m: unknown): m is LabMethod {
  return typeof m === 'string' && Object.hasOwn(LAB_CALLS, m);
}

/** Runs a check; its error names the verb ("pauseRun: run id must be …"). */
export function forVerb<T>(method: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof CallError) throw new CallError(`${method}: ${e.message}`);
    if (reasonOf(e)?.code === 'call.tooLong') throw locate(e, method, (c, p, at) => new LabError(c, p, at));
    throw e;
  }
}

/** Checks an untrusted call's arguments. */
export function checkCall<M extends LabMethod>(method: M, args: unknown[]): Parameters<Calls[M]> {
  return forVerb(method, () => LAB_CALLS[method](args) as Parameters<Calls[M]>);
}

/** The desktop shell's own calls (src/shared/shell-api.ts), checked the same way. */
export const SHELL_CALLS = {
  openModelFile: (a: unknown[]): [] => forVerb('openModelFile', () => (arity(a, 0), [])),
  saveModelFile: (a: unknown[]): [ModelRef] => forVerb('saveModelFile', () => (arity(a, 1), [modelRef(a[0])])),
};

/** Validates an untrusted call and runs it on the services. */
export async function dispatchCall(api: Calls, method: unknown, args: unknown): Promise<unknown> {
  if (!isLabMethod(method)) fail(`unknown method ${describe(method)}`);
  if (!Array.isArray(args)) fail(`${method}: arguments must be a list`);
  const clean = checkCall(method, args);
  return (api[method] as (...a: unknown[]) => Promise<unknown>)(...clean);
}
