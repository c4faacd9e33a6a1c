// The augmentation's reference implementations, kept as test oracles and for the bench: the literal
// Simard recipe as SciPy does it (rotate, then displace by two smoothed uniform fields), and the
// fast transform's own path without any shortcut. Slow on purpose; never used for training.
import type { Augmentation } from './hyperparams';
import type { Rng } from './rng';
import { Augmenter } from './augment';
import { CENTRE, N, NN, P, gaussianKernel, reflectIndex, sampleBilinear } from './augment-field';

/**
 * The literal recipe (Simard 2003 as scipy does it): smooth an n×n field in place with a separable
 * truncated Gaussian, reflected borders. Slow; kept as the reference the fast field is tested against.
 */
export function gaussianSmoothReference(field: Float64Array, n: number, sigmaPx: number): void {
  const g = gaussianKernel(sigmaPx);
  const r = (g.length - 1) / 2;
  const tmp = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let j = -r; j <= r; j++) s += g[j + r] * field[y * n + reflectIndex(x + j, n)];
      tmp[y * n + x] = s;
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let j = -r; j <= r; j++) s += g[j + r] * tmp[reflectIndex(y + j, n) * n + x];
      field[y * n + x] = s;
    }
  }
}

/**
 * The same transform without shortcuts: the general loops for the control map, and every output
 * pixel sampled from a float copy of the source. Slow; the reference Augmenter.transform is
 * tested against (the same draws and the same bytes).
 */
export function transformReference(a: Augmenter, out: Uint8Array, outOffset: number, src: Uint8Array, srcOffset: number, rng: Rng): void {
  if (!a.drawMap(out, outOffset, src, srcOffset, rng, false)) return;
  const pad = new Float32Array(P * P);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) pad[(y + 1) * P + x + 1] = src[srcOffset + y * N + x];
  const G = a.grid;
  const h = (N - 1) / (G - 1);
  for (let y = 0; y < N; y++) {
    const r0 = a.rowSeg[y] * G;
    const t = a.rowFrac[y];
    const rx = (j: number) => a.qx[r0 + j] + t * (a.qx[r0 + G + j] - a.qx[r0 + j]);
    const ry = (j: number) => a.qy[r0 + j] + t * (a.qy[r0 + G + j] - a.qy[r0 + j]);
    for (let s = 0; s < G - 1; s++) {
      const stepX = (rx(s + 1) - rx(s)) / h;
      const stepY = (ry(s + 1) - ry(s)) / h;
      const x0 = a.segStart[s];
      let qx = rx(s) + (x0 - a.ctrlPos[s]) * stepX + 1;
      let qy = ry(s) + (x0 - a.ctrlPos[s]) * stepY + 1;
      for (let x = x0; x < a.segStart[s + 1]; x++, qx += stepX, qy += stepY) {
        let v = 0;
        if (qx > 0 && qx < N + 1 && qy > 0 && qy < N + 1) {
          const fx = Math.floor(qx);
          const fy = Math.floor(qy);
          const ax = qx - fx;
          const i = fy * P + fx;
          const top = pad[i] + ax * (pad[i + 1] - pad[i]);
          v = top + (qy - fy) * (pad[i + P] + ax * (pad[i + P + 1] - pad[i + P]) - top);
        }
        out[outOffset + y * N + x] = Math.floor(v + 0.5);
      }
    }
  }
}

/**
 * The literal Simard recipe, one image, as the SciPy yardstick does it: rotate (bilinear), then
 * displace by two uniform(−1, 1) fields smoothed by gaussianSmoothReference and scaled by alpha.
 * Slow; for tests and for the figures in the bench, not for training.
 */
export function augmentReference(out: Uint8Array, src: Uint8Array, spec: Augmentation, rng: Rng): void {
  const pad = new Float32Array(P * P);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) pad[(y + 1) * P + x + 1] = src[y * N + x];
  const angle = spec.rotateDeg > 0 ? ((2 * rng.uniform() - 1) * spec.rotateDeg * Math.PI) / 180 : 0;
  const rotated = new Float32Array(P * P);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const u = x - CENTRE;
      const w = y - CENTRE;
      rotated[(y + 1) * P + x + 1] = sampleBilinear(pad, cos * u + sin * w + CENTRE, -sin * u + cos * w + CENTRE);
    }
  }
  const dx = new Float64Array(NN);
  const dy = new Float64Array(NN);
  if (spec.elasticAlpha > 0) {
    for (let i = 0; i < NN; i++) dx[i] = 2 * rng.uniform() - 1;
    for (let i = 0; i < NN; i++) dy[i] = 2 * rng.uniform() - 1;
    gaussianSmoothReference(dx, N, spec.elasticSigmaPx);
    gaussianSmoothReference(dy, N, spec.elasticSigmaPx);
  }
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = y * N + x;
      const v = sampleBilinear(rotated, x + spec.elasticAlpha * dx[i], y + spec.elasticAlpha * dy[i]);
      out[i] = (v + 0.5) | 0;
    }
  }
}
