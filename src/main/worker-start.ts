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

/** The run workers' script beside this module, unbundled (development, tests, the CLI); Electron passes its own URL. */
export function defaultWorkerUrl(): URL {
  // Built from parts so that bundlers do not try to resolve it.
  const file = ['runs', 'worker.ts'].join('/');
  return new URL(`./${file}`, import.meta.url);
}
