// `neuron`: chapter 3's one-neuron example from the command line, every epoch's w, b, output and
// cost from the start (epoch 0), as a table or one JSON object a line.
import { BOOK_NEURON, trainNeuron, type NeuronCost } from '../engine/neuron';
import { UsageError, checkKnown, number, parseArgs } from './args';
import { io } from './io';

function num(flags: Map<string, string | true>, name: string, fallback: number | undefined, check: (v: number) => string | null = () => null): number {
  const v = flags.get(name);
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`neuron needs --${name}`);
    return fallback;
  }
  if (v === true) throw new UsageError(`--${name} needs a value`);
  const n = number(name, v);
  const why = check(n);
  if (why) throw new UsageError(`--${name} ${why}, got ${v}`);
  return n;
}

export async function neuronMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['cost', 'w', 'b', 'x', 'y', 'eta', 'epochs', 'json']);
  if (positional.length > 0) throw new UsageError(`neuron takes no positional arguments, got ${JSON.stringify(positional[0])}`);
  const cost = flags.get('cost');
  if (cost !== 'quadratic' && cost !== 'cross-entropy') throw new UsageError(`--cost must be quadratic or cross-entropy, got ${JSON.stringify(cost ?? null)}`);
  const setup = {
    cost: cost as NeuronCost,
    w: num(flags, 'w', undefined),
    b: num(flags, 'b', undefined),
    x: num(flags, 'x', BOOK_NEURON.x),
    y: num(flags, 'y', BOOK_NEURON.y, (v) => (v >= 0 && v <= 1 ? null : 'must be in [0, 1] (a target output of a sigmoid neuron)')),
    eta: num(flags, 'eta', BOOK_NEURON.eta, (v) => (v > 0 && v <= 1e6 ? null : 'must be a positive number')),
    epochs: num(flags, 'epochs', BOOK_NEURON.epochs, (v) =>
      Number.isInteger(v) && v >= 0 && v <= 1_000_000 ? null : 'must be a whole number from 0 to 1000000',
    ),
  };
  const rows = trainNeuron(setup);
  if (flags.has('json')) {
    for (const r of rows) io.out(JSON.stringify(r) + '\n');
    return;
  }
  io.out(`epoch\tw\tb\toutput\tcost\n`);
  for (const r of rows) io.out(`${r.epoch}\t${r.w}\t${r.b}\t${r.output}\t${r.cost}\n`);
}
