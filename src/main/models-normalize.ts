// Adapter between the drawing pad's GrayImage and the MNIST-style digit normalization.
import type { GrayImage, NormalizationStages } from '../shared/api';

export function normalizeForPrediction(_image: GrayImage): { input: Float32Array; stages: NormalizationStages } {
  throw new Error('digit normalization is not available yet');
}
