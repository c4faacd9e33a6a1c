// `expand`: "expand the dataset" as the book's expand_mnist.py does: the 50,000 training images,
// each followed by N random transforms of it, written as gzipped IDX images and labels, with progress.
import { resolve } from 'node:path';
import { loadMnist } from '../main/datasets';
import { expandDataset } from '../main/augment-files';
import { UsageError, checkKnown, parseArgs, parseAugment } from './args';
import { io } from './io';

export async function expandMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['augment', 'copies', 'seed', 'json']);
  if (positional.length !== 1)
    throw new UsageError('expand needs one output file: npm run expand -- out/train-images-idx3-ubyte.gz [--augment shift:1] [--copies 4] [--seed 1]');
  const augmentFlag = flags.get('augment') ?? 'shift:1';
  if (augmentFlag === true) throw new UsageError('--augment needs a spec');
  const spec = parseAugment(augmentFlag);
  const copiesFlag = flags.get('copies') ?? '4';
  const seedFlag = flags.get('seed') ?? '1';
  if (typeof copiesFlag !== 'string' || !/^\d+$/.test(copiesFlag)) throw new UsageError(`--copies must be a whole number, got ${JSON.stringify(copiesFlag)}`);
  if (typeof seedFlag !== 'string' || !/^\d+$/.test(seedFlag)) throw new UsageError(`--seed must be a whole number, got ${JSON.stringify(seedFlag)}`);
  const json = flags.has('json');
  const mnist = await loadMnist();
  let lastPercent = -1;
  const result = await expandDataset(
    mnist.train,
    spec,
    Number(copiesFlag),
    resolve(positional[0]),
    (p) => {
      const percent = Math.floor((100 * p.imagesDone) / p.imagesTotal);
      if (percent === lastPercent || json) return;
      lastPercent = percent;
      io.err(`\rexpanding: ${p.imagesDone} / ${p.imagesTotal} images (${percent}%)`);
    },
    Number(seedFlag),
  );
  if (!json) io.err('\n');
  if (json) io.out(JSON.stringify(result) + '\n');
  else io.out(`Wrote ${result.count} images to ${result.imagesPath}\nand their labels to ${result.labelsPath}\n`);
}
