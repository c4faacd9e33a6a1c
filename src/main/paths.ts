// Where the bundled resources (MNIST, the default model) live: from a clone, a built app, or a
// packaged Electron app. NNLAB_RESOURCES overrides everything (tests, unusual installs).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module that holds package.json and
 * resources/. Works from src/main (tsx), out/main (electron-vite's bundle) and workers alike.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function resourcesDir(): string {
  const env = process.env.NNLAB_RESOURCES;
  if (env) return resolve(env);
  // Electron sets process.resourcesPath; defaultApp is true when running unpackaged (electron .).
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && !(process as { defaultApp?: boolean }).defaultApp) {
    for (const candidate of [join(packaged, 'resources'), join(packaged, 'app.asar.unpacked', 'resources')]) {
      if (existsSync(join(candidate, 'mnist'))) return candidate;
    }
  }
  return join(repoRoot(), 'resources');
}

export function mnistDir(): string {
  return join(resourcesDir(), 'mnist');
}

export function modelsDir(): string {
  return join(resourcesDir(), 'models');
}

/** ../shared beside the clone (the yardstick scripts and reference data), or null when absent. */
export function sharedDir(): string | null {
  try {
    const dir = resolve(repoRoot(), '..', 'shared');
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}
