// Browser mode's guard: the token, the Host and Origin checks, the served folder, and the
// validation of WebSocket messages, against the real server and services (no browser needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createLabService, type LabService } from '../../src/main/lab-service';
import { repoRoot } from '../../src/main/paths';
import { ensureRendererBuilt } from '../../src/server/build-renderer';
import { startLabServer, type LabServer } from '../../src/server/index';

let api: LabService;
let server: LabServer;
let runsDir: string;

before(async () => {
  await ensureRendererBuilt(repoRoot());
  runsDir = mkdtempSync(join(tmpdir(), 'nnlab-sec-'));
  api = createLabService({ runsDir });
  server = await startLabServer({ api, rendererDir: join(repoRoot(), 'out/renderer'), port: 0, loadParsedModel: (m, n) => api.loadParsedModel(m, n) });
});

after(async () => {
  await server.close();
  await api.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** A raw GET: the path is sent exactly as given (no normalization of ../ or %2e). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

const withToken = (path: string) => `${path}${path.includes('?') ? '&' : '?'}token=${server.token}`;

test('listens on 127.0.0.1 and prints a URL with a long random token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
});

test('a request without the token, or with a wrong one, gets 403', async () => {
  assert.equal((await get('/')).status, 403);
  assert.equal((await get('/index.html')).status, 403);
  assert.equal((await get(`/?token=${'0'.repeat(64)}`)).status, 403);
  assert.equal((await get('/', { cookie: 'nnlab_token=nope' })).status, 403);
  // Only the whole token: a prefix of it, or it with more after, is as wrong as any other.
  for (const near of [server.token.slice(0, 32), server.token.slice(0, 63), `${server.token}0`, '']) {
    assert.equal((await get(`/?token=${near}`)).status, 403, `token ${near.length} characters`);
    assert.equal((await get('/', { cookie: `nnlab_token=${near}` })).status, 403, `cookie ${near.length} characters`);
  }
});

test('the page with the token is served, with a strict cookie and CSP for its assets', async () => {
  const r = await get(withToken('/'));
  assert.equal(r.status, 200);
  assert.match(r.body, /<div id="app">/);
  assert.match(String(r.headers['set-cookie']), /nnlab_token=[0-9a-f]{64}; HttpOnly; SameSite=Strict/);
  assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
  const asset = r.body.match(/src="\.\/(assets\/[^"]+\.js)"/)?.[1];
  assert.ok(asset, 'the page references its script');
  assert.equal((await get(`/${asset}`)).status, 403, 'assets without the token are refused too');
  assert.equal((await get(`/${asset}`, { cookie: `nnlab_token=${server.token}` })).status, 200);
});

test('another Host header (DNS rebinding) is refused', async () => {
  assert.equal((await get(withToken('/'), { host: `evil.example:${server.port}` })).status, 403);
});

test('paths outside the served folder are refused however they are spelled', async () => {
  // The served folder is out/renderer: two levels up is the repository, whose package.json exists,
  // so each of these would be served if the check let it through.
  for (const path of [
    '/..%2f..%2fpackage.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets%2f..%2f..%2f..%2fsrc%2fserver%2findex.ts',
  ]) {
    const r = await get(withToken(path));
    assert.equal(r.status, 403, `${path} answered ${r.status}`);
    assert.doesNotMatch(r.body, /"name": "nnlab"|startLabServer/);
  }
  // Plain dot segments are resolved by the URL parser before anything else: they cannot climb out.
  assert.equal((await get(withToken('/../../package.json'))).status, 404);
  assert.equal((await get(withToken('/assets/../index.html'))).status, 200);
  assert.equal((await get(withToken('/no-such-file.js'))).status, 404);
});

test('a symlink inside the served folder that points outside it is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-served-'));
  const served = join(dir, 'renderer');
  mkdirSync(served);
  writeFileSync(join(served, 'index.html'), '<div id="app"></div>');
  writeFileSync(join(dir, 'secret.txt'), 'the secret');
  symlinkSync(join(dir, 'secret.txt'), join(served, 'link.txt'));
  const other = await startLabServer({ api, rendererDir: served, port: 0 });
  try {
    const r = await new Promise<{ status: number; body: string }>((ok, fail) => {
      const req = request(
        { host: '127.0.0.1', port: other.port, path: `/link.txt?token=${other.token}`, headers: { host: `127.0.0.1:${other.port}` } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', fail);
      req.end();
    });
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.body, /the secret/);
  } finally {
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function connect(opts: { origin?: string; path?: string; token?: string | null }): Promise<WebSocket> {
  const token = opts.token === undefined ? server.token : opts.token;
  const url = `ws://127.0.0.1:${server.port}${opts.path ?? '/ws'}${token ? `?token=${token}` : ''}`;
  const ws = new WebSocket(url, { origin: opts.origin ?? server.origin });
  return new Promise((ok, fail) => {
    ws.once('open', () => ok(ws));
    ws.once('unexpected-response', (_req, res) => fail(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

test('WebSockets from another origin, without the token or on another path are refused', async () => {
  await assert.rejects(connect({ origin: 'http://evil.example' }), /refused with 403/);
  await assert.rejects(connect({ origin: `http://127.0.0.1:${server.port + 1}` }), /refused with 403/);
  await assert.rejects(connect({ token: null }), /refused with 403/);
  await assert.rejects(connect({ token: 'f'.repeat(64) }), /refused with 403/);
  await assert.rejects(connect({ path: '/other' }), /refused with 403/);
});

function rpc(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((ok) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data));
      if ('event' in m) return;
      ws.off('message', onMessage);
      ok(m);
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

test('the socket speaks LabApi and refuses malformed calls with one line', async () => {
  const ws = await connect({});
  try {
    const runs = await rpc(ws, { id: 1, method: 'listRuns', args: [] });
    assert.deepEqual(runs, { id: 1, ok: true, result: [] });
    const cases: [unknown, RegExp][] = [
      ['not json', /not valid JSON/],
      [{ id: 'x', method: 'listRuns', args: [] }, /id must be an integer/],
      [{ id: 2, method: 'rmrf', args: [] }, /unknown method/],
      [{ id: 3, method: 'constructor', args: [] }, /unknown method/],
      [{ id: 4, method: 'pauseRun', args: ['../../etc'] }, /run id/],
      [{ id: 5, method: 'startRun', args: [{ sizes: [784, 1e9, 10] }] }, /sizes/],
      [{ id: 6, method: 'startRun', args: [{ eta: 'fast' }] }, /eta/],
      [{ id: 7, method: 'predict', args: [{ kind: 'default' }, { width: 2, height: 2, pixels: [0, 0, 0] }] }, /pixels has 3 values/],
      [
        {
          id: 8,
          method: 'predict',
          args: [
            { kind: 'file', path: '/etc/passwd' },
            { width: 1, height: 1, pixels: [0] },
          ],
        },
        /kind/,
      ],
      [{ id: 9, method: 'setEta', args: ['run-1', -1] }, /eta/],
      [{ id: 10, method: 'listRuns', args: 'nope' }, /arguments must be a list/],
    ];
    for (const [msg, pattern] of cases) {
      const r = await rpc(ws, msg);
      assert.equal(r.ok, false, JSON.stringify(msg));
      assert.match(String(r.error), pattern);
      assert.doesNotMatch(String(r.error), /\n/);
    }
  } finally {
    ws.close();
  }
});

test('a WebSocket message over the size limit closes the socket; one under it is answered', { timeout: 20_000 }, async () => {
  const small = await startLabServer({ api, rendererDir: join(repoRoot(), 'out/renderer'), port: 0, maxMessageBytes: 64 * 1024 });
  try {
    const open = () =>
      new Promise<WebSocket>((ok, fail) => {
        const ws = new WebSocket(`ws://127.0.0.1:${small.port}/ws?token=${small.token}`, { origin: small.origin });
        ws.once('open', () => ok(ws));
        ws.once('error', fail);
      });
    const ws = await open();
    const pad = 'x'.repeat(60 * 1024);
    const under = await rpc(ws, { id: 1, method: 'listRuns', args: [], pad });
    assert.equal(under.ok, true);
    const closed = new Promise<number>((ok) => ws.once('close', (code) => ok(code)));
    ws.send(JSON.stringify({ id: 2, method: 'listRuns', args: [], pad: 'x'.repeat(65 * 1024) }));
    assert.equal(await closed, 1009, 'closed as "message too big"');
  } finally {
    await small.close();
  }
});

test('large messages are parsed off the server thread: a model file loads, a bad one is one line, others dispatch as usual', { timeout: 60_000 }, async () => {
  const { toNetwork2Json } = await import('../../src/engine/model-json');
  const { Network } = await import('../../src/engine/network');
  const { Rng } = await import('../../src/engine/rng');
  const text = toNetwork2Json(Network.initialize({ sizes: [784, 300, 10], activation: 'sigmoid', cost: 'cross-entropy' }, 'default', new Rng(4)));
  assert.ok(text.length > 1024 * 1024, 'over the large-message threshold');
  const ws = await connect({});
  try {
    const loaded = await rpc(ws, { id: 1, method: 'loadModelJson', args: [text, 'big model'] });
    assert.equal(loaded.ok, true, String(loaded.error));
    const info = loaded.result as { ref: { kind: string; id: string }; sizes: number[]; label: string };
    assert.deepEqual([info.ref.kind, info.sizes, info.label], ['loaded', [784, 300, 10], 'big model']);
    const p = await rpc(ws, { id: 2, method: 'predict', args: [info.ref, { width: 2, height: 2, pixels: [0, 255, 255, 0] }] });
    assert.equal(p.ok, true, String(p.error));
    const bad = await rpc(ws, { id: 3, method: 'loadModelJson', args: [text.replace('"weights"', '"wights"'), 'broken'] });
    assert.deepEqual([bad.id, bad.ok], [3, false]);
    assert.match(String(bad.error), /^model file has no "weights"$/);
    const padded = await rpc(ws, { id: 4, method: 'listRuns', args: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    assert.deepEqual([padded.id, padded.ok], [4, true]);
    const unknown = await rpc(ws, { id: 5, method: 'rmrf', args: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    assert.match(String(unknown.error), /unknown method/);
  } finally {
    ws.close();
  }
});
