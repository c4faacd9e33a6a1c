// What the preload hands the renderer as window.lab: the LabApi verbs plus the few things only the
// desktop shell can do (native file dialogs, menu commands). The IPC channel names live here too:
// the preload, src/main/ipc.ts and the renderer import them from this one file.
import type { LabApi, ModelInfo, ModelRef } from './api';

/** 'models-changed': the shell loaded a model file (a second launch, the OS, Open Recent): show it. */
export type MenuCommand = 'open-model' | 'save-model' | 'new-run' | 'pause' | 'models-changed';

export interface ShellApi extends LabApi {
  /** Shows the native open dialog and loads the chosen model; null when cancelled. */
  openModelFile(): Promise<ModelInfo | null>;
  /** Shows the native save dialog and writes the model; the file name saved, or null when cancelled. */
  saveModelFile(model: ModelRef): Promise<string | null>;
  /** Subscribes to menu commands (accelerators); returns the unsubscribe function. */
  onMenu(listener: (command: MenuCommand) => void): () => void;
}

export const CHANNEL_EVENT = 'lab:event';
export const CHANNEL_MENU = 'lab:menu';
export const CHANNEL_OPEN_MODEL = 'lab:openModelFile';
export const CHANNEL_SAVE_MODEL = 'lab:saveModelFile';

/** The invoke channel of a LabApi verb. */
export function callChannel(method: string): string {
  return `lab:call:${method}`;
}
