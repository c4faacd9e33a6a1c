// The Electron shell's security, checked on the real main-process and preload code with a
// recording stand-in for 'electron': window options, CSP, navigation/new-window/remote-content
// guards, permissions, IPC sender checks and payload validation, and what the preload exposes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { useFakeElectron } from './e2e/fixtures/use-fake-electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_CALLS } from '../src/shared/validate';
import { callChannel, CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL } from '../src/shared/shell-api';

const root = join(import.meta.dirname, '..');
const fakeUrl = useFakeElectron({ modulePath: '/built/worker.js' });

type Fake = typeof import('./e2e/fixtures/fake-electron');
let fake: Fake;

before(async () => {
  fake = (await import(fakeUrl)) as Fake;
  await import('../src/main/index');
  for (let i = 0; i < 100 && fake.recorded.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await import('../src/preload/index');
});

test('the window is sandboxed, isolated, without Node, and loads only the built page', () => {
  assert.equal(fake.recorded.windows.length, 1);
  assert.equal(fake.recorded.sandboxEnabled, true, 'app.enableSandbox() sandboxes every renderer');
  const win = fake.recorded.windows[0];
  const wp = win.options.webPreferences as Record<string, unknown>;
  assert.equal(wp.sandbox, true);
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.nodeIntegrationInWorker, false);
  assert.equal(wp.webviewTag, false);
  assert.notEqual(wp.webSecurity, false);
  assert.notEqual(wp.allowRunningInsecureContent, true);
  assert.match(String(wp.preload), /preload[\\/]index\.cjs$/);
  assert.equal(win.url, 'app://nnlab/index.html', 'served from the app:// protocol, not file://');
});

test('the page has a strict Content-Security-Policy', () => {
  const html = readFileSync(join(root, 'src/renderer/index.html'), 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)?.[1] ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /base-uri 'none'/);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline|\*/);
});

test('new windows are denied, navigation away and webviews are blocked', () => {
  const created = fake.recorded.appEvents.get('web-contents-created') as unknown as (e: unknown, wc: InstanceType<Fake['FakeWebContents']>) => void;
  assert.ok(created, 'a web-contents-created guard is installed');
  const wc = new fake.FakeWebContents();
  created({}, wc);
  assert.deepEqual((wc.windowOpenHandler as unknown as () => unknown)(), { action: 'deny' });
  const navigate = wc.listeners.get('will-navigate') as unknown as (e: { preventDefault(): void }, url: string) => void;
  let prevented = 0;
  const ev = { preventDefault: () => void prevented++ };
  navigate(ev, 'https://example.com/');
  assert.equal(prevented, 1, 'navigating to a remote page is prevented');
  navigate(ev, fake.recorded.windows[0].url!);
  assert.equal(prevented, 1, 'reloading the app page is allowed');
  (wc.listeners.get('will-attach-webview') as unknown as (e: unknown) => void)(ev);
  assert.equal(prevented, 2);
});

test('no remote content is fetched and no permission is granted', () => {
  const onBefore = fake.recorded.webRequest as unknown as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
  const verdict = (url: string) => {
    let cancel: boolean | undefined;
    onBefore({ url }, (r) => (cancel = r.cancel));
    return cancel;
  };
  assert.equal(verdict('https://cdn.example.com/x.js'), true);
  assert.equal(verdict('http://127.0.0.1:9999/'), true);
  const page = fake.recorded.windows[0].url!;
  assert.equal(verdict(page), false);
  assert.equal(verdict(page.replace(/index\.html$/, 'assets/index-abc.js')), false);
  assert.equal(verdict('file:///etc/passwd'), true, 'no file:// at all');
  assert.equal(verdict('app://other/index.html'), true, 'only the app origin');

  let granted: boolean | undefined;
  (fake.recorded.permissionRequest as unknown as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(null, 'media', (ok) => (granted = ok));
  assert.equal(granted, false);
  assert.equal((fake.recorded.permissionCheck as unknown as () => boolean)(), false);
});

test('the app:// protocol serves the built renderer and nothing outside it', async () => {
  assert.deepEqual(fake.recorded.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  const handler = fake.recorded.protocolHandlers.get('app') as unknown as (r: { url: string }) => Promise<Response>;
  assert.ok(handler, 'protocol.handle("app", …) is installed');
  const page = await handler({ url: 'app://nnlab/index.html' });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await page.text(), /<div id="app">/);
  for (const url of ['app://nnlab/..%2f..%2fpackage.json', 'app://nnlab/%2e%2e%2f%2e%2e%2fpackage.json', 'app://nnlab/..%2fmain%2findex.ts']) {
    const r = await handler({ url });
    assert.equal(r.status, 403, url);
    assert.doesNotMatch(await r.text(), /"name": "nnlab"|electron/);
  }
  assert.equal((await handler({ url: 'app://other/index.html' })).status, 403);
  assert.equal((await handler({ url: 'app://nnlab/no-such-file.js' })).status, 404);
});

test('there is one IPC handler per LabApi verb plus the two dialogs, and nothing generic', () => {
  const expected = [...Object.keys(LAB_CALLS).map(callChannel), CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL].sort();
  assert.deepEqual([...fake.recorded.handlers.keys()].sort(), expected);
});

function invoke(channel: string, frameUrl: string, ...args: unknown[]): Promise<unknown> {
  const handler = fake.recorded.handlers.get(channel) as unknown as (e: unknown, ...a: unknown[]) => Promise<unknown>;
  const event = { sender: fake.recorded.windows[0].webContents, senderFrame: { url: frameUrl } };
  return handler(event, ...args);
}

test('every handler checks its sender', async () => {
  for (const channel of fake.recorded.handlers.keys()) {
    await assert.rejects(invoke(channel, 'https://evil.example/'), /refused an IPC call/, channel);
    await assert.rejects(invoke(channel, 'file:///tmp/other.html'), /refused an IPC call/, channel);
  }
  const appUrl = fake.recorded.windows[0].url!;
  assert.deepEqual(await invoke(callChannel('listRuns'), appUrl), []);
});

test('handlers validate their payloads with one line before the services see them', async () => {
  const appUrl = fake.recorded.windows[0].url!;
  await assert.rejects(invoke(callChannel('pauseRun'), appUrl, 42), /pauseRun: run id must be a string like/);
  await assert.rejects(invoke(callChannel('startRun'), appUrl, { sizes: [784, 1e9, 10] }), /sizes/);
  await assert.rejects(invoke(callChannel('predict'), appUrl, { kind: 'file', path: '/etc/passwd' }, { width: 1, height: 1, pixels: [0] }), /kind/);
  await assert.rejects(invoke(CHANNEL_SAVE_MODEL, appUrl, { kind: 'loaded', id: 7 }), /saveModelFile: model.id must be a loaded model's id/);
});

test('the preload exposes only domain verbs and subscriptions', async () => {
  const lab = fake.recorded.exposed.get('lab') as Record<string, unknown>;
  assert.deepEqual([...fake.recorded.exposed.keys()], ['lab']);
  const expected = [...Object.keys(LAB_CALLS), 'onEvent', 'openModelFile', 'saveModelFile', 'onMenu'].sort();
  assert.deepEqual(Object.keys(lab).sort(), expected);
  for (const v of Object.values(lab)) assert.equal(typeof v, 'function');
  await (lab.pauseRun as (id: string) => Promise<void>)('run-x');
  assert.deepEqual(fake.recorded.invoked.at(-1), [callChannel('pauseRun'), 'run-x']);
  const off = (lab.onEvent as (l: () => void) => () => void)(() => {});
  assert.equal(typeof off, 'function');
});

test('the preload source imports nothing but electron and the shared contract (types and the verb list)', () => {
  const src = readFileSync(join(root, 'src/preload/index.ts'), 'utf8');
  const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(imports, ['../shared/api', '../shared/api-client', '../shared/shell-api', 'electron']);
});
