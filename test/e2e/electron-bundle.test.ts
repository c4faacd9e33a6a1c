// The Electron app as electron-vite bundles it (main, sandboxed preload, renderer, run worker),
// booted under Node with the recording stand-in for 'electron': the window gets the built preload
// and page, and a run started over IPC trains in the bundled worker and reports to the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useFakeElectron } from './fixtures/use-fake-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '../..');
const outDir = join(root, `out/.bundle-test-${process.pid}`);
const fakeUrl = useFakeElectron();

type Fake = typeof import('./fixtures/fake-electron');
let fake: Fake;

before(async () => {
  const { build } = await import('electron-vite');
  await build({ root, configFile: join(root, 'electron.vite.config.ts'), logLevel: 'error', build: { outDir } });
  fake = (await import(fakeUrl)) as Fake;
  await import(pathToFileURL(join(outDir, 'main/index.js')).href);
  for (let i = 0; i < 200 && fake.recorded.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
});

after(async () => {
  const quit = fake?.recorded.appEvents.get('will-quit') as unknown as ((e: { preventDefault(): void }) => void) | undefined;
  quit?.({ preventDefault() {} });
  await new Promise((r) => setTimeout(r, 500));
  rmSync(outDir, { recursive: true, force: true });
});

test('the bundled main process opens one window on the bundled page with the bundled preload', async () => {
  assert.equal(fake.recorded.windows.length, 1);
  const win = fake.recorded.windows[0];
  const preload = String((win.options.webPreferences as Record<string, unknown>).preload);
  assert.equal(preload, join(outDir, 'preload/index.cjs'));
  const preloadCode = readFileSync(preload, 'utf8');
  assert.deepEqual(
    [...new Set([...preloadCode.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))],
    ['electron'],
    'the sandboxed preload requires only electron',
  );
  assert.equal(win.url, 'app://nnlab/index.html');
  // The bundled app:// handler serves the bundled page.
  const handler = fake.recorded.protocolHandlers.get('app') as unknown as (r: { url: string }) => Promise<Response>;
  const page = await handler({ url: win.url! });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="app">/);
  assert.ok(existsSync(join(outDir, 'renderer/index.html')));
});

test('a run started over IPC trains in the bundled worker and its events reach the window', async () => {
  const win = fake.recorded.windows[0];
  const call = (method: string, ...args: unknown[]) => {
    const handler = fake.recorded.handlers.get(`lab:call:${method}`) as unknown as (e: unknown, ...a: unknown[]) => Promise<unknown>;
    return handler({ sender: win.webContents, senderFrame: { url: win.url } }, ...args);
  };
  const run = (await call('startRun', { sizes: [784, 10, 10], epochs: 2, trainSize: 500 }, 'bundle')) as { id: string };
  let state = 'running';
  let epochs = 0;
  for (let i = 0; i < 300 && state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = ((await call('listRuns')) as { id: string; state: string; epochsDone: number }[]).find((x) => x.id === run.id)!;
    state = r.state;
    epochs = r.epochsDone;
  }
  assert.equal(state, 'finished');
  assert.equal(epochs, 2);
  const sent = win.webContents.sent.filter(([channel]) => channel === 'lab:event').map(([, e]) => (e as { type: string }).type);
  assert.ok(sent.includes('epoch') && sent.includes('run'), JSON.stringify(sent));
});
