// `worker`: trains sweep points from Redis (BullMQ) until stopped: run one on every machine that
// should help with a sweep (`npm run sweep -- spec.json --redis redis://host:6379`).
import { loadMnist } from '../main/datasets';
import { startPointWorker } from '../main/sweeps-redis';
import { UsageError, checkKnown, parseArgs } from './args';
import { io } from './io';

export async function workerMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, []);
  checkKnown(flags, ['redis', 'concurrency', 'lock-seconds']);
  if (positional.length) throw new UsageError(`worker takes no positional arguments, got ${JSON.stringify(positional[0])}`);
  const url = flags.get('redis');
  if (typeof url !== 'string') throw new UsageError('worker needs --redis redis://host:6379');
  const concurrency = Number(flags.get('concurrency') ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(flags.get('concurrency'))}`);
  const lockSeconds = Number(flags.get('lock-seconds') ?? 30);
  if (!(lockSeconds >= 1 && lockSeconds <= 3600))
    throw new UsageError(`--lock-seconds must be a number from 1 to 3600, got ${JSON.stringify(flags.get('lock-seconds'))}`);
  const data = await loadMnist();
  try {
    await startPointWorker(url, data, { concurrency, lockSeconds, log: (line) => io.out(line + '\n') });
  } catch (e) {
    throw new UsageError(`--redis ${url}: ${(e as Error).message}`);
  }
  // Ctrl+C (or a crash) ends the process at once: a point it was training goes on at another
  // worker from its last epoch's checkpoint, once its lock (--lock-seconds) has expired.
  io.out(`worker: training sweep points from ${url} (${concurrency} at a time); Ctrl+C stops it\n`);
  await new Promise<never>(() => {});
}
