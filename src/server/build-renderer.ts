// Builds the renderer alone (out/renderer) with the renderer section of electron.vite.config.ts,
// when the build is missing or older than its sources. Browser mode and the e2e tests need only this.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Newest modification time under the given folders (files only). */
function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.mtimeMs > newest) newest = st.mtimeMs;
    }
  };
  dirs.forEach(walk);
  return newest;
}

export function rendererIsStale(root: string): boolean {
  const index = join(root, 'out/renderer/index.html');
  if (!existsSync(index)) return true;
  // The renderer imports only the shared contract, which re-exports what it needs of the engine.
  const sources = ['src/renderer', 'src/shared', 'src/engine', 'electron.vite.config.ts'].map((p) => join(root, p));
  const built = statSync(index).mtimeMs;
  return sources.some((p) => existsSync(p) && (statSync(p).isDirectory() ? newestMtime([p]) : statSync(p).mtimeMs) > built);
}

/** Builds out/renderer if it is stale and the sources are present; returns true when it built. */
export async function ensureRendererBuilt(root = process.cwd(), log: (line: string) => void = () => {}): Promise<boolean> {
  root = resolve(root);
  if (!existsSync(join(root, 'src/renderer/index.html'))) return false;
  if (!rendererIsStale(root)) return false;
  log('building the renderer (out/renderer)…');
  const { loadConfigFromFile } = await import('electron-vite');
  const { build } = await import('vite');
  const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, join(root, 'electron.vite.config.ts'), root, 'silent');
  const renderer = config.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer section');
  // Build beside the old output and swap it in, so a server or test running at the same time never
  // sees a half-written folder.
  const outDir = join(root, 'out/renderer');
  const tmp = join(root, `out/.renderer-${process.pid}-${Date.now()}`);
  try {
    await build({
      ...renderer,
      build: { ...renderer.build, outDir: tmp, emptyOutDir: true },
      configFile: false,
      logLevel: 'warn',
      mode: 'production',
    } as Parameters<typeof build>[0]);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}
