// Picks how the UI reaches the lab: window.lab from the Electron preload, or else a WebSocket to the
// browser-mode server, authenticated with the token from the page's URL. Either way the UI sees
// the same LabApi.
import type { LabApi, LabEvent } from '../../../shared/api';
import type { ShellApi } from '../../../shared/shell-api';
import { labCalls } from '../../../shared/api-client';
import { LabError } from '../../../shared/errors';

export interface LabClient {
  api: LabApi;
  /** The desktop shell's extras (native dialogs, menu); null in browser mode. */
  shell: Pick<ShellApi, 'openModelFile' | 'saveModelFile' | 'onMenu'> | null;
  /** Calls back once if the connection to the lab is lost (browser mode: the server stopped). */
  onDisconnect(listener: (reason: Error) => void): void;
}

declare global {
  interface Window {
    lab?: ShellApi;
  }
}

export async function connectLab(): Promise<LabClient> {
  if (window.lab) return { api: window.lab, shell: window.lab, onDisconnect: () => {} };
  const { api, onDisconnect } = await connectWebSocket();
  return { api, shell: null, onDisconnect };
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string } | { event: LabEvent };

function connectWebSocket(): Promise<{ api: LabApi; onDisconnect: (l: (reason: Error) => void) => void }> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(e: LabEvent) => void>();
  let nextId = 1;
  let closedReason: Error | null = null;
  const disconnectListeners: ((reason: Error) => void)[] = [];

  ws.addEventListener('message', (m) => {
    const msg = JSON.parse(String(m.data)) as Reply;
    if ('event' in msg) {
      for (const l of listeners) l(msg.event);
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  ws.addEventListener('close', () => {
    closedReason = new LabError('conn.closed');
    for (const p of pending.values()) p.reject(closedReason);
    pending.clear();
    for (const l of disconnectListeners) l(closedReason);
  });

  const call = (method: string, ...args: unknown[]): Promise<never> =>
    new Promise((resolve, reject) => {
      if (closedReason) return reject(closedReason);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, args }));
    });

  const api: LabApi = {
    ...labCalls(call),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };

  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve({ api, onDisconnect: (l) => void disconnectListeners.push(l) }), { once: true });
    ws.addEventListener('error', () => reject(new LabError('conn.unreachable')), { once: true });
  });
}
