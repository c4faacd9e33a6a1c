// The preload: exposes one typed object of domain verbs as window.lab. Bundled into one CommonJS
// file so it runs with sandbox: true. No generic send/invoke reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LabEvent } from '../shared/api';
import { CHANNEL_EVENT, CHANNEL_MENU, CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL, callChannel, type MenuCommand, type ShellApi } from './shell-api';

const call = (method: string, ...args: unknown[]) => ipcRenderer.invoke(callChannel(method), ...args);

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_e: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const lab: ShellApi = {
  listRuns: () => call('listRuns'),
  startRun: (hyperparams, name) => call('startRun', hyperparams, name),
  pauseRun: (id) => call('pauseRun', id),
  resumeRun: (id) => call('resumeRun', id),
  stopRun: (id) => call('stopRun', id),
  setEta: (id, eta) => call('setEta', id, eta),
  deleteRun: (id) => call('deleteRun', id),
  runHistory: (id) => call('runHistory', id),
  runCsv: (id) => call('runCsv', id),
  listModels: () => call('listModels'),
  predict: (model, image) => call('predict', model, image),
  modelJson: (model) => call('modelJson', model),
  loadModelJson: (text, name) => call('loadModelJson', text, name),
  confusion: (model, data) => call('confusion', model, data),
  gallery: (model, data, actual, predicted, limit) => call('gallery', model, data, actual, predicted, limit),
  receptiveFields: (model, limit) => call('receptiveFields', model, limit),
  augmentPreview: (augment, index, count, seed) => call('augmentPreview', augment, index, count, seed),
  onEvent: (listener) => subscribe<LabEvent>(CHANNEL_EVENT, listener),
  openModelFile: () => ipcRenderer.invoke(CHANNEL_OPEN_MODEL),
  saveModelFile: (model) => ipcRenderer.invoke(CHANNEL_SAVE_MODEL, model),
  onMenu: (listener) => subscribe<MenuCommand>(CHANNEL_MENU, listener),
};

contextBridge.exposeInMainWorld('lab', lab);
