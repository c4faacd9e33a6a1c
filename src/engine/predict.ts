// The one prediction pipeline, shared by the pad, the CLI and the analysis views: normalize a raw
// image MNIST-style (crop to the ink, fit 20×20, centre the mass in 28×28), run the network, and
// read its outputs as probabilities and a digit.
import { normalizeDigit, type GrayImage, type NormalizationStages, type NormalizedDigit } from './digit-normalize';
import type { Evaluator } from './evaluate';

export interface DigitPrediction {
  digit: number;
  /** One per digit, summing to 1. */
  probabilities: number[];
  stages: NormalizationStages;
}

/**
 * Output activations as probabilities summing to 1: softmax outputs already are; sigmoid outputs
 * are independent per digit, so they are scaled by their sum for display.
 */
export function toProbabilities(out: Float32Array): number[] {
  let sum = 0;
  for (const v of out) sum += v;
  return Array.from(out, (v) => (sum > 0 ? v / sum : 1 / out.length));
}

/** The index of the largest value (the first one on ties). */
export function argmaxOf(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Predicts the digit in a raw image; `name` (a file name) prefixes a refusal's one line. */
export function predictDigit(evaluator: Evaluator, image: GrayImage, name?: string): DigitPrediction {
  return predictFromNormalized(evaluator, normalizeDigit(image.pixels, image.width, image.height, name));
}

/** The prediction for a digit already normalized (its input and stages), for callers that use the input too. */
export function predictFromNormalized(evaluator: Evaluator, digit: NormalizedDigit): DigitPrediction {
  const probabilities = toProbabilities(evaluator.predict(digit.input));
  return { digit: argmaxOf(probabilities), probabilities, stages: digit.stages };
}

/** Probabilities for an image already normalized (a 784-float MNIST input in [0, 1]). */
export function predictNormalized(evaluator: Evaluator, input: Float32Array): number[] {
  return toProbabilities(evaluator.predict(input));
}
