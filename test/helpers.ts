// Small shared helpers for tests: synthetic data splits and hyperparameters.
import { spawnSync } from 'node:child_process';
import type { DataSplit } from '../src/engine/data';
import { IMAGE_PIXELS } from '../src/engine/data';
import type { Hyperparams } from '../src/engine/hyperparams';
import { defaultHyperparams } from '../src/engine/hyperparams';
import { Rng } from '../src/engine/rng';

/** `count` random images (about 20% ink, like MNIST) with random labels. */
export function syntheticSplit(count: number, seed = 7): DataSplit {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * IMAGE_PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform() < 0.2 ? 1 + rng.int(255) : 0;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(10);
  return { images, labels, count };
}

export function hp(over: Partial<Hyperparams>): Hyperparams {
  return { ...defaultHyperparams(), ...over };
}

/** A python3 that has numpy (pyenv's or Debian's), or null where there is none. */
export function pythonWithNumpy(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** Runs the command line in this process, as `npm run <args>` would, collecting what it prints. */
export async function cliInProcess(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../src/cli/run');
  const { withIo } = await import('../src/cli/io');
  let stdout = '';
  let stderr = '';
  const saved = process.exitCode;
  try {
    process.exitCode = undefined;
    const status = await withIo({ out: (t) => void (stdout += t), err: (t) => void (stderr += t) }, () => runCli(args));
    return { status, stdout, stderr };
  } finally {
    process.exitCode = saved;
  }
}

/** Waits until `f()` holds, polling every 20 ms; fails after `ms` naming what it waited for. */
export async function until(what: string, f: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
