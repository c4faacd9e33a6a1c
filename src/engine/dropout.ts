// Inverted dropout on hidden layers: each neuron is kept with probability 1 − p and scaled by
// 1/(1 − p), so the next layer's expected input equals the test-time network's and no rescaling
// is needed at test time (ConvNetJS got this factor wrong at p ≠ 0.5).
import type { Rng } from './rng';

/** Draws a mask (0 or 1/(1-p) per neuron) and writes dropped = a · mask for n values. */
export function applyDropout(dropped: Float32Array, mask: Float32Array, a: Float32Array, n: number, p: number, rng: Rng): void {
  const keep = 1 - p;
  const scale = 1 / keep;
  for (let i = 0; i < n; i++) {
    const m = rng.uniform() < keep ? scale : 0;
    mask[i] = m;
    dropped[i] = a[i] * m;
  }
}
