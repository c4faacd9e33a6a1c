// Measures the training service's goals (issue 4): two concurrent 784-100-10 runs against a lone
// one (speed and resident memory), and an augmented epoch against a plain one, wall clock.
// Run: npm run bench:runs -- [--epochs N] [--repeats R] [--hidden H] [--json]   (heavy: takes both cores)
// Defaults 5 and 5: the augmented ratio is a median over five repeats of four measured epochs each;
// three repeats of two read anywhere from 1.00× to 1.52× in one noisy minute (docs/speed.md).
// --hidden sets the hidden layer (100 by default; 800 for Simard's network).
// Figures measured so far, and what they showed: docs/speed.md ("The training service").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { validateHyperparams, type Hyperparams } from '../src/engine/hyperparams';
import { createLabService, type LabService } from '../src/main/lab-service';
import { UsageError, checkKnown, parseArgs, wholeFlag } from '../src/cli/args';

export interface RunsMeasurement {
  epochs: number;
  loneExamplesPerSecond: number;
  concurrentExamplesPerSecond: [number, number];
  /** Each concurrent run's speed as a fraction of the lone run's (goal ≥ 0.8). */
  concurrentFraction: [number, number];
  /** Peak RSS while one run trains, and while two do, in MB (goal: the second adds < 50). */
  rssOneMb: number;
  rssTwoMb: number;
  /** Wall-clock seconds per epoch, plain and augmented (rotate 15, elastic 34/4); goal ratio ≤ 1.3. */
  plainEpochSeconds: number;
  augmentedEpochSeconds: number;
  augmentedRatio: number;
  /**
   * The machine's own scaling at the same moments: two plain CPU loops in worker threads, each
   * as a fraction of one alone. On a shared or throttled machine this is the ceiling for the runs.
   */
  machineConcurrentFraction: number;
}

const SPIN = `const { parentPort } = require('node:worker_threads');
const t0 = performance.now(); let x = 0; for (let i = 0; i < 1.5e8; i++) x = (x + i * 7) % 1000003;
parentPort.postMessage([performance.now() - t0, x]);`;

/** Milliseconds each of `n` simultaneous CPU loops takes (a calibration of the machine, not of the lab). */
async function spin(n: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(SPIN, { eval: true });
          w.once('message', (m: [number, number]) => {
            resolve(m[0]);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
}

let hidden = 100;
const base = (epochs: number, extra: Partial<Hyperparams> = {}): Hyperparams =>
  validateHyperparams({ sizes: [784, hidden, 10], eta: 0.1, epochs, evalSet: 'none', monitor: { evalAccuracy: false }, ...extra });

/** Trains the given runs together; returns each run's examples/s (mean over its epochs after the first), wall seconds per epoch and peak RSS. */
async function together(lab: LabService, hps: Hyperparams[]): Promise<{ speeds: number[]; wallPerEpoch: number[]; rssMb: number }> {
  let rss = process.memoryUsage().rss;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 50);
  const stamps = new Map<string, number[]>();
  const off = lab.onEvent((e) => {
    if (e.type === 'epoch') stamps.get(e.runId)?.push(performance.now());
  });
  const t0 = performance.now();
  const runs = await Promise.all(hps.map((hp) => lab.startRun(hp)));
  for (const r of runs) stamps.set(r.id, [t0]);
  for (const r of runs) await lab.settled(r.id);
  clearInterval(sampler);
  off();
  const speeds: number[] = [];
  const wallPerEpoch: number[] = [];
  for (const r of runs) {
    const hist = await lab.runHistory(r.id);
    const later = hist.slice(1);
    speeds.push(later.reduce((s, m) => s + r.hyperparams.trainSize / m.seconds, 0) / later.length);
    const t = stamps.get(r.id)!;
    // Wall time per epoch after the first (the first includes starting the worker and the first augmentation).
    wallPerEpoch.push((t[t.length - 1] - t[1]) / 1000 / (t.length - 2));
    await lab.deleteRun(r.id);
  }
  return { speeds, wallPerEpoch, rssMb: rss / 2 ** 20 };
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/**
 * Alternates the configurations being compared `repeats` times and reports medians of the
 * per-repeat ratios, so that load from other processes (this machine is shared) hits both sides.
 */
export async function measureRuns(epochs = 5, repeats = 5, hiddenSize = 100): Promise<RunsMeasurement> {
  hidden = hiddenSize;
  const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-measure-'));
  const lab = createLabService({ runsDir });
  const augment = { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 };
  try {
    await together(lab, [base(1)]); // warm up: the dataset is loaded once, here
    const lone: number[] = [];
    const pairs: number[][] = [];
    const rssOne: number[] = [];
    const rssTwo: number[] = [];
    const plain: number[] = [];
    const aug: number[] = [];
    const machine: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const [alone] = await spin(1);
      const both = await spin(2);
      machine.push(alone / Math.max(...both));
      const one = await together(lab, [base(epochs)]);
      const two = await together(lab, [base(epochs, { seed: 1 }), base(epochs, { seed: 2 })]);
      lone.push(one.speeds[0]);
      pairs.push(two.speeds);
      rssOne.push(one.rssMb);
      rssTwo.push(two.rssMb);
      plain.push(one.wallPerEpoch[0]);
      aug.push((await together(lab, [base(epochs, { augment })])).wallPerEpoch[0]);
    }
    const fraction = (k: number) => median(pairs.map((p, i) => p[k] / lone[i]));
    return {
      epochs,
      loneExamplesPerSecond: median(lone),
      concurrentExamplesPerSecond: [median(pairs.map((p) => p[0])), median(pairs.map((p) => p[1]))],
      concurrentFraction: [fraction(0), fraction(1)],
      rssOneMb: median(rssOne),
      rssTwoMb: median(rssTwo),
      plainEpochSeconds: median(plain),
      augmentedEpochSeconds: median(aug),
      augmentedRatio: median(aug.map((a, i) => a / plain[i])),
      machineConcurrentFraction: median(machine),
    };
  } finally {
    await lab.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

/** The command's options, checked with the CLI's own parser: one line for a wrong one. */
export function parseRunsArgs(args: string[]): { epochs: number; repeats: number; hidden: number; json: boolean } {
  const { positional, flags } = parseArgs(args, ['json']);
  checkKnown(flags, ['epochs', 'repeats', 'hidden', 'json']);
  if (positional.length) throw new UsageError(`bench:runs takes no positional arguments, got ${JSON.stringify(positional[0])}`);
  return {
    // The first epoch is not measured (it starts the workers): at least two.
    epochs: wholeFlag(flags, 'epochs', 2, 1000) ?? 5,
    repeats: wholeFlag(flags, 'repeats', 1, 100) ?? 5,
    hidden: wholeFlag(flags, 'hidden', 1, 4096) ?? 100,
    json: flags.has('json'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let opts: ReturnType<typeof parseRunsArgs>;
  try {
    opts = parseRunsArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench:runs: ${e.message}\n`);
    process.exit(2);
  }
  const m = await measureRuns(opts.epochs, opts.repeats, opts.hidden);
  if (opts.json) console.log(JSON.stringify(m));
  else {
    const f = (x: number, d = 0) => x.toFixed(d);
    console.log(`lone 784-${hidden}-10 run: ${f(m.loneExamplesPerSecond)} examples/s`);
    console.log(
      `two at once: ${m.concurrentExamplesPerSecond.map((x) => f(x)).join(' and ')} examples/s = ${m.concurrentFraction.map((x) => f(100 * x) + '%').join(' and ')} of lone (goal ≥ 80%)`,
    );
    console.log(`  (this machine right now: two plain CPU loops each run at ${f(100 * m.machineConcurrentFraction)}% of one alone)`);
    console.log(`peak RSS: ${f(m.rssOneMb)} MB with one run, ${f(m.rssTwoMb)} MB with two: +${f(m.rssTwoMb - m.rssOneMb)} MB (goal < 50)`);
    console.log(
      `wall seconds per epoch: plain ${f(m.plainEpochSeconds, 2)}, augmented rotate:15,elastic:34/4 ${f(m.augmentedEpochSeconds, 2)} = ${f(m.augmentedRatio, 2)}× (goal ≤ 1.3)`,
    );
  }
}
