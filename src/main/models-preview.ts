// The augmentation preview: one digit under `count` random transforms, as a PNG sheet (base64).
import type { Augmentation } from '../engine/hyperparams';

export async function augmentPreviewPng(_digit: Uint8Array, _augment: Augmentation, _count: number, _seed: number): Promise<string> {
  throw new Error('the augmentation preview is not available yet');
}
