// `npm run bench`: training speed of the engine on the standard configurations, evaluation time,
// prediction latency and peak memory, next to the numpy yardstick (../shared/bench/ref_batched.py)
// run in the same process tree on the same machine, and the augmentation figures.
import { spawnSync } from 'node:child_process';
import { kernelVariant } from '../src/engine/wasm/wasm-backend';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../src/engine/backend';
import { getBackend } from '../src/engine/backend';
import { IMAGE_PIXELS, type DataSplit } from '../src/engine/data';
import type { Backend } from '../src/engine/kernels';
import { Evaluator } from '../src/engine/evaluate';
import type { Hyperparams } from '../src/engine/hyperparams';
import { defaultHyperparams, validateHyperparams } from '../src/engine/hyperparams';
import { Trainer } from '../src/engine/trainer';
import { firstN, loadMnistSync } from '../src/main/datasets';
import { mnistDir, sharedDir } from '../src/main/paths';
import { UsageError, checkKnown, parseArgs, wholeFlag } from '../src/cli/args';
import { benchAugment, runRefAugment, type AugmentBench, type RefAugment } from './augment';
import { io } from '../src/cli/io';

interface Config {
  hidden: number;
  batch: number;
}

// Every row trains a whole epoch from a new trainer, as the yardsticks do. (784-800-10's rows used
// to time a quarter of one and scale it by four, which counted the first mini-batch's one-time
// costs four times: about 11 ms of first writes to the run's fresh pages at 100.)
const FULL: Config[] = [
  { hidden: 30, batch: 10 },
  { hidden: 100, batch: 10 },
  { hidden: 100, batch: 32 },
  { hidden: 100, batch: 100 },
  { hidden: 100, batch: 1000 },
  { hidden: 800, batch: 10 },
  { hidden: 800, batch: 32 },
  { hidden: 800, batch: 100 },
  { hidden: 800, batch: 1000 },
];

export interface ConfigResult {
  sizes: string;
  batch: number;
  secondsPerEpoch: number;
  examplesPerSecond: number;
  /** Seconds to evaluate the 10,000 test images for accuracy (what early stopping needs), best of five. */
  evalSeconds: number;
  /** The same with network2.py's total cost as well (monitor_evaluation_cost). */
  evalWithCostSeconds: number;
  evalFractionOfEpoch: number;
  /** Test accuracy after the timed training (a sanity check, not a result). */
  testAccuracy: number;
  rssMB: number;
  yardstick: { secondsPerEpoch: number; epochs: number } | { error: string } | null;
  /** The PyTorch yardstick (../shared/bench/ref_torch.py, one thread), where a python3 imports torch. */
  torch: { secondsPerEpoch: number; epochs: number } | { error: string } | null;
  /** ours / PyTorch seconds per epoch: below 1 is faster than PyTorch. */
  torchRatio: number | null;
  /** ours / yardstick seconds per epoch: below 1 is faster than numpy. */
  ratio: number | null;
  /** Effective training speed: about 6 floating-point operations per parameter per example (forward, backward, gradient). */
  gflops: number;
}

export interface BenchResult {
  date: string;
  machine: { cpu: string; cores: number; node: string };
  backend: string;
  quick: boolean;
  trainImages: number;
  configs: ConfigResult[];
  /** One 28×28 prediction through 784-100-10, averaged over many. */
  predictMillis: number;
  /** Peak resident memory of this process while training 784-100-10 (dataset included). */
  peakRssMB100: number;
  /** Each figure is the best of this many runs. */
  repeat: number;
  /** Peak resident memory of the whole bench. */
  peakRssMB: number;
  augment: AugmentFigures;
  /** What this machine can do at best on one thread, for the rows' GFLOP/s to be read against. */
  limits: { wasmGflops: number; numpyGflops: number | { error: string } };
  /** A whole epoch with the inside-the-network statistics on against off (issue 11: at least 0.95). */
  inside: InsideFigure[];
  /** A larger mini-batch against a smaller one, in a run's later epochs, in turns. */
  batches: BatchFigure[];
  yardstickCommand: string | null;
  /** The BLAS libraries each yardstick's python loaded (null where it was not run). */
  blas: { numpy: string[] | null; torch: string[] | null };
}

export interface InsideFigure {
  sizes: string;
  /** Seconds of one epoch (training and its per-epoch monitors), best of the repeats. */
  offSeconds: number;
  onSeconds: number;
  /** Training speed with the statistics on as a fraction of the speed without: offSeconds / onSeconds. */
  speedFraction: number;
}

/**
 * Epochs at two mini-batch sizes of one network, the two sizes in turns (which goes first
 * alternating round by round) so both meet the same machine: a run's later epochs, each trainer
 * past its first, and the first epochs of new trainers, which the table's rows time (as the
 * yardsticks time theirs) and where a larger mini-batch also pays its larger buffers' first writes
 * (at 784-800-10 and 1,000 about 1,100 more page faults than at 100, some 13 ms on this virtual
 * machine).
 */
export interface BatchFigure {
  sizes: string;
  smaller: number;
  larger: number;
  /** Best of the rounds, seconds of a whole epoch. */
  smallerSeconds: number;
  largerSeconds: number;
  /** Each round's larger / smaller epoch: below 1, the larger mini-batch was faster. */
  ratios: number[];
  /** The same for new trainers' first epochs: best of the rounds, and each round's larger / smaller. */
  firstSmallerSeconds: number;
  firstLargerSeconds: number;
  firstRatios: number[];
}

const maxRssMB = (): number => process.resourceUsage().maxRSS / 1024;
const rssMB = (): number => process.memoryUsage().rss / 1024 / 1024;

function hyperparams(c: Config, trainImages: number): Hyperparams {
  return {
    ...defaultHyperparams(),
    sizes: [784, c.hidden, 10],
    cost: 'cross-entropy',
    eta: 0.5,
    lambda: 5,
    batchSize: c.batch,
    epochs: 1,
    trainSize: trainImages,
    evalSet: 'test',
    seed: 1,
  };
}

/** python3 with numpy, or the reason there is none. */
function pythonWithNumpy(): string | null {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : r.error ? `python3 not found (${r.error.message})` : 'python3 has no numpy';
}

type Timed = { secondsPerEpoch: number; epochs: number } | { error: string };

/** A python that imports torch (the one on the PATH, else Debian's, which has python3-torch), or null. */
function pythonWithTorch(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  return null;
}

const BLAS_PROBE = `import sys, importlib
m = importlib.import_module(sys.argv[1])
a = m.ones((64, 64)) if sys.argv[1] == 'torch' else m.ones((64, 64), dtype=m.float32)
a @ a
try:
    maps = open('/proc/self/maps').read().splitlines()
except OSError:
    maps = []
print('\\n'.join(sorted({l.split()[-1] for l in maps if '/' in l and ('blas' in l.lower() or 'mkl' in l.lower())})))`;

/** The BLAS libraries a python's numpy or torch loads for a product (from /proc/self/maps; none where there is no /proc), or null when it cannot run. */
export function blasLibraries(python: string, module: 'numpy' | 'torch'): string[] | null {
  const r = spawnSync(python, ['-c', BLAS_PROBE, module], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l.trim() !== '') : null;
}

/**
 * Whether those libraries are only the reference BLAS (netlib's libblas, Debian's default when no
 * optimized one is installed): a yardstick on it runs many times slower than numpy or PyTorch as
 * their users have them (PyTorch at 784-800-10 and 100: 30 s an epoch against 1.2 with OpenBLAS),
 * so its ratio would flatter us.
 */
export function onlyReferenceBlas(libs: string[] | null): boolean {
  return !!libs && libs.length > 0 && !libs.some((l) => /openblas|mkl|blis|atlas|accelerate/i.test(l));
}

/** Runs a yardstick in a child with one BLAS thread and OpenBLAS's own tuning (the two slowing variables unset). */
function yardstick(
  script: string,
  epochs: number,
  hidden: number,
  batch: number,
  python = 'python3',
  extra: string[] = [],
): { secondsPerEpoch: number; epochs: number } | { error: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, [script, mnistDir(), String(epochs), String(hidden), String(batch), ...extra], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return { error: `yardstick failed: ${(r.stderr || r.error?.message || 'no output').trim().split('\n').pop()}` };
  try {
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { sec_per_epoch: number };
    return { secondsPerEpoch: out.sec_per_epoch, epochs };
  } catch {
    return { error: `yardstick printed no JSON: ${r.stdout.slice(0, 200)}` };
  }
}

function timeIt(f: () => void): number {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

interface AugmentFigures {
  benchAugment: AugmentBench | { error: string };
  runRefAugment?: RefAugment | { skipped: string } | { error: string };
}

async function augmentFigures(quick: boolean, withYardstick: boolean): Promise<AugmentFigures> {
  const attempt = async <T>(f: () => T | Promise<T>): Promise<T | { error: string }> => {
    try {
      return await f();
    } catch (e) {
      return { error: (e as Error).message.split('\n')[0] };
    }
  };
  const out: AugmentFigures = { benchAugment: await attempt(() => benchAugment({ quick })) };
  // runRefAugment is a python yardstick too: skipped with the other yardsticks.
  if (withYardstick)
    out.runRefAugment = await attempt(() => runRefAugment({ quick }) ?? { skipped: 'python3 with scipy or ../shared/bench/ref_augment.py not found' });
  return out;
}

function parameterCount(sizes: number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * (sizes[l - 1] + 1);
  return n;
}

/**
 * The best dense product this backend's kernels do: a 1,000 × 784 by 784 × 800 forward product,
 * timed (best of five), in GFLOP/s (2 operations per multiply-add).
 */
function wasmDenseGflops(backend: Backend): number {
  const [B, nIn, nOut] = [1000, 784, 800];
  const ws = backend.createWorkspace(B * nIn + nIn * nOut + nOut + B * nOut);
  const x = ws.slab.subarray(0, B * nIn);
  const w = ws.slab.subarray(B * nIn, B * nIn + nIn * nOut);
  const b = ws.slab.subarray(B * nIn + nIn * nOut, B * nIn + nIn * nOut + nOut);
  const z = ws.slab.subarray(B * nIn + nIn * nOut + nOut);
  for (let i = 0; i < x.length; i++) x[i] = (i % 7) / 7;
  for (let i = 0; i < w.length; i++) w[i] = ((i % 13) - 6) / 100;
  let best = Infinity;
  for (let i = 0; i < 5; i++)
    best = Math.min(
      best,
      timeIt(() => ws.kernels.linearForward(z, x, w, b, B, nIn, nOut)),
    );
  return (2 * B * nIn * nOut) / best / 1e9;
}

/** numpy's single-thread sgemm on 2048 × 2048 matrices, in GFLOP/s: this machine's BLAS limit. */
function numpySgemmGflops(): number | { error: string } {
  const why = pythonWithNumpy();
  if (why) return { error: why };
  const script =
    'import numpy as np, time\na=np.random.rand(2048,2048).astype(np.float32); b=a.copy(); a@b\nbest=9e9\nfor _ in range(5):\n t=time.perf_counter(); a@b; best=min(best,time.perf_counter()-t)\nprint(2*2048**3/best/1e9)';
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  const v = Number(r.stdout.trim());
  return r.status === 0 && Number.isFinite(v) ? v : { error: (r.stderr || 'numpy failed').trim().split('\n').at(-1) ?? 'numpy failed' };
}

/**
 * Whole epochs with monitor.inside off and on, interleaved so both meet the same machine; the best
 * of `repeat` (at least 3) each. Always on the full training set (a run's epoch, even with --quick),
 * and once on chapter 3's 1,000-image runs with their evaluation on 10,000 images each epoch.
 */
function insideFigures(train: DataSplit, evalData: DataSplit, backend: Backend, repeat: number, log: (line: string) => void): InsideFigure[] {
  const out: InsideFigure[] = [];
  for (const [hidden, trainSize] of [
    [30, train.count],
    [100, train.count],
    [30, 1000],
  ] as const) {
    const small = trainSize < train.count;
    const label = `784-${hidden}-10${small ? `, ${trainSize.toLocaleString('en')} images + eval` : ''}`;
    log(`inside-the-network statistics on and off, ${label} ...`);
    const hp = (inside: boolean) =>
      validateHyperparams({
        sizes: [784, hidden, 10],
        eta: 0.1,
        epochs: 1,
        trainSize,
        evalSet: small ? 'validation' : 'none',
        monitor: { evalAccuracy: small, inside },
      });
    const best = { off: Infinity, on: Infinity };
    for (let i = 0; i < Math.max(3, repeat); i++) {
      for (const inside of [false, true]) {
        const t = new Trainer(hp(inside), train, small ? evalData : null, { backend });
        const s = timeIt(() => t.runEpoch());
        if (inside) best.on = Math.min(best.on, s);
        else best.off = Math.min(best.off, s);
      }
    }
    out.push({ sizes: label, offSeconds: best.off, onSeconds: best.on, speedFraction: best.off / best.on });
  }
  return out;
}

/** BatchFigure for each [hidden, smaller, larger]: an untimed epoch each, then `repeat` (at least 3) rounds in turns. */
function batchFigures(train: DataSplit, backend: Backend, repeat: number, pairs: [number, number, number][], log: (line: string) => void): BatchFigure[] {
  return pairs.map(([hidden, smaller, larger]) => {
    const sizes = `784-${hidden}-10`;
    log(`mini-batches of ${smaller} and ${larger} in turns, ${sizes} ...`);
    const trainer = (batch: number): Trainer =>
      new Trainer({ ...hyperparams({ hidden, batch }, train.count), epochs: 1000, evalSet: 'none' }, train, null, { backend });
    const epoch = (t: Trainer): number => {
      const s = timeIt(() => t.trainBatches(1 << 30));
      t.finishEpoch();
      return s;
    };
    const trainers = [smaller, larger].map(trainer);
    for (const t of trainers) epoch(t);
    const figure: BatchFigure = {
      sizes,
      smaller,
      larger,
      smallerSeconds: Infinity,
      largerSeconds: Infinity,
      ratios: [],
      firstSmallerSeconds: Infinity,
      firstLargerSeconds: Infinity,
      firstRatios: [],
    };
    // Both sizes' epochs in a round, the smaller first in even rounds and the larger first in odd ones.
    const inTurns = (round: number, time: (i: number) => number): [number, number] => {
      if (round % 2 === 0) return [time(0), time(1)];
      const l = time(1);
      return [time(0), l];
    };
    for (let i = 0; i < Math.max(3, repeat); i++) {
      const [s, l] = inTurns(i, (k) => epoch(trainers[k]));
      figure.smallerSeconds = Math.min(figure.smallerSeconds, s);
      figure.largerSeconds = Math.min(figure.largerSeconds, l);
      figure.ratios.push(l / s);
      const [fs, fl] = inTurns(i, (k) => epoch(trainer(k === 0 ? smaller : larger)));
      figure.firstSmallerSeconds = Math.min(figure.firstSmallerSeconds, fs);
      figure.firstLargerSeconds = Math.min(figure.firstLargerSeconds, fl);
      figure.firstRatios.push(fl / fs);
    }
    return figure;
  });
}

export async function runBench(opts: {
  quick: boolean;
  backend?: BackendName;
  yardstick: boolean;
  repeat?: number;
  log?: (line: string) => void;
}): Promise<BenchResult> {
  const repeat = Math.max(1, opts.repeat ?? 1);
  const log = opts.log ?? (() => {});
  const backend = getBackend(opts.backend);
  const mnist = loadMnistSync();
  const trainImages = opts.quick ? 2000 : mnist.train.count;
  const train = opts.quick ? firstN(mnist.train, trainImages) : mnist.train;
  const test = opts.quick ? firstN(mnist.test, 1000) : mnist.test;
  const configs = opts.quick
    ? [
        { hidden: 30, batch: 10 },
        { hidden: 100, batch: 10 },
      ]
    : FULL;

  const script = sharedDir() ? join(sharedDir() as string, 'bench', 'ref_batched.py') : null;
  const noPython = opts.yardstick ? pythonWithNumpy() : 'yardstick not requested';
  const yardstickReason = !opts.yardstick ? null : !script || !existsSync(script) ? '../shared/bench/ref_batched.py not found' : noPython;

  const torchScript = sharedDir() ? join(sharedDir() as string, 'bench', 'ref_torch.py') : null;
  const torchPython = opts.yardstick && torchScript && existsSync(torchScript) ? pythonWithTorch() : null;
  const torchReason = !opts.yardstick
    ? null
    : !torchScript || !existsSync(torchScript)
      ? '../shared/bench/ref_torch.py not found'
      : torchPython
        ? null
        : 'no python3 here imports torch (Debian: python3-torch)';

  const results: ConfigResult[] = [];
  let peakRssMB100 = 0;
  let predictMillis = NaN;
  // With --repeat N, the fastest of N identical seeded runs: on a shared machine the minimum is
  // the figure least disturbed by other processes (the yardsticks get the same treatment). Ours and
  // the yardsticks take turns within a row (ours, numpy, PyTorch), so a ratio compares neighbours;
  // and the rounds go through all the rows before the next round, so a row's N runs lie minutes
  // apart and one slow minute (this machine's speed drifts by up to 1.5×) cannot take them all.
  const keep = (best: Timed | null, y: Timed): Timed =>
    !best || 'error' in y || ('secondsPerEpoch' in best && y.secondsPerEpoch < best.secondsPerEpoch) ? y : best;
  const rows = configs.map((c) => ({
    c,
    seconds: Infinity,
    ys: null as Timed | null,
    torch: null as Timed | null,
  }));
  for (let round = 0; round < repeat; round++) {
    for (const row of rows) {
      const c = row.c;
      const sizes = `784-${c.hidden}-10`;
      const turn = (name: string, reason: string | null, best: Timed | null, run: () => Timed): Timed | null => {
        if (!opts.yardstick) return null;
        if (reason) return { error: reason };
        if (best && 'error' in best) return best;
        log(`  yardstick ${name} ${c.hidden} hidden, mini-batch ${c.batch} ...`);
        return keep(best, run());
      };
      log(`training ${sizes}, mini-batch ${c.batch}${repeat > 1 ? `, round ${round + 1} of ${repeat}` : ''} ...`);
      const trainer = new Trainer(hyperparams(c, trainImages), train, test, { backend });
      row.seconds = Math.min(
        row.seconds,
        timeIt(() => trainer.trainBatches(1 << 30)),
      );
      row.ys = turn('ref_batched.py', yardstickReason, row.ys, () => yardstick(script as string, 1, c.hidden, c.batch));
      row.torch = turn('ref_torch.py', torchReason, row.torch, () => yardstick(torchScript as string, 1, c.hidden, c.batch, torchPython as string, ['1']));
      // The peak RSS of 784-100-10 at 10 in the first round, before any larger network has run.
      if (round === 0 && c.hidden === 100 && c.batch === 10) peakRssMB100 = maxRssMB();
      if (round < repeat - 1) continue;
      // The last round's trained network: evaluation and prediction.
      let evalSeconds = Infinity;
      let evalWithCostSeconds = Infinity;
      let testAccuracy = NaN;
      for (let i = 0; i < 5; i++) {
        evalSeconds = Math.min(
          evalSeconds,
          timeIt(() => (testAccuracy = trainer.evaluate(test, false).accuracy)),
        );
        evalWithCostSeconds = Math.min(
          evalWithCostSeconds,
          timeIt(() => trainer.evaluate(test, true)),
        );
      }
      if (c.hidden === 100 && c.batch === 10) {
        const ev = new Evaluator(trainer.network, backend, 1);
        const x = new Float32Array(IMAGE_PIXELS);
        for (let i = 0; i < IMAGE_PIXELS; i++) x[i] = test.images[i] / 255;
        for (let i = 0; i < 200; i++) ev.predict(x);
        const n = opts.quick ? 500 : 5000;
        predictMillis =
          (timeIt(() => {
            for (let i = 0; i < n; i++) ev.predict(x);
          }) *
            1000) /
          n;
      }
      const { seconds, ys, torch } = row;
      const torchSeconds = torch && 'secondsPerEpoch' in torch ? torch.secondsPerEpoch : null;
      const ysSeconds = ys && 'secondsPerEpoch' in ys ? ys.secondsPerEpoch : null;
      // The yardstick always trains the full 50,000 images; scale ours when --quick trained fewer.
      const oursFull = seconds * (50_000 / trainImages);
      results.push({
        sizes,
        batch: c.batch,
        secondsPerEpoch: seconds,
        examplesPerSecond: trainImages / seconds,
        evalSeconds,
        evalWithCostSeconds,
        evalFractionOfEpoch: (evalSeconds * (10_000 / test.count)) / oursFull,
        testAccuracy,
        rssMB: rssMB(),
        yardstick: ys,
        ratio: ysSeconds ? oursFull / ysSeconds : null,
        torch,
        torchRatio: torchSeconds ? oursFull / torchSeconds : null,
        gflops: (6 * parameterCount([784, c.hidden, 10]) * trainImages) / seconds / 1e9,
      });
    }
  }
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    backend: backend.name === 'wasm' ? `wasm (${kernelVariant() ?? 'none'})` : backend.name,
    quick: opts.quick,
    repeat,
    trainImages,
    configs: results,
    predictMillis,
    peakRssMB100,
    peakRssMB: maxRssMB(),
    augment: await augmentFigures(opts.quick, opts.yardstick),
    limits: { wasmGflops: wasmDenseGflops(backend), numpyGflops: numpySgemmGflops() },
    inside: insideFigures(mnist.train, mnist.validation, backend, repeat, log),
    batches: batchFigures(
      train,
      backend,
      repeat,
      opts.quick
        ? [[30, 10, 100]]
        : [
            [100, 100, 1000],
            [800, 100, 1000],
          ],
      log,
    ),
    blas: {
      numpy: opts.yardstick && script && !yardstickReason ? blasLibraries('python3', 'numpy') : null,
      torch: torchPython && !torchReason ? blasLibraries(torchPython, 'torch') : null,
    },
    yardstickCommand: !opts.yardstick
      ? 'not run (--quick or --no-yardstick)'
      : script && !yardstickReason
        ? `OPENBLAS_NUM_THREADS=1 python3 ${script} ${mnistDir()} 1 HIDDEN BATCH`
        : yardstickReason,
  };
}

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

export function formatTable(r: BenchResult): string {
  const lines: string[] = [];
  lines.push(
    `nnlab bench, ${r.date}, ${r.machine.cpu} (${r.machine.cores} cores), node ${r.machine.node}, backend ${r.backend}, one thread${r.quick ? ', QUICK (2,000 training images)' : ''}${r.repeat > 1 ? `, best of ${r.repeat} runs` : ''}`,
  );
  lines.push('');
  const head = [
    'network',
    'batch',
    's/epoch',
    'examples/s',
    'GFLOP/s',
    'eval s',
    'eval/epoch',
    'eval+cost s',
    'numpy s/epoch',
    'ours/numpy',
    'torch s/epoch',
    'ours/torch',
    'test acc',
  ];
  const rows = r.configs.map((c) => [
    c.sizes,
    String(c.batch),
    fmt(c.secondsPerEpoch),
    Math.round(c.examplesPerSecond).toString(),
    fmt(c.gflops, 2),
    fmt(c.evalSeconds, 4),
    `${fmt(c.evalFractionOfEpoch * 100, 1)}%`,
    fmt(c.evalWithCostSeconds, 4),
    c.yardstick === null ? '-' : 'secondsPerEpoch' in c.yardstick ? fmt(c.yardstick.secondsPerEpoch) : 'n/a',
    c.ratio === null ? '-' : `${fmt(c.ratio, 2)}x`,
    c.torch === null ? '-' : 'secondsPerEpoch' in c.torch ? fmt(c.torch.secondsPerEpoch) : 'n/a',
    c.torchRatio === null ? '-' : `${fmt(c.torchRatio, 2)}x`,
    fmt(c.testAccuracy, 4),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  lines.push(line(head));
  for (const row of rows) lines.push(line(row));
  lines.push('');
  lines.push(
    `eval: accuracy over the ${r.quick ? '1,000 first' : '10,000'} test images (best of five); eval/epoch scales it to 10,000 images and a 50,000-image epoch`,
  );
  lines.push(`prediction, one 28x28 through 784-100-10: ${fmt(r.predictMillis, 4)} ms`);
  const numpyLimit = typeof r.limits.numpyGflops === 'number' ? `${fmt(r.limits.numpyGflops, 1)} GFLOP/s` : r.limits.numpyGflops.error;
  lines.push(
    `this machine's limits, one thread: our kernels' best dense product (1000x784 by 784x800) ${fmt(r.limits.wasmGflops, 1)} GFLOP/s; numpy sgemm 2048^3 ${numpyLimit}. GFLOP/s per row counts 6 operations per parameter per training example, dense: the kernels skip the images' zero pixels, so a row can pass the dense limit.`,
  );
  lines.push(`peak RSS while training 784-100-10 (dataset included): ${fmt(r.peakRssMB100, 0)} MB; whole bench: ${fmt(r.peakRssMB, 0)} MB`);
  const errors = r.configs.flatMap((c) => (c.yardstick && 'error' in c.yardstick ? [c.yardstick.error] : []));
  if (errors.length) lines.push(`yardstick: ${[...new Set(errors)].join('; ')}`);
  else if (r.yardstickCommand?.startsWith('OPENBLAS')) lines.push(`yardstick: ${r.yardstickCommand} (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)`);
  else if (r.yardstickCommand) lines.push(`yardstick: ${r.yardstickCommand}`);
  const torchErrors = r.configs.flatMap((c) => (c.torch && 'error' in c.torch ? [c.torch.error] : []));
  if (torchErrors.length) lines.push(`PyTorch yardstick: ${[...new Set(torchErrors)].join('; ')}`);
  else if (r.configs.some((c) => c.torch))
    lines.push('PyTorch yardstick: ref_torch.py MNIST_DIR 1 HIDDEN BATCH 1 (one thread: torch.set_num_threads(1), OMP_NUM_THREADS=1)');
  for (const [name, libs] of [
    ['numpy', r.blas.numpy],
    ['PyTorch', r.blas.torch],
  ] as const) {
    if (libs) lines.push(`${name}'s BLAS: ${libs.length ? libs.join(', ') : 'not seen (no /proc/self/maps)'}`);
    if (onlyReferenceBlas(libs)) {
      lines.push(
        `WARNING: ${name} here runs on the reference BLAS, not an optimized one: its times are no yardstick, and ours/${name === 'numpy' ? 'numpy' : 'torch'} flatters us (Debian: apt-get install libopenblas0-pthread)`,
      );
    }
  }
  const ours = 'imagesPerSecond' in r.augment.benchAugment ? r.augment.benchAugment : null;
  const ref = r.augment.runRefAugment && 'images_per_s' in r.augment.runRefAugment ? r.augment.runRefAugment : null;
  if (ours) {
    lines.push(
      `augmentation (${ours.spec}, one thread, ${ours.sampler} sampler): ${Math.round(ours.imagesPerSecond)} images/s` +
        (ours.sampler === 'wasm'
          ? ` (the JavaScript sampler ${Math.round(ours.jsImagesPerSecond)}: ${fmt(ours.imagesPerSecond / ours.jsImagesPerSecond, 2)}x)`
          : '') +
        (ref
          ? `; ref_augment.py (${ref.python}) ${Math.round(ref.images_per_s)} images/s, ours/yardstick speed ${fmt(ours.imagesPerSecond / ref.images_per_s, 1)}x`
          : ''),
    );
  }
  lines.push(`augmentation details: ${JSON.stringify(r.augment)}`);
  for (const f of r.inside)
    lines.push(
      `inside-the-network statistics, ${f.sizes}, one epoch: off ${fmt(f.offSeconds)} s, on ${fmt(f.onSeconds)} s; speed with them on: ${fmt(f.speedFraction * 100, 1)}% of off (goal ≥ 95%)`,
    );
  for (const f of r.batches) {
    const line = (what: string, smaller: number, larger: number, ratios: number[]): string =>
      `mini-batches of ${f.smaller} and ${f.larger} in turns, ${f.sizes}, ${what}: ${fmt(smaller)} s and ${fmt(larger)} s (best of ${ratios.length}); ${f.larger} against ${f.smaller}, round by round: ${ratios.map((x) => `${fmt(x, 2)}x`).join(', ')} (goal ≤ 1)`;
    lines.push(
      line("a run's later epochs", f.smallerSeconds, f.largerSeconds, f.ratios),
      line("new trainers' first epochs", f.firstSmallerSeconds, f.firstLargerSeconds, f.firstRatios),
    );
  }
  return lines.join('\n');
}

export async function benchMain(args: string[]): Promise<void> {
  const { positional, flags } = parseArgs(args, ['json', 'quick', 'no-yardstick']);
  checkKnown(flags, ['json', 'quick', 'no-yardstick', 'backend', 'repeat']);
  const repeat = wholeFlag(flags, 'repeat', 1, 20) ?? 1;
  if (positional.length) throw new UsageError(`bench takes no positional arguments, got ${JSON.stringify(positional[0])}`);
  const backendFlag = flags.get('backend');
  if (backendFlag !== undefined && backendFlag !== 'wasm' && backendFlag !== 'reference')
    throw new UsageError(`--backend must be wasm or reference, got ${JSON.stringify(backendFlag)}`);
  const json = flags.has('json');
  const result = await runBench({
    quick: flags.has('quick'),
    repeat,
    backend: backendFlag as BackendName | undefined,
    // --quick trains 2,000 images: too little to compare with a whole numpy epoch.
    yardstick: !flags.has('no-yardstick') && !flags.has('quick'),
    log: json ? undefined : (line) => io.err(line + '\n'),
  });
  io.out(json ? JSON.stringify(result) + '\n' : formatTable(result) + '\n');
}
