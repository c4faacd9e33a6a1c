// What the desktop shell does beyond a window, as plain functions the Electron glue (index.ts)
// calls: model files named on the command line or by the OS, the recent-models list, the leading
// run's progress for the taskbar, and the notice when a run or sweep ends in the background.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LabEvent, RunProgress, RunSummary } from '../shared/api';
import type { SweepSummary } from '../shared/sweep';
import { writeFileAtomicSync } from './runs/atomic';
import { SHELL_STRINGS, type ShellStrings } from './shell-strings';

/** Model files among a launch's arguments (a second launch, "Open with", a file association). */
export function modelPathsFromArgv(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(1)
    .filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith('.json'))
    .map((a) => resolve(cwd, a))
    .filter((p) => existsSync(p) && statSync(p).isFile());
}

/** The models opened lately, most recent first, kept in a small JSON file (written atomically). */
export class RecentModels {
  static readonly MAX = 8;
  constructor(private readonly file: string) {}

  list(): string[] {
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && existsSync(p)).slice(0, RecentModels.MAX) : [];
    } catch {
      return [];
    }
  }

  add(path: string): string[] {
    const next = [path, ...this.list().filter((p) => p !== path)].slice(0, RecentModels.MAX);
    try {
      writeFileAtomicSync(this.file, JSON.stringify(next));
    } catch {
      // A read-only profile: the list lasts this session only.
    }
    return next;
  }
}

/**
 * The taskbar's progress: the leading run's (the first one training) share of its epochs, from
 * its latest progress; -1 (no bar) when nothing trains.
 */
export function taskbarProgress(runs: readonly RunSummary[], progress: ReadonlyMap<string, RunProgress>): number {
  const run = runs.find((r) => r.state === 'running');
  if (!run) return -1;
  const p = progress.get(run.id);
  const epochs = run.hyperparams.epochs;
  const done = p ? p.epoch - 1 + (p.examplesTotal > 0 ? p.examplesDone / p.examplesTotal : 0) : run.epochsDone;
  return Math.min(1, Math.max(0, done / epochs));
}

/** The notice for an event, when it ends a run or a sweep (null otherwise). */
export function finishNotice(
  event: LabEvent,
  before: ReadonlyMap<string, string>,
  words: ShellStrings = SHELL_STRINGS.en,
): { title: string; body: string } | null {
  if (event.type === 'run') {
    const r = event.run;
    const was = before.get(r.id);
    if (was !== 'running' || (r.state !== 'finished' && r.state !== 'failed') || r.sweepId) return null;
    const body = r.bestEvalAccuracy !== null ? words.best(r.name, (r.bestEvalAccuracy * 100).toFixed(2), r.bestEpoch) : words.epochs(r.name, r.epochsDone);
    return r.state === 'finished' ? { title: words.runFinished, body } : { title: words.runFailed, body: `${r.name}: ${r.stoppedBecause ?? 'failed'}` };
  }
  if (event.type === 'sweep') {
    const s: SweepSummary = event.sweep;
    if (before.get(s.id) === 'finished' || s.state !== 'finished') return null;
    return { title: words.sweepFinished, body: words.points(s.spec.name, s.points.length) };
  }
  return null;
}
