// The Electron main process: one secure window, the menu, and the IPC setup over the lab services.
// Only this file and ipc.ts import 'electron'; everything they drive is plain Node in src/main.
/// <reference types="electron-vite/node" />
import { app, BrowserWindow, dialog, Menu, nativeTheme, Notification, protocol, session, type MenuItemConstructorOptions, type WebPreferences } from 'electron';
import { readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLabService } from './lab-service';
import { writeFileAtomicSync } from './runs/atomic';
import { staticFile } from './static-files';
import { readFile } from 'node:fs/promises';
// electron-vite bundles the run worker as its own file and gives us its path.
import workerPath from './runs/worker?modulePath';
import { isAppUrl, setupIpc } from './ipc';
import { CHANNEL_MENU, type MenuCommand } from '../shared/shell-api';
import { RecentModels, finishNotice, modelPathsFromArgv, taskbarProgress } from './desktop';
import { SHELL_STRINGS, errorLine, shellStrings, type ShellStrings } from './shell-strings';
import { pickLanguage, type Language } from '../shared/language';
import type { LabService } from './lab-service';
import type { RunProgress, RunSummary } from '../shared/api';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The app's own origin. The built page is served from app://nnlab/ rather than file://, as
 * Electron's security checklist recommends: a page of its own origin, and file:// stays closed.
 */
export const APP_ORIGIN = 'app://nnlab';

/** The page the window loads: the dev server under `electron-vite dev`, else the built page on app://. */
export function appUrl(): string {
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && dev) return dev;
  return `${APP_ORIGIN}/index.html`;
}

// Before the app is ready: app:// is a standard, secure scheme (relative URLs, fetch, a real origin).
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** Answers app://nnlab/… with the built renderer's files, and only those (src/main/static-files). */
export function appProtocolHandler(rendererDir: string): (request: { url: string }) => Promise<Response> {
  const root = realpathSync(rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    // (URL gives a custom scheme's origin as "null": compare its parts.)
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('forbidden: not the app', { status: 403 });
    const found = staticFile(root, url.pathname);
    if ('status' in found) return new Response(found.reason, { status: found.status });
    return new Response(await readFile(found.file), { headers: { 'Content-Type': found.contentType, 'X-Content-Type-Options': 'nosniff' } });
  };
}

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

interface WindowState {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized?: boolean;
}

const DEFAULT_STATE: WindowState = { width: 1280, height: 860 };

function statePath(): string {
  return join(app.getPath('userData'), 'window-state.json');
}

/** Reads the remembered window size; anything odd falls back to the default. */
export function parseWindowState(text: string): WindowState {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const okSize = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 10_000;
    const okPos = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 100_000;
    if (!okSize(o.width) || !okSize(o.height)) return { ...DEFAULT_STATE };
    return {
      width: o.width as number,
      height: o.height as number,
      ...(okPos(o.x) && okPos(o.y) ? { x: o.x as number, y: o.y as number } : {}),
      maximized: o.maximized === true,
    };
  } catch {
    return { ...DEFAULT_STATE };
  }
}

function loadWindowState(): WindowState {
  try {
    return parseWindowState(readFileSync(statePath(), 'utf8'));
  } catch {
    return { ...DEFAULT_STATE };
  }
}

function saveWindowState(win: BrowserWindow): void {
  const b = win.getNormalBounds();
  const state: WindowState = { width: b.width, height: b.height, x: b.x, y: b.y, maximized: win.isMaximized() };
  try {
    writeFileAtomicSync(statePath(), JSON.stringify(state));
  } catch {
    // Remembering the size is a convenience; a read-only profile must not stop the app closing.
  }
}

function createWindow(url: string): BrowserWindow {
  const state = loadWindowState();
  const win = new BrowserWindow({
    width: state.width,
    height: state.height,
    ...(state.x !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'nnlab',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f7f7f5',
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(win));
  void win.loadURL(url);
  return win;
}

function sendMenu(command: MenuCommand): void {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  if (win && !win.webContents.isDestroyed()) win.webContents.send(CHANNEL_MENU, command);
}

export function menuTemplate(
  isMac: boolean,
  recent: readonly string[] = [],
  openRecent: (path: string) => void = () => {},
  words: ShellStrings = SHELL_STRINGS.en,
): MenuItemConstructorOptions[] {
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: words.file,
      submenu: [
        { label: words.openModel, accelerator: 'CmdOrCtrl+O', click: () => sendMenu('open-model') },
        {
          label: words.openRecent,
          enabled: recent.length > 0,
          submenu: recent.map((path) => ({ label: basename(path), toolTip: path, click: () => openRecent(path) })),
        },
        { label: words.saveModel, accelerator: 'CmdOrCtrl+S', click: () => sendMenu('save-model') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: words.run,
      submenu: [
        { label: words.newRun, accelerator: 'CmdOrCtrl+N', click: () => sendMenu('new-run') },
        { label: words.pauseResume, accelerator: 'CmdOrCtrl+P', click: () => sendMenu('pause') },
      ],
    },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}

/** No remote content, no new windows, no navigation away from the app's page, no permissions. */
function lockDown(url: string): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, target) => {
      if (!isAppUrl(target, url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const devOrigin = url.startsWith(APP_ORIGIN) ? null : new URL(url).origin;
  // The app's own origin (whose handler serves only the built renderer's files), never file://
  // or anything remote.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url;
    const local = u.startsWith(`${APP_ORIGIN}/`) || u.startsWith('devtools:') || u.startsWith('data:') || u.startsWith('blob:');
    const dev = devOrigin !== null && (u.startsWith(devOrigin) || u.startsWith(devOrigin.replace(/^http/, 'ws')));
    callback({ cancel: !(local || dev) });
  });
}

/** Model files from the OS, a second launch or Open Recent: loaded into the lab, remembered, shown. */
function modelOpener(api: LabService, recent: RecentModels, rebuildMenu: () => void, words: ShellStrings, language: Language): (path: string) => Promise<void> {
  return async (path) => {
    try {
      await api.loadModelJson(await readFile(path, 'utf8'), basename(path));
      recent.add(path);
      app.addRecentDocument(path);
      rebuildMenu();
      sendMenu('models-changed');
    } catch (e) {
      dialog.showErrorBox(words.cannotOpen, `${path}: ${errorLine(language, e)}`);
    }
  };
}

/** The leading run's progress on the taskbar or dock icon; a notification when a run or sweep ends while the window is in the background. */
async function followRuns(api: LabService, words: ShellStrings): Promise<void> {
  const runs = new Map<string, RunSummary>((await api.listRuns()).map((r) => [r.id, r]));
  const progress = new Map<string, RunProgress>();
  const states = new Map<string, string>([...runs.values()].map((r) => [r.id, r.state]));
  api.onEvent((e) => {
    const notice = finishNotice(e, states, words);
    if (e.type === 'run') {
      runs.set(e.run.id, e.run);
      states.set(e.run.id, e.run.state);
      if (e.run.state !== 'running') progress.delete(e.run.id);
    } else if (e.type === 'progress') progress.set(e.progress.runId, e.progress);
    else if (e.type === 'run-deleted') runs.delete(e.runId);
    else if (e.type === 'sweep') states.set(e.sweep.id, e.sweep.state);
    const win = BrowserWindow.getAllWindows()[0];
    if (!win) return;
    if (e.type === 'run' || e.type === 'progress' || e.type === 'run-deleted') win.setProgressBar(taskbarProgress([...runs.values()], progress));
    if (notice && !win.isFocused() && Notification.isSupported()) new Notification(notice).show();
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle('app', appProtocolHandler(join(here, '../renderer')));
  const url = appUrl();
  lockDown(url);
  const api = createLabService({ runsDir: join(app.getPath('userData'), 'runs'), workerUrl: pathToFileURL(workerPath) });
  // The shell speaks the system's language, as the page does at first (the page can be switched; menus and dialogs follow the system).
  const words = shellStrings(app.getLocale());
  const language = pickLanguage([app.getLocale()]);
  setupIpc({ api, appUrl: url, words });
  const recent = new RecentModels(join(app.getPath('userData'), 'recent-models.json'));
  const rebuildMenu = (): void =>
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform === 'darwin', recent.list(), (p) => void openModel(p), words)));
  const openModel = modelOpener(api, recent, rebuildMenu, words, language);
  rebuildMenu();
  const win = createWindow(url);
  // A second launch focuses this window and opens the model files it was given.
  app.on('second-instance', (_event, argv, cwd) => {
    if (win.isMinimized()) win.restore();
    win.focus();
    for (const p of modelPathsFromArgv(argv, cwd)) void openModel(p);
  });
  // macOS: a model file dropped on the dock icon or opened with the app.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void openModel(path);
  });
  win.webContents.once('did-finish-load', () => {
    for (const p of modelPathsFromArgv(process.argv, process.cwd())) void openModel(p);
  });
  void followRuns(api, words);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(url);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Stop the workers before quitting: runs that were training stay resumable from their checkpoint.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void api.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
}

// Every renderer the app ever makes is sandboxed, whatever its own options say.
app.enableSandbox();

// One lab at a time: a second launch hands its files to the first (the 'second-instance' event) and quits.
if (!app.requestSingleInstanceLock()) app.quit();
else
  void main().catch((e: unknown) => {
    console.error(`nnlab: ${(e as Error).message}`);
    app.exit(1);
  });
