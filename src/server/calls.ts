// The LabApi verbs as data: each verb's name and a validator for its arguments. The Electron IPC
// handlers and the browser-mode WebSocket both pass every untrusted call through validateCall
// before it reaches the services, so a malformed message is refused with one line.
import { validateHyperparams, type Augmentation } from '../engine/hyperparams';
import type { GrayImage, LabApi, ModelRef } from '../shared/api';

export class CallError extends Error {
  override name = 'CallError';
}

function fail(msg: string): never {
  throw new CallError(msg);
}

const MAX_MODEL_TEXT_CHARS = 200 * 1024 * 1024;
const MAX_IMAGE_SIDE = 4096;

function runId(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) fail(`${where} must be a run id (a non-empty string), got ${JSON.stringify(v)?.slice(0, 60)}`);
  if (/[\\/\0]/.test(v) || v === '.' || v === '..') fail(`${where} ${JSON.stringify(v)} is not a valid run id`);
  return v;
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${where} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}

function positive(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1e6) fail(`${where} must be a number in (0, 1e6], got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}

function text(v: unknown, where: string, maxChars: number): string {
  if (typeof v !== 'string') fail(`${where} must be a string, got ${typeof v}`);
  if (v.length > maxChars) fail(`${where} is ${v.length} characters, more than the limit of ${maxChars}`);
  return v;
}

function dataSet(v: unknown, where: string): 'validation' | 'test' {
  if (v !== 'validation' && v !== 'test') fail(`${where} must be "validation" or "test", got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}

export function modelRef(v: unknown, where = 'model'): ModelRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be a model reference object`);
  const o = v as Record<string, unknown>;
  if (o.kind === 'default') return { kind: 'default' };
  if (o.kind === 'run') {
    if (o.which !== 'current' && o.which !== 'best') fail(`${where}.which must be "current" or "best", got ${JSON.stringify(o.which)?.slice(0, 60)}`);
    return { kind: 'run', runId: runId(o.runId, `${where}.runId`), which: o.which };
  }
  if (o.kind === 'loaded') return { kind: 'loaded', id: text(o.id, `${where}.id`, 200) };
  fail(`${where}.kind must be "default", "run" or "loaded", got ${JSON.stringify(o.kind)?.slice(0, 60)}`);
}

export function grayImage(v: unknown, where = 'image'): GrayImage {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be an image object {width, height, pixels}`);
  const o = v as Record<string, unknown>;
  const width = int(o.width, `${where}.width`, 1, MAX_IMAGE_SIDE);
  const height = int(o.height, `${where}.height`, 1, MAX_IMAGE_SIDE);
  const p = o.pixels;
  if (!Array.isArray(p)) fail(`${where}.pixels must be a list of numbers`);
  if (p.length !== width * height) fail(`${where}.pixels has ${p.length} values, expected width × height = ${width * height}`);
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    if (typeof x !== 'number' || !(x >= 0 && x <= 255)) fail(`${where}.pixels[${i}] must be a number in [0, 255], got ${JSON.stringify(x)?.slice(0, 60)}`);
  }
  return { width, height, pixels: p as number[] };
}

function augmentation(v: unknown, where: string): Augmentation {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be an augmentation object`);
  try {
    return validateHyperparams({ augment: v }).augment ?? { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
  } catch (e) {
    fail(`${where}: ${(e as Error).message}`);
  }
}

type Validator = (args: unknown[]) => unknown[];

function arity(n: number, m = n) {
  return (method: string, args: unknown[]) => {
    if (args.length < n || args.length > m) fail(`${method} takes ${n === m ? n : `${n} to ${m}`} argument(s), got ${args.length}`);
  };
}

/** One entry per LabApi verb (onEvent is a subscription, not a call). */
export const LAB_CALLS: Record<Exclude<keyof LabApi, 'onEvent'>, Validator> = {
  listRuns: (a) => (arity(0)('listRuns', a), []),
  startRun: (a) => {
    arity(1, 2)('startRun', a);
    let hp;
    try {
      hp = validateHyperparams(a[0]);
    } catch (e) {
      fail(`startRun: ${(e as Error).message}`);
    }
    return a[1] === undefined || a[1] === null ? [hp] : [hp, text(a[1], 'startRun name', 200)];
  },
  pauseRun: (a) => (arity(1)('pauseRun', a), [runId(a[0], 'pauseRun id')]),
  resumeRun: (a) => (arity(1)('resumeRun', a), [runId(a[0], 'resumeRun id')]),
  stopRun: (a) => (arity(1)('stopRun', a), [runId(a[0], 'stopRun id')]),
  setEta: (a) => (arity(2)('setEta', a), [runId(a[0], 'setEta id'), positive(a[1], 'setEta eta')]),
  deleteRun: (a) => (arity(1)('deleteRun', a), [runId(a[0], 'deleteRun id')]),
  runHistory: (a) => (arity(1)('runHistory', a), [runId(a[0], 'runHistory id')]),
  runCsv: (a) => (arity(1)('runCsv', a), [runId(a[0], 'runCsv id')]),
  listModels: (a) => (arity(0)('listModels', a), []),
  predict: (a) => (arity(2)('predict', a), [modelRef(a[0], 'predict model'), grayImage(a[1], 'predict image')]),
  modelJson: (a) => (arity(1)('modelJson', a), [modelRef(a[0], 'modelJson model')]),
  loadModelJson: (a) => (arity(2)('loadModelJson', a), [text(a[0], 'loadModelJson text', MAX_MODEL_TEXT_CHARS), text(a[1], 'loadModelJson name', 200)]),
  confusion: (a) => (arity(2)('confusion', a), [modelRef(a[0], 'confusion model'), dataSet(a[1], 'confusion data')]),
  gallery: (a) => {
    arity(5)('gallery', a);
    return [modelRef(a[0], 'gallery model'), dataSet(a[1], 'gallery data'), int(a[2], 'gallery actual', 0, 9), int(a[3], 'gallery predicted', 0, 9), int(a[4], 'gallery limit', 1, 1000)];
  },
  receptiveFields: (a) => (arity(2)('receptiveFields', a), [modelRef(a[0], 'receptiveFields model'), int(a[1], 'receptiveFields limit', 1, 10_000)]),
  augmentPreview: (a) => {
    arity(4)('augmentPreview', a);
    return [augmentation(a[0], 'augmentPreview augment'), int(a[1], 'augmentPreview index', 0, 69_999), int(a[2], 'augmentPreview count', 1, 100), int(a[3], 'augmentPreview seed', 0, 2 ** 32 - 1)];
  },
};

export type LabMethod = keyof typeof LAB_CALLS;

export function isLabMethod(m: unknown): m is LabMethod {
  return typeof m === 'string' && Object.hasOwn(LAB_CALLS, m);
}

/** Validates an untrusted call and runs it on the services. */
export async function dispatchCall(api: LabApi, method: unknown, args: unknown): Promise<unknown> {
  if (!isLabMethod(method)) fail(`unknown method ${JSON.stringify(method)?.slice(0, 60)}`);
  if (!Array.isArray(args)) fail(`${method}: arguments must be a list`);
  const clean = LAB_CALLS[method](args);
  return (api[method] as (...a: unknown[]) => Promise<unknown>)(...clean);
}
