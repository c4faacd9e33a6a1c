// An error as the user reads it: a refusal with a reason (src/shared/errors: a code, its
// parameters, where) is worded from the catalogues' `error.*` in the current language; anything
// else (an internal failure, a lost connection) is its one English line. Every place the UI shows
// an error goes through errorText (or reasonText for a run's stored failure).
import { MESSAGES, reasonOf, splitReason, type ErrorParams, type Reason } from '../../../shared/errors';
import { num, t } from './i18n.svelte';

/** Electron's IPC puts this before an error's message. */
const ELECTRON_PREFIX = /^Error invoking remote method '[^']+': (\w*Error: )?/;

/** The English words src/shared/validate's and model-json's `describe` give a value. */
const VALUE_WORDS: [RegExp, string][] = [
  [/^a list of (\d+)$/, 'error.value.listOf'],
  [/^a list$/, 'error.value.list'],
  [/^an object$/, 'error.value.object'],
  [/^nothing$/, 'error.value.nothing'],
];

function word(key: string, v: string | number): string {
  if (typeof v === 'number') return key === 'code' || key === 'epoch' || key === 'i' || key === 'index' || key === 'eta' ? String(v) : num(v);
  if (key === 'field') return t(`field.${v}`, { defaultValue: v });
  if (key === 'what') return t(`error.what.${v}`, { defaultValue: v });
  if (key === 'state') return t(`state.${v}`, { defaultValue: v });
  for (const [re, k] of VALUE_WORDS) {
    const m = re.exec(v);
    if (m) return t(k, { n: m[1] ?? '' });
  }
  return v;
}

/** A reason in the current language (English from src/shared/errors when a catalogue lacks it). */
export function reasonText(r: Reason): string {
  const params: ErrorParams = {};
  for (const [k, v] of Object.entries(r.params)) params[k] = word(k, v);
  // English is src/shared/errors' template, filled with the same worded parameters.
  const text = t(`error.${r.code}`, { ...params, defaultValue: MESSAGES[r.code] });
  return r.at ? `${r.at}: ${text}` : text;
}

/** The reason of an error thrown here, or carried in a transported line. */
export function reasonOfError(e: unknown): Reason | null {
  return reasonOf(e) ?? splitReason(messageOf(e)).reason;
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(ELECTRON_PREFIX, '');
}

/** Any error, as one line in the user's language where it has a reason. */
export function errorText(e: unknown): string {
  const r = reasonOfError(e);
  return r ? reasonText(r) : splitReason(messageOf(e)).text;
}
