// Measures the training service's goals (issue 4): two concurrent 784-100-10 runs against a lone
// one (speed and resident memory), and an augmented epoch against a plain one, wall clock.
// Run: npx tsx src/main/runs/measure.ts [--epochs N] [--json]     (heavy: takes both cores)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateHyperparams, type Hyperparams } from '../../engine/hyperparams';
import { createLabService, type LabService } from '../lab-service';

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
}

const base = (epochs: number, extra: Partial<Hyperparams> = {}): Hyperparams =>
  validateHyperparams({ sizes: [784, 100, 10], eta: 0.1, epochs, evalSet: 'none', monitor: { evalAccuracy: false }, ...extra });

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

export async function measureRuns(epochs = 3): Promise<RunsMeasurement> {
  const runsDir = mkdtempSync(join(tmpdir(), 'nnlab-measure-'));
  const lab = createLabService({ runsDir });
  try {
    await together(lab, [base(1)]); // warm up: the dataset is loaded once, here
    const one = await together(lab, [base(epochs)]);
    const two = await together(lab, [base(epochs, { seed: 1 }), base(epochs, { seed: 2 })]);
    const plain = await together(lab, [base(epochs)]);
    const aug = await together(lab, [base(epochs, { augment: { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 } })]);
    const lone = one.speeds[0];
    return {
      epochs,
      loneExamplesPerSecond: lone,
      concurrentExamplesPerSecond: [two.speeds[0], two.speeds[1]],
      concurrentFraction: [two.speeds[0] / lone, two.speeds[1] / lone],
      rssOneMb: one.rssMb,
      rssTwoMb: two.rssMb,
      plainEpochSeconds: plain.wallPerEpoch[0],
      augmentedEpochSeconds: aug.wallPerEpoch[0],
      augmentedRatio: aug.wallPerEpoch[0] / plain.wallPerEpoch[0],
    };
  } finally {
    await lab.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--epochs');
  const m = await measureRuns(i >= 0 ? Number(args[i + 1]) : 3);
  if (args.includes('--json')) console.log(JSON.stringify(m));
  else {
    const f = (x: number, d = 0) => x.toFixed(d);
    console.log(`lone 784-100-10 run: ${f(m.loneExamplesPerSecond)} examples/s`);
    console.log(`two at once: ${m.concurrentExamplesPerSecond.map((x) => f(x)).join(' and ')} examples/s = ${m.concurrentFraction.map((x) => f(100 * x) + '%').join(' and ')} of lone (goal ≥ 80%)`);
    console.log(`peak RSS: ${f(m.rssOneMb)} MB with one run, ${f(m.rssTwoMb)} MB with two: +${f(m.rssTwoMb - m.rssOneMb)} MB (goal < 50)`);
    console.log(`wall seconds per epoch: plain ${f(m.plainEpochSeconds, 2)}, augmented rotate:15,elastic:34/4 ${f(m.augmentedEpochSeconds, 2)} = ${f(m.augmentedRatio, 2)}× (goal ≤ 1.3)`);
  }
}
