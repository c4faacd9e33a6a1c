// The preload: exposes one typed object of domain verbs as window.lab. Bundled into one CommonJS
// file so it runs with sandbox: true. No generic send/invoke reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LabEvent } from '../shared/api';
import { labCalls } from '../shared/api-client';
import { CHANNEL_EVENT, CHANNEL_MENU, CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL, callChannel, type MenuCommand, type ShellApi } from '../shared/shell-api';

const call = (method: string, ...args: unknown[]) => ipcRenderer.invoke(callChannel(method), ...args);

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_e: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const lab: ShellApi = {
  ...labCalls(call),
  onEvent: (listener) => subscribe<LabEvent>(CHANNEL_EVENT, listener),
  openModelFile: () => ipcRenderer.invoke(CHANNEL_OPEN_MODEL),
  saveModelFile: (model) => ipcRenderer.invoke(CHANNEL_SAVE_MODEL, model),
  onMenu: (listener) => subscribe<MenuCommand>(CHANNEL_MENU, listener),
};

contextBridge.exposeInMainWorld('lab', lab);
