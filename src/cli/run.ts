// The lab's command line: train, evaluate, predict, bench and serve over the same engine and
// services as the app. Errors are one line on stderr and a non-zero exit, never a stack trace.
// runCli is the whole command line as a function (the tests call it in-process); index.ts runs it.
import { oneLine } from '../shared/one-line';
import { io } from './io';

const USAGE = `usage: npm run <command> -- [options]
  train     --sizes 784,30,10 --cost cross-entropy --eta 0.5 --lambda 5 --batch 10 --epochs 30 --seed 1 --save model.json [--json]
  evaluate  model.json [--data test|validation] [--json]
  predict   image.png [more images] [--model model.json] [--json]
  expand    out/train-images-idx3-ubyte.gz [--augment shift:1] [--copies 4] [--seed 1] [--json]
  bench     [--json] [--quick] [--repeat N] [--no-yardstick] [--backend wasm|reference]
  export-onnx model.json model.onnx [--json]
  neuron    --cost quadratic|cross-entropy --w W --b B [--x 1] [--y 0] [--eta 0.15] [--epochs 300] [--json]
  gradcheck [model.json] [--image N] [--data test|validation|train] [--cost NAME] [--samples K] [--json]
  baseline  darkness|svm [--train-size N] [--test-size M] [--json]
  sweep     spec.json | --preset ${'ID'} [--seeds K] [--axis eta=log:0.01:10:7;lambda=0.1,1] [--train-size N] [--epochs N] [--runs-dir DIR] [--parallel N] [--redis URL] [--json]
  worker    --redis redis://host:6379 [--concurrency N] [--lock-seconds S]
  serve     [--port N] [--open]`;

/** The usage lines of one command (the train line with its many options for train). */
export function commandUsage(command: string): string | null {
  const lines = USAGE.split('\n').slice(1);
  const start = lines.findIndex((l) => l.trimStart().startsWith(command + ' ') || l.trim() === command);
  if (start < 0) return null;
  const out = [lines[start]];
  for (const l of lines.slice(start + 1)) {
    if (/^ {2}[a-z-]+ /.test(l) && !l.startsWith('   ')) break;
    out.push(l);
  }
  return `usage: npm run ${out.map((l) => l.trim().replace(/^(\S+)\s+/, '$1 ')).join('\n  ')}`;
}

const TRAIN_OPTIONS = `  also: --activation sigmoid|tanh|relu  --cost quadratic|cross-entropy|log-likelihood (softmax)
        --init default|large  --l1 X  --momentum X  --dropout P  --train-size N
        --eval validation|test|none  --monitor eval-accuracy,eval-cost,train-accuracy,train-cost,inside
        --early-stop N  --schedule halve:N  --augment rotate:DEG,shift:PX,elastic:ALPHA/SIGMA
        --backend wasm|reference  --preset ID  --save-best  --from model.json  --digits 0,1`;

async function dispatch(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `npm run train -- --help` (or -h) shows the command's usage instead of taking --help as an option.
  if (command && command !== '--help' && command !== 'help' && (rest.includes('--help') || rest.includes('-h'))) {
    io.out((commandUsage(command) ?? USAGE) + '\n');
    if (command === 'train') io.out(TRAIN_OPTIONS + '\n');
    return;
  }
  switch (command) {
    case 'train':
      return (await import('./train')).trainMain(rest);
    case 'evaluate':
      return (await import('./evaluate')).evaluateMain(rest);
    case 'predict':
      return (await import('./predict')).predictMain(rest);
    case 'expand':
      return (await import('./expand')).expandMain(rest);
    case 'bench':
      return (await import('../../bench/bench')).benchMain(rest);
    case 'export-onnx':
      return (await import('./export-onnx')).exportOnnxMain(rest);
    case 'worker':
      return (await import('./worker')).workerMain(rest);
    case 'sweep':
      return (await import('./sweep')).sweepMain(rest);
    case 'baseline':
      return (await import('./baseline')).baselineMain(rest);
    case 'gradcheck':
      return (await import('./gradcheck')).gradcheckMain(rest);
    case 'neuron':
      return (await import('./neuron')).neuronMain(rest);
    case 'serve':
      return (await import('../server/index')).serveMain(rest);
    case undefined:
    case 'help':
    case '--help':
      io.out(USAGE + '\n');
      return;
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

/** Runs one command line; returns the exit code, having written any error as one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await dispatch(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e: unknown) {
    io.err(`error: ${oneLine(e)}\n`);
    if (process.env.NNLAB_DEBUG && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}
