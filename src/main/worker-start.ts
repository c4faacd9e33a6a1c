// Starting a worker thread from a script URL, the same way everywhere (run workers, the server's
// message parser).
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker script. A TypeScript script (development and tests, under tsx) is loaded
 * through a small bootstrap that registers tsx inside the worker first: Node 20 does not apply
 * an `--import tsx` in execArgv to a worker's entry module. A bundled .js script loads directly.
 */
export function startWorker(url: URL | string, options: WorkerOptions): Worker {
  const href = String(url);
  if (!href.endsWith('.ts')) return new Worker(new URL(href), options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
