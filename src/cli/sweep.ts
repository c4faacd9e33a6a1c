// `sweep`: a sweep run headless: from a JSON spec file or one of the book's recipes (--preset),
// changed by short flags; prints one line per finished point, then the table (mean ± sd over
// seeds), a plot of one axis, and for a learning-rate axis with the training cost monitored,
// chapter 3's threshold. Runs go to --runs-dir (the app's folder, say) or a temporary one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService } from '../main/lab-service';
import {
  MAX_SWEEP_POINTS,
  SWEEP_PRESETS,
  etaThreshold,
  formatValue,
  parseAxisFlag,
  sweepCells,
  validateSweepSpec,
  type SweepCell,
  type SweepSpec,
  type SweepSummary,
} from '../shared/sweep';
import { UsageError, checkKnown, parseArgs, wholeFlag } from './args';
import { io } from './io';

const FLAGS = ['json', 'preset', 'seeds', 'axis', 'train-size', 'epochs', 'runs-dir', 'parallel', 'redis'];

/** Where the points train: this machine's run pool, or remote workers through Redis. */
interface Executor {
  start(spec: SweepSpec): Promise<SweepSummary>;
  onSweep(f: (s: SweepSummary) => void): void;
  /** Extra facts about a finished point (which worker trained it, whether it resumed another's checkpoint). */
  pointExtra(runId: string | null): Record<string, unknown>;
  close(): Promise<void>;
}

function localExecutor(runsDir: string, parallel: number | undefined): Executor {
  const lab = createLabService({ runsDir, ...(parallel ? { sweepParallel: parallel } : {}) });
  const listeners: ((s: SweepSummary) => void)[] = [];
  lab.onEvent((e) => {
    if (e.type === 'sweep') for (const f of listeners) f(e.sweep);
  });
  return {
    start: (spec) => lab.startSweep(spec),
    onSweep: (f) => listeners.push(f),
    pointExtra: () => ({}),
    close: () => lab.close(),
  };
}

async function redisExecutor(url: string, runsDir: string): Promise<Executor> {
  const { RemoteRuns } = await import('../main/sweeps-redis');
  const { SweepRunner } = await import('../main/sweeps');
  const { RunStore } = await import('../main/runs/store');
  const remote = new RemoteRuns(url, new RunStore(runsDir));
  try {
    await remote.open();
  } catch (e) {
    await remote.close();
    throw new UsageError(`--redis ${url}: ${(e as Error).message}`);
  }
  const listeners: ((s: SweepSummary) => void)[] = [];
  // Every point is queued at once: the workers take them as they can.
  const runner = new SweepRunner(join(runsDir, 'sweeps'), remote, MAX_SWEEP_POINTS, (s) => listeners.forEach((f) => f(s)));
  remote.onRun = (run) => runner.onRun(run);
  return {
    start: async (spec) => runner.start(spec),
    onSweep: (f) => listeners.push(f),
    pointExtra: (runId) => {
      const o = runId ? remote.outcomes.get(runId) : null;
      return o ? { worker: o.worker, resumedFrom: o.resumedFrom } : {};
    },
    close: () => remote.close(),
  };
}

/** The spec from the file or preset, changed by the short flags, checked by the one validation. */
export function specFromArgs(positional: string[], flags: Map<string, string | true>): SweepSpec {
  const presetId = flags.get('preset');
  if (positional.length > 1) throw new UsageError('sweep takes one spec file: npm run sweep -- spec.json [--seeds K] [--axis eta=log:0.01:10:7]');
  if ((positional.length === 1) === (presetId !== undefined))
    throw new UsageError(`sweep needs a spec file or --preset (one of ${SWEEP_PRESETS.map((p) => p.id).join(', ')})`);
  let raw: Record<string, unknown>;
  if (presetId !== undefined) {
    const preset = SWEEP_PRESETS.find((p) => p.id === presetId);
    if (!preset) throw new UsageError(`unknown --preset ${JSON.stringify(presetId)} (one of ${SWEEP_PRESETS.map((p) => p.id).join(', ')})`);
    raw = structuredClone(preset.spec) as unknown as Record<string, unknown>;
  } else {
    const file = positional[0];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
    }
  }
  const seeds = wholeFlag(flags, 'seeds', 1, 100);
  if (seeds !== undefined) raw.seeds = seeds;
  const axis = flags.get('axis');
  if (axis === true) throw new UsageError('--axis needs a value');
  try {
    if (axis !== undefined) raw.axes = axis.split(';').map((a) => parseAxisFlag(a.trim()));
    const base = { ...((raw.base as Record<string, unknown>) ?? {}) };
    const hp = { ...((base.hyperparams as Record<string, unknown>) ?? {}) };
    const trainSize = wholeFlag(flags, 'train-size', 1, 50_000);
    const epochs = wholeFlag(flags, 'epochs', 1, 100_000);
    if (trainSize !== undefined) hp.trainSize = trainSize;
    if (epochs !== undefined) hp.epochs = epochs;
    raw.base = { ...base, hyperparams: hp };
    return validateSweepSpec(raw);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${positional[0] ?? `--preset ${presetId}`}: ${(e as Error).message}`);
  }
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

export function cellLabel(spec: SweepSpec, cell: { values: SweepCell['values'] }): string {
  return spec.axes.map((a, i) => `${a.param} ${formatValue(cell.values[i])}`).join(', ');
}

/** The table: one row per combination, mean ± sd over its seeds. */
export function sweepTable(s: SweepSummary): string {
  const cells = sweepCells(s.points);
  const head = [...s.spec.axes.map((a) => a.param), 'runs', 'best accuracy', '± sd', 'final train cost', 'seconds'];
  const rows = cells.map((c) => [
    ...c.values.map(formatValue),
    String(c.results.length),
    pct(c.bestEvalAccuracy?.mean),
    c.bestEvalAccuracy && c.bestEvalAccuracy.n > 1 ? pct(c.bestEvalAccuracy.sd) : '',
    c.finalTrainCost ? c.finalTrainCost.mean.toPrecision(4) : '—',
    c.seconds ? c.seconds.mean.toFixed(1) : '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}

/** A terminal plot of one axis: the best accuracy (mean, ± sd as a bar) of each value. */
export function sweepPlot(s: SweepSummary): string {
  const cells = sweepCells(s.points).filter((c) => c.bestEvalAccuracy);
  if (cells.length === 0) return '';
  const lo = Math.min(...cells.map((c) => c.bestEvalAccuracy!.mean - c.bestEvalAccuracy!.sd));
  const hi = Math.max(...cells.map((c) => c.bestEvalAccuracy!.mean + c.bestEvalAccuracy!.sd));
  const width = 50;
  const at = (v: number) => Math.round(((v - lo) / Math.max(hi - lo, 1e-9)) * width);
  const label = Math.max(...cells.map((c) => cellLabel(s.spec, c).length));
  const lines = cells.map((c) => {
    const m = c.bestEvalAccuracy!;
    const row = Array.from({ length: width + 1 }, () => ' ');
    for (let i = at(m.mean - m.sd); i <= at(m.mean + m.sd); i++) row[i] = '-';
    row[at(m.mean)] = '●';
    return `${cellLabel(s.spec, c).padStart(label)} |${row.join('')}| ${pct(m.mean)}${m.n > 1 ? ` ± ${pct(m.sd)}` : ''}`;
  });
  return [`best accuracy (● mean, - ± sd) from ${pct(lo)} to ${pct(hi)}`, ...lines].join('\n');
}

export async function sweepMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, FLAGS);
  const spec = specFromArgs(positional, flags);
  const parallel = wholeFlag(flags, 'parallel', 1, 64);
  const dirFlag = flags.get('runs-dir');
  if (dirFlag === true) throw new UsageError('--runs-dir needs a folder');
  const runsDir = dirFlag ?? mkdtempSync(join(tmpdir(), 'nnlab-sweep-'));
  const json = flags.has('json');
  const redisUrl = flags.get('redis');
  if (redisUrl === true) throw new UsageError('--redis needs a URL like redis://host:6379');
  let exec: Executor;
  try {
    exec = redisUrl ? await redisExecutor(redisUrl, runsDir) : localExecutor(runsDir, parallel);
  } catch (e) {
    if (dirFlag === undefined) rmSync(runsDir, { recursive: true, force: true });
    throw e;
  }
  try {
    const printed = new Set<number>();
    let sweepId = '';
    let finished: (s: SweepSummary) => void = () => {};
    const done = new Promise<SweepSummary>((resolve) => (finished = resolve));
    const report = (s: SweepSummary) => {
      if (s.id !== sweepId) return;
      for (const p of s.points) {
        if ((p.state !== 'done' && p.state !== 'failed') || printed.has(p.index)) continue;
        printed.add(p.index);
        const r = p.result;
        if (json)
          io.out(
            JSON.stringify({
              point: p.index,
              values: p.values,
              seed: p.seed,
              state: p.state,
              error: p.error,
              ...r,
              ...exec.pointExtra(p.runId),
              trainCost: undefined,
            }) + '\n',
          );
        else
          io.out(
            `point ${p.index + 1}/${s.points.length}  ${cellLabel(s.spec, p)}${s.spec.seeds > 1 ? `, seed ${p.seed}` : ''}: ` +
              (p.state === 'failed' ? `failed (${p.error})` : `best ${pct(r?.bestEvalAccuracy)} at epoch ${r?.bestEpoch ?? '—'}`) +
              `${r?.finalTrainCost != null ? `, training cost ${r.finalTrainCost.toPrecision(4)}` : ''}, ${r ? r.seconds.toFixed(1) : '0'} s\n`,
          );
      }
      if (s.state === 'finished' || s.state === 'stopped') finished(s);
    };
    exec.onSweep(report);
    const started = await exec.start(spec);
    sweepId = started.id;
    if (!json)
      io.out(`sweep ${spec.name}: ${started.points.length} points, ${redisUrl ? `queued on ${redisUrl} for workers` : 'trained here'}, runs in ${runsDir}\n`);
    report(started);
    const s = await done;
    // The threshold is a one-axis idea: η alone, everything else fixed.
    const etaAxis = spec.axes.length === 1 && spec.axes[0].param === 'eta' ? 0 : -1;
    const threshold = etaAxis >= 0 && s.points.some((p) => p.result?.trainCost.some((c) => c !== null)) ? etaThreshold(sweepCells(s.points), etaAxis) : null;
    if (json) {
      io.out(
        JSON.stringify({
          done: true,
          sweep: s.id,
          cells: sweepCells(s.points).map((c) => ({
            values: c.values,
            runs: c.results.length,
            bestEvalAccuracy: c.bestEvalAccuracy,
            finalTrainCost: c.finalTrainCost,
            seconds: c.seconds,
          })),
          ...(threshold ? { etaThreshold: threshold.eta } : {}),
        }) + '\n',
      );
      return;
    }
    io.out('\n' + sweepTable(s) + '\n\n');
    if (spec.axes.length === 1) io.out(sweepPlot(s) + '\n\n');
    if (threshold) {
      io.out(
        `training cost over the first ${Math.max(...s.points.map((p) => p.result?.trainCost.length ?? 0))} epochs: ${threshold.falling.map((f) => `η ${f.eta} ${f.falls ? 'falls' : 'does not fall'}`).join('; ')}\n`,
      );
      io.out(
        threshold.eta === null
          ? 'learning-rate threshold: no η in the sweep makes the training cost fall\n'
          : `learning-rate threshold: η = ${threshold.eta} (the largest whose training cost falls; the book suggests training at about half of it)\n`,
      );
    }
  } finally {
    await exec.close();
    if (dirFlag === undefined) rmSync(runsDir, { recursive: true, force: true });
  }
}
