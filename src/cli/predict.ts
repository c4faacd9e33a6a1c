// `predict`: reads PNG or JPEG images of any size and prints the digit, through the same decoder
// (src/main/images) and prediction pipeline (src/engine/predict) as the app's pad.
import { join } from 'node:path';
import { Evaluator } from '../engine/evaluate';
import { predictDigit } from '../engine/predict';
import { decodeImageFile } from '../main/images';
import { modelsDir } from '../main/paths';
import { UsageError, checkKnown, parseArgs } from './args';
import { readModelFile } from './model-file';
import { io } from './io';

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
    const { digit, probabilities } = predictDigit(evaluator, await decodeImageFile(file), file);
    if (json) io.out(JSON.stringify({ file, digit, probabilities }) + '\n');
    else io.out(`${file}: ${digit} (${(100 * probabilities[digit]).toFixed(1)}%)\n`);
  }
}
