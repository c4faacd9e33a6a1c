// Electron IPC: one handler per LabApi verb plus the native model-file dialogs. Every handler first
// checks that the call comes from the app's own page, then validates its payload (src/shared/validate,
// the same checks the browser-mode WebSocket uses) before the services see it. The renderer never names a path: files come only through dialogs.
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { stat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LabApi, ModelInfo } from '../shared/api';
import { CHANNEL_EVENT, CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL, callChannel } from '../shared/shell-api';
import { MAX_MODEL_BYTES } from '../shared/limits';
import { LAB_CALLS, SHELL_CALLS, dispatchCall } from '../shared/validate';
import { writeFileAtomicSync } from './runs/atomic';
import { LabError, lineWithReason } from '../shared/errors';
import { SHELL_STRINGS, type ShellStrings } from './shell-strings';
import { oneLine } from '../shared/one-line';

/** True when `url` is the app's own page: the built index.html, or the dev server in `npm run dev`. */
export function isAppUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  // app:// is a standard scheme here: its origin is "app://nnlab", like an http origin.
  return u.protocol === app.protocol && u.host === app.host;
}

export interface IpcOptions {
  api: LabApi;
  /** The URL the main window loads (file://.../index.html or the dev server). */
  appUrl: string;
  /** The dialogs' words in the system's language (English by default). */
  words?: ShellStrings;
}

function checkSender(event: IpcMainInvokeEvent, appUrl: string): void {
  const frame = event.senderFrame;
  const owner = BrowserWindow.fromWebContents(event.sender);
  if (!frame || !owner || !isAppUrl(frame.url, appUrl)) {
    throw new Error(`refused an IPC call from ${frame ? frame.url : 'a destroyed frame'}`);
  }
}

/** Registers the handlers; returns a function that removes them and the event forwarding. */
export function setupIpc({ api, appUrl, words = SHELL_STRINGS.en }: IpcOptions): () => void {
  const channels: string[] = [];
  const handle = (channel: string, fn: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) => {
    channels.push(channel);
    ipcMain.handle(channel, async (event, ...args) => {
      checkSender(event, appUrl);
      try {
        return await fn(event, ...args);
      } catch (e) {
        // Electron's IPC keeps only an error's message: its reason travels in the line (src/shared/errors).
        throw new Error(lineWithReason(oneLine(e), e), { cause: e });
      }
    });
  };

  for (const method of Object.keys(LAB_CALLS)) {
    handle(callChannel(method), (_event, ...args) => dispatchCall(api, method, args));
  }

  handle(CHANNEL_OPEN_MODEL, async (event, ...args): Promise<ModelInfo | null> => {
    SHELL_CALLS.openModelFile(args);
    const win = BrowserWindow.fromWebContents(event.sender)!;
    const r = await dialog.showOpenDialog(win, {
      title: words.openTitle,
      properties: ['openFile'],
      filters: [{ name: words.modelFiles, extensions: ['json'] }],
    });
    if (r.canceled || r.filePaths.length === 0) return null;
    const path = r.filePaths[0];
    const size = (await stat(path)).size;
    if (size > MAX_MODEL_BYTES) throw new LabError('model.fileTooLarge', { name: basename(path), n: size, max: MAX_MODEL_BYTES });
    return api.loadModelJson(await readFile(path, 'utf8'), basename(path));
  });

  handle(CHANNEL_SAVE_MODEL, async (event, ...args): Promise<string | null> => {
    const [ref] = SHELL_CALLS.saveModelFile(args);
    const text = await api.modelJson(ref);
    const win = BrowserWindow.fromWebContents(event.sender)!;
    const r = await dialog.showSaveDialog(win, {
      title: words.saveTitle,
      defaultPath: 'model.json',
      filters: [{ name: words.modelFiles, extensions: ['json'] }],
    });
    if (r.canceled || !r.filePath) return null;
    writeFileAtomicSync(r.filePath, text);
    return basename(r.filePath);
  });

  const unsubscribe = api.onEvent((e) => {
    for (const win of BrowserWindow.getAllWindows()) sendIfAlive(win.webContents, CHANNEL_EVENT, e);
  });

  return () => {
    unsubscribe();
    for (const c of channels) ipcMain.removeHandler(c);
  };
}

function sendIfAlive(wc: WebContents, channel: string, value: unknown): void {
  if (!wc.isDestroyed()) wc.send(channel, value);
}
