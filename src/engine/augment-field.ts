// The displacement-field and resampling math of the augmentation (augment.ts): scipy's Gaussian
// kernel, its spectrum in the DCT-II basis (which diagonalises the reflected-border smoothing, so
// Simard's field is cheap to draw in that basis), how many modes and control points a field needs,
// bilinear sampling and the integer shift. See augment.ts for why the field is drawn this way.

export const N = 28;
export const NN = N * N;
export const CENTRE = (N - 1) / 2;
/** The source padded by one background pixel on every side, so bilinear reads need no bounds checks. */
export const P = N + 2;
/** Energy of the field (per axis) we accept to drop when truncating to k modes. */
const ELASTIC_TAIL = 1e-4;

/** scipy.ndimage.gaussian_filter's kernel: radius round(4σ), normalised to sum 1. */
export function gaussianKernel(sigmaPx: number): Float64Array {
  const r = Math.floor(4 * sigmaPx + 0.5);
  const g = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += g[i + r] = Math.exp(-(i * i) / (2 * sigmaPx * sigmaPx));
  for (let i = 0; i < g.length; i++) g[i] /= sum;
  return g;
}

/** Index into 0..n-1 of position i under scipy's 'reflect' extension (d c b a | a b c d | d c b a). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/** Eigenvalues λ_m of the reflected-border Gaussian smoothing of length n, one per DCT-II mode. */
export function smoothingSpectrum(sigmaPx: number, n = N): Float64Array {
  const g = gaussianKernel(sigmaPx);
  const r = (g.length - 1) / 2;
  const lam = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    let s = g[r];
    for (let j = 1; j <= r; j++) s += 2 * g[r + j] * Math.cos((Math.PI * m * j) / n);
    lam[m] = s;
  }
  return lam;
}

/** The orthonormal DCT-II basis: phi[m*n + y] = φ_m(y). */
export function dctBasis(n = N): Float64Array {
  const phi = new Float64Array(n * n);
  for (let m = 0; m < n; m++) {
    const scale = Math.sqrt((m === 0 ? 1 : 2) / n);
    for (let y = 0; y < n; y++) phi[m * n + y] = scale * Math.cos((Math.PI * m * (y + 0.5)) / n);
  }
  return phi;
}

/** How many modes per axis keep all but ELASTIC_TAIL of the smoothed field's energy. */
export function elasticModes(sigmaPx: number): number {
  const lam = smoothingSpectrum(sigmaPx);
  let total = 0;
  for (const l of lam) total += l * l;
  let tail = total;
  for (let k = 0; k < N; k++) {
    if (tail <= ELASTIC_TAIL * total) return Math.max(k, 1);
    tail -= lam[k] * lam[k];
  }
  return N;
}

/**
 * Bilinear sample of a padded (P×P, one background pixel around) image at source coordinates
 * (qx, qy) in the unpadded frame; 0 outside.
 */
export function sampleBilinear(pad: Float32Array, qx: number, qy: number): number {
  if (!(qx > -1 && qx < N && qy > -1 && qy < N)) return 0;
  const fx = Math.floor(qx);
  const fy = Math.floor(qy);
  const ax = qx - fx;
  const ay = qy - fy;
  const i = (fy + 1) * P + fx + 1;
  const top = pad[i] + ax * (pad[i + 1] - pad[i]);
  const bottom = pad[i + P] + ax * (pad[i + P + 1] - pad[i + P]);
  return top + ay * (bottom - top);
}

/** Control-grid spacing as a fraction of sigma: keeps the interpolated field within ~6% rms of exact. */
const GRID_SPACING_PER_SIGMA = 0.75;

/**
 * Control points per axis for an elastic field of this sigma: 28 (every pixel, exact) for small
 * sigma, fewer for smooth fields. Without elastic distortion the map is affine and 2 are exact.
 */
export function controlPoints(sigmaPx: number | null): number {
  if (sigmaPx === null) return 2;
  return Math.min(N, Math.ceil((N - 1) / (GRID_SPACING_PER_SIGMA * sigmaPx)) + 1);
}

/** Integer shift by (sx, sy) pixels: out(x, y) = src(x − sx, y − sy), background where uncovered. */
export function shiftCopy(out: Uint8Array, outOffset: number, src: Uint8Array, srcOffset: number, sx: number, sy: number): void {
  for (let y = 0; y < N; y++) {
    const ys = y - sy;
    const oo = outOffset + y * N;
    if (ys < 0 || ys >= N) {
      out.fill(0, oo, oo + N);
      continue;
    }
    const so = srcOffset + ys * N;
    for (let x = 0; x < N; x++) {
      const xs = x - sx;
      out[oo + x] = xs >= 0 && xs < N ? src[so + xs] : 0;
    }
  }
}
