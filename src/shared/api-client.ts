// The request/response half of LabApi as data: its verb names, and a client built from any
// transport's `call(method, ...args)`. The preload (Electron IPC) and the renderer's WebSocket
// client both build theirs here, so a new verb is added in one place.
import type { LabApi } from './api';

export type LabCalls = Omit<LabApi, 'onEvent'>;

export const LAB_VERBS = [
  'listRuns',
  'startRun',
  'pauseRun',
  'resumeRun',
  'stopRun',
  'setEta',
  'describeRun',
  'deleteRun',
  'runHistory',
  'runCsv',
  'listModels',
  'decodeImage',
  'predict',
  'modelJson',
  'loadModelJson',
  'confusion',
  'gallery',
  'receptiveFields',
  'augmentPreview',
  'neuron',
  'backprop',
  'baseline',
  'listSweeps',
  'startSweep',
  'pauseSweep',
  'resumeSweep',
  'stopSweep',
  'deleteSweep',
] as const satisfies readonly (keyof LabCalls)[];

// Compile-time check that every verb of LabApi is listed.
type Unlisted = Exclude<keyof LabCalls, (typeof LAB_VERBS)[number]>;
const everyVerbListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyVerbListed;

export function labCalls(call: (method: string, ...args: unknown[]) => Promise<unknown>): LabCalls {
  return Object.fromEntries(LAB_VERBS.map((verb) => [verb, (...args: unknown[]) => call(verb, ...args)])) as unknown as LabCalls;
}
