// Browser mode: serves the built renderer (out/renderer) on 127.0.0.1 and speaks LabApi over a
// WebSocket to the same services as Electron's main process. A random token in the printed URL
// guards both: without it (or its cookie) requests get 403; WebSockets from other origins, other
// hosts (DNS rebinding) and paths outside the served folder are refused.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabApi, LabEvent, ModelInfo } from '../shared/api';
import { MAX_MESSAGE_BYTES } from '../shared/limits';
import { oneLine } from '../shared/one-line';
import { lineWithReason } from '../shared/errors';
import { dispatchCall } from '../shared/validate';
import { staticFile } from '../main/static-files';
import { Network } from '../engine/network';
import type { LoadedModel } from '../engine/model-json';
import { LARGE_MESSAGE_BYTES, parseLarge } from './large-messages';

export const TOKEN_COOKIE = 'nnlab_token';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface LabServerOptions {
  api: LabApi;
  /** The folder to serve (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes in hex. */
  token?: string;
  /** The largest WebSocket message accepted (default MAX_MESSAGE_BYTES: the largest model text, framed). */
  maxMessageBytes?: number;
  /** Loads a model parsed off the server's thread (from a large loadModelJson message). */
  loadParsedModel?: (model: LoadedModel, name: string) => Promise<ModelInfo>;
}

export interface LabServer {
  port: number;
  token: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The address to open, with the token. */
  url: string;
  close(): Promise<void>;
}

function sameSecret(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return null;
}

export async function startLabServer(opts: LabServerOptions): Promise<LabServer> {
  const root = realpathSync(resolve(opts.rendererDir));
  const token = opts.token ?? randomBytes(32).toString('hex');
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

  /** Host header and token checks shared by pages and sockets; returns a refusal reason or null. */
  function refusal(req: IncomingMessage, url: URL): string | null {
    if (!allowedHosts().includes(req.headers.host ?? '')) return 'unexpected Host header';
    if (!sameSecret(url.searchParams.get('token'), token) && !sameSecret(cookieToken(req), token)) return 'missing or wrong token';
    return null;
  }

  function send(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    res.end(text + '\n');
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refusal(req, url);
    if (refused) return send(res, 403, `forbidden: ${refused}; open the address printed by npm run serve`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const found = staticFile(root, url.pathname);
    if ('status' in found) return send(res, found.status, found.reason);
    const real = found.file;
    const headers: Record<string, string> = {
      'Content-Type': found.contentType,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': CSP,
      'Cache-Control': real.endsWith('.html') ? 'no-store' : 'max-age=3600',
    };
    // The page URL carries the token; a strict, HTTP-only cookie lets its assets and socket follow.
    if (sameSecret(url.searchParams.get('token'), token)) headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(real)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  const http = createServer(handle);
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const reason = url.pathname !== '/ws' ? 'unknown socket path' : !origin || !allowedOrigins().includes(origin) ? 'origin not allowed' : refusal(req, url);
    if (reason) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nforbidden: ${reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.api, opts.loadParsedModel));
  });

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', fail);
      ok();
    });
  });
  port = (http.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => ok());
      }),
  };
}

/**
 * One browser tab: calls in, replies and events out, all JSON. A message over LARGE_MESSAGE_BYTES
 * (a model file's text) is decoded, parsed and checked in a worker (large-messages.ts), so that it
 * never holds the thread that answers the other tabs.
 */
function serveSocket(ws: WebSocket, api: LabApi, loadParsedModel: LabServerOptions['loadParsedModel']): void {
  const sendJson = (v: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(v));
  };
  const unsubscribe = api.onEvent((event: LabEvent) => sendJson({ event }));
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  ws.on('message', async (data, isBinary) => {
    let id: unknown = null;
    try {
      if (isBinary) throw new Error('binary messages are not accepted');
      const bytes = data as Buffer;
      if (bytes.length > LARGE_MESSAGE_BYTES && loadParsedModel) {
        const parsed = await parseLarge(bytes);
        id = parsed.id;
        if ('error' in parsed) throw new Error(parsed.error);
        const result =
          'model' in parsed
            ? await loadParsedModel({ network: new Network(parsed.model.spec, parsed.model.params), meta: parsed.model.meta }, parsed.model.name)
            : await dispatchCall(api, parsed.method, parsed.args);
        sendJson({ id, ok: true, result: result ?? null });
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        throw new Error('message is not valid JSON');
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('message must be an object {id, method, args}');
      const m = msg as Record<string, unknown>;
      id = m.id;
      if (!Number.isSafeInteger(id)) {
        id = null;
        throw new Error('message id must be an integer');
      }
      const result = await dispatchCall(api, m.method, m.args ?? []);
      sendJson({ id, ok: true, result: result ?? null });
    } catch (e) {
      sendJson({ id, ok: false, error: lineWithReason(oneLine(e), e) });
    }
  });
}

function parseArgs(args: string[]): { port: number; runsDir: string | null; open: boolean } {
  let port = 0;
  let runsDir: string | null = null;
  let open = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      const v = value();
      port = Number(v);
      if (!/^\d+$/.test(v) || port < 0 || port > 65535) throw new Error(`--port must be an integer in [0, 65535], got ${JSON.stringify(v)}`);
    } else if (a === '--runs-dir') runsDir = value();
    else if (a === '--open') open = true;
    else throw new Error(`unknown option ${JSON.stringify(a)} for serve (expected --port N, --runs-dir DIR, --open)`);
  }
  return { port, runsDir, open };
}

/** Opens the URL in the system's browser where there is one; the printed URL is enough where not. */
function openInBrowser(url: string): void {
  const [command, ...args] =
    process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this system: the URL above is printed for the user to open.
  }
}

/** `npm run serve [-- --port N] [--runs-dir DIR]`: builds the renderer if needed, then serves it. */
export async function serveMain(args: string[]): Promise<void> {
  const { port, runsDir, open } = parseArgs(args);
  const { repoRoot } = await import('../main/paths');
  const { ensureRendererBuilt } = await import('./build-renderer');
  const { createLabService } = await import('../main/lab-service');
  const rootDir = repoRoot();
  await ensureRendererBuilt(rootDir, (line) => process.stderr.write(line + '\n'));
  const api = createLabService({ runsDir: resolve(runsDir ?? join(rootDir, 'runs')) });
  let server: LabServer;
  try {
    server = await startLabServer({ api, rendererDir: join(rootDir, 'out/renderer'), port, loadParsedModel: (m, n) => api.loadParsedModel(m, n) });
  } catch (e) {
    await api.close();
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'EADDRINUSE' ? `port ${port} is in use; pick another with --port N` : oneLine(e), { cause: e });
  }
  process.stdout.write(`nnlab is serving on 127.0.0.1 only. Open:\n  ${server.url}\n(Ctrl+C to stop)\n`);
  if (open) openInBrowser(server.url);
  const stop = async () => {
    await server.close();
    await api.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
