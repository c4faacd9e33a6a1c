// Command-line flags to Hyperparams and back: the one mapping between DESIGN.md's CLI contract
// and the hyperparameter object, so a flag means the same thing everywhere.
import type { Augmentation, Hyperparams, Monitors } from '../engine/hyperparams';
import { defaultHyperparams, validateHyperparams } from '../engine/hyperparams';
import { EXPERIMENTS, experimentById } from '../shared/experiments';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Splits argv into positionals and --flag value / --flag=value / boolean --flag. */
export function parseArgs(argv: string[], booleanFlags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (booleanFlags.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq > 0) {
      flags.set(name, a.slice(eq + 1));
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
      i++;
    }
  }
  return { positional, flags };
}

export function checkKnown(flags: Map<string, string | true>, known: readonly string[]): void {
  for (const f of flags.keys()) if (!known.includes(f)) throw new UsageError(`unknown option --${f} (known: ${known.map((k) => '--' + k).join(' ')})`);
}

/** A flag's value as a whole number from min to max (undefined when the flag is absent); one line if not. */
export function wholeFlag(flags: Map<string, string | true>, name: string, min: number, max: number): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Plain decimal numbers only: Number() would also take "0x10", "0b1" or "  ". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A flag's value as a plain decimal number; one line naming the flag if it is not one. */
export function number(flag: string, v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

function integer(flag: string, v: string): number {
  const n = number(flag, v);
  if (!Number.isInteger(n)) throw new UsageError(`--${flag} must be an integer, got ${v}`);
  return n;
}

const COST_FLAGS: Record<string, Hyperparams['cost']> = { quadratic: 'quadratic', 'cross-entropy': 'cross-entropy', 'log-likelihood': 'log-likelihood' };
const MONITOR_FLAGS: Record<string, keyof Monitors> = {
  'eval-accuracy': 'evalAccuracy',
  'eval-cost': 'evalCost',
  'train-accuracy': 'trainAccuracy',
  'train-cost': 'trainCost',
  inside: 'inside',
};

/** Parses `rotate:DEG,shift:PX,elastic:ALPHA/SIGMA` (any subset, any order). */
export function parseAugment(spec: string): Augmentation {
  const aug: Augmentation = { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
  const seen = new Set<string>();
  for (const part of spec.split(',')) {
    const m = /^(rotate|shift|elastic):(.+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--augment: cannot read ${JSON.stringify(part)} (expected rotate:DEG, shift:PX or elastic:ALPHA/SIGMA)`);
    const [, kind, value] = m;
    if (seen.has(kind)) throw new UsageError(`--augment: ${kind} is given twice`);
    seen.add(kind);
    if (kind === 'rotate') aug.rotateDeg = number('augment rotate', value);
    else if (kind === 'shift') aug.shiftPx = integer('augment shift', value);
    else {
      const em = /^([^/]+)\/([^/]+)$/.exec(value);
      if (!em) throw new UsageError(`--augment: elastic needs ALPHA/SIGMA, got ${JSON.stringify(value)}`);
      aug.elasticAlpha = number('augment elastic alpha', em[1]);
      aug.elasticSigmaPx = number('augment elastic sigma', em[2]);
    }
  }
  return aug;
}

export const TRAIN_FLAGS = [
  'sizes',
  'activation',
  'cost',
  'init',
  'eta',
  'lambda',
  'l1',
  'momentum',
  'dropout',
  'batch',
  'epochs',
  'train-size',
  'eval',
  'monitor',
  'early-stop',
  'schedule',
  'augment',
  'seed',
  'save',
  'json',
  'backend',
  'preset',
  'save-best',
  'from',
  'digits',
] as const;

/** Builds validated Hyperparams from train's flags; any bad value is one UsageError line. */
export function hyperparamsFromFlags(flags: Map<string, string | true>): Hyperparams {
  // --preset ID starts from one of the book's experiments; the other flags change it.
  const presetFlag = flags.get('preset');
  if (presetFlag === true) throw new UsageError('--preset needs an experiment id');
  const preset = presetFlag === undefined ? undefined : experimentById(presetFlag);
  if (presetFlag !== undefined && !preset)
    throw new UsageError(`unknown preset ${JSON.stringify(presetFlag)} (one of ${EXPERIMENTS.map((e) => e.id).join(', ')})`);
  const hp: Record<string, unknown> = { ...structuredClone(preset?.hyperparams ?? defaultHyperparams()) };
  const get = (k: string): string | undefined => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const v = (k: string) => get(k);
  if (v('sizes') !== undefined) {
    hp.sizes = v('sizes')!
      .split(',')
      .map((s) => {
        const n = Number(s);
        if (!/^\d+$/.test(s.trim()) || !Number.isInteger(n))
          throw new UsageError(`--sizes must be comma-separated integers, got ${JSON.stringify(v('sizes'))}`);
        return n;
      });
  }
  if (v('activation') !== undefined) hp.activation = v('activation');
  if (v('cost') !== undefined) {
    const c = COST_FLAGS[v('cost')!];
    if (!c) throw new UsageError(`unknown cost ${JSON.stringify(v('cost'))} (expected quadratic, cross-entropy or log-likelihood)`);
    hp.cost = c;
  }
  if (v('init') !== undefined) hp.init = v('init');
  for (const [flag, key] of [
    ['eta', 'eta'],
    ['lambda', 'lambda'],
    ['l1', 'l1'],
    ['momentum', 'momentum'],
    ['dropout', 'dropout'],
  ] as const) {
    if (v(flag) !== undefined) hp[key] = number(flag, v(flag)!);
  }
  for (const [flag, key] of [
    ['batch', 'batchSize'],
    ['epochs', 'epochs'],
    ['train-size', 'trainSize'],
    ['early-stop', 'earlyStop'],
    ['seed', 'seed'],
  ] as const) {
    if (v(flag) !== undefined) hp[key] = integer(flag, v(flag)!);
  }
  if (v('eval') !== undefined) hp.evalSet = v('eval');
  if (v('monitor') !== undefined) {
    const m: Monitors = { evalAccuracy: false, evalCost: false, trainAccuracy: false, trainCost: false, inside: false };
    for (const name of v('monitor')!.split(',')) {
      const key = MONITOR_FLAGS[name.trim()];
      if (!key) throw new UsageError(`unknown monitor ${JSON.stringify(name)} (expected ${Object.keys(MONITOR_FLAGS).join(', ')})`);
      m[key] = true;
    }
    hp.monitor = m;
  }
  if (v('schedule') !== undefined) {
    const m = /^halve:(\d+)$/.exec(v('schedule')!);
    if (!m) throw new UsageError(`--schedule must be halve:N, got ${JSON.stringify(v('schedule'))}`);
    hp.halveAfter = Number(m[1]);
    if (hp.halveAfter === 0) throw new UsageError('--schedule halve:N needs N of at least 1');
  }
  if (v('augment') !== undefined) hp.augment = parseAugment(v('augment')!);
  if (v('digits') !== undefined) {
    const list = v('digits')!
      .split(',')
      .map((s) => s.trim());
    if (list.some((s) => !/^\d$/.test(s)))
      throw new UsageError(`--digits must be digits 0-9 separated by commas, like 0,1, got ${JSON.stringify(v('digits'))}`);
    hp.digits = list.map(Number);
  }
  try {
    return validateHyperparams(hp);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(flagName((e as Error).message));
  }
}

/** Rewrites a hyperparameter name at the start of a validation message into its CLI flag. */
function flagName(message: string): string {
  const map: Record<string, string> = {
    batchSize: '--batch',
    trainSize: '--train-size',
    earlyStop: '--early-stop',
    evalSet: '--eval',
    halveAfter: '--schedule',
    eta: '--eta',
    lambda: '--lambda',
    l1: '--l1',
    momentum: '--momentum',
    dropout: '--dropout',
    epochs: '--epochs',
    seed: '--seed',
    sizes: '--sizes',
    activation: '--activation',
    init: '--init',
    rotateDeg: '--augment rotate',
    shiftPx: '--augment shift',
    elasticAlpha: '--augment elastic alpha',
    elasticSigmaPx: '--augment elastic sigma',
    digits: '--digits',
  };
  return message
    .replace(/^(unknown )?([a-zA-Z]+)/, (whole, unknown: string | undefined, name: string) => (map[name] ? `${unknown ?? ''}${map[name]}` : whole))
    .replace('and halveAfter (the schedule)', 'and --schedule')
    .replace('so it must be "validation"', 'so --eval must be validation')
    .replace('set evalSet to "validation" or "test"', '--eval validation or test');
}
