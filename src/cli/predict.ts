// `predict`: reads PNG or JPEG images of any size, normalizes each MNIST-style and prints the digit.
import { join } from 'node:path';
import { normalizeDigit } from '../engine/digit-normalize';
import { Evaluator } from '../engine/evaluate';
import { argmax } from '../engine/network';
import { decodeImageFile } from '../main/images';
import { modelsDir } from '../main/paths';
import { UsageError, checkKnown, parseArgs } from './args';
import { readModelFile } from './model-file';

export async function predictMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['model', 'json']);
  if (positional.length === 0) throw new UsageError('predict needs at least one image: npm run predict -- image.png [more.png] [--model model.json] [--json]');
  const modelFlag = flags.get('model');
  if (modelFlag === true) throw new UsageError('--model needs a file path');
  const model = readModelFile(modelFlag ?? join(modelsDir(), 'default.json'));
  const evaluator = new Evaluator(model.network);
  const json = flags.has('json');
  for (const file of positional) {
    const gray = await decodeImageFile(file);
    const { input } = normalizeDigit(gray.pixels, gray.width, gray.height, file);
    const p = evaluator.predict(input);
    const probabilities = normalizeOutputs(p, model.network.softmax);
    const digit = argmax(p, 0, p.length);
    if (json) process.stdout.write(JSON.stringify({ file, digit, probabilities }) + '\n');
    else process.stdout.write(`${file}: ${digit} (${(100 * probabilities[digit]).toFixed(1)}%)\n`);
  }
}

/** Softmax outputs are probabilities already; sigmoid outputs are scaled to sum to 1 for display. */
export function normalizeOutputs(outputs: Float32Array, softmax: boolean): number[] {
  const v = Array.from(outputs);
  if (softmax) return v;
  const s = v.reduce((a, b) => a + b, 0);
  return s > 0 ? v.map((x) => x / s) : v.map(() => 1 / v.length);
}
