// Dense-layer kernels over flat row-major float32 arrays, and the plain TypeScript reference
// implementation that every faster backend (WebAssembly) is tested against.
// Shapes: x is (B, nIn), w is (nOut, nIn), b is (nOut), z and dz are (B, nOut), dx is (B, nIn).

export interface Kernels {
  readonly name: string;
  /** z = x · wᵀ + b */
  linearForward(z: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, B: number, nIn: number, nOut: number): void;
  /** dx = dz · w */
  linearBackwardInput(dx: Float32Array, dz: Float32Array, w: Float32Array, B: number, nIn: number, nOut: number): void;
  /** gw = dzᵀ · x and gb = column sums of dz (overwritten, not accumulated). */
  linearWeightGrad(gw: Float32Array, gb: Float32Array, dz: Float32Array, x: Float32Array, B: number, nIn: number, nOut: number): void;
  /**
   * gw = decay · gw − shrink · sgn(gw) + alpha · dzᵀ · x and gb += alpha · column sums of dz. With
   * gw = w, decay = 1 − ηλ/n, shrink = ηλ₁/n and alpha = −η/m it is the SGD step with L2 and L1,
   * without materializing the gradient.
   */
  linearWeightGradAdd(
    gw: Float32Array,
    gb: Float32Array,
    dz: Float32Array,
    x: Float32Array,
    decay: number,
    shrink: number,
    alpha: number,
    B: number,
    nIn: number,
    nOut: number,
  ): void;
  /** y = a · y + c · x over the first n floats. */
  axpby(y: Float32Array, x: Float32Array, a: number, c: number, n: number): void;
  /** y = a · y over the first n floats. */
  scale(y: Float32Array, a: number, n: number): void;
  /** a = σ(z) = 1 / (1 + e^−z) over the first n floats. */
  sigmoid(a: Float32Array, z: Float32Array, n: number): void;
  /**
   * x (rows × pixels) = images of rows order[start + r] (or start + r when order is null) as bytes / 255:
   * where a mini-batch's bytes become floats.
   */
  loadImages(x: Float32Array, images: Uint8Array, order: Uint32Array | null, start: number, rows: number, pixels: number): void;
}

/**
 * A backend hands out one workspace per trainer: a single float32 slab that holds parameters,
 * gradients, velocities and activations (views into it), and kernels that work on views of it.
 * The WebAssembly backend's slab lives in its linear memory, so kernels receive byte offsets.
 */
export interface Workspace {
  readonly slab: Float32Array;
  readonly kernels: Kernels;
}

export interface Backend {
  readonly name: string;
  createWorkspace(nFloats: number): Workspace;
}

export const referenceKernels: Kernels = {
  name: 'reference',
  linearForward(z, x, w, b, B, nIn, nOut) {
    for (let r = 0; r < B; r++) {
      const xo = r * nIn;
      const zo = r * nOut;
      for (let j = 0; j < nOut; j++) {
        const wo = j * nIn;
        let s = 0;
        for (let k = 0; k < nIn; k++) s += x[xo + k] * w[wo + k];
        z[zo + j] = s + b[j];
      }
    }
  },
  linearBackwardInput(dx, dz, w, B, nIn, nOut) {
    dx.fill(0, 0, B * nIn);
    for (let r = 0; r < B; r++) {
      const xo = r * nIn;
      const zo = r * nOut;
      for (let j = 0; j < nOut; j++) {
        const d = dz[zo + j];
        if (d === 0) continue;
        const wo = j * nIn;
        for (let k = 0; k < nIn; k++) dx[xo + k] += d * w[wo + k];
      }
    }
  },
  linearWeightGrad(gw, gb, dz, x, B, nIn, nOut) {
    gw.fill(0, 0, nOut * nIn);
    gb.fill(0, 0, nOut);
    for (let r = 0; r < B; r++) {
      const xo = r * nIn;
      const zo = r * nOut;
      for (let j = 0; j < nOut; j++) {
        const d = dz[zo + j];
        gb[j] += d;
        if (d === 0) continue;
        const wo = j * nIn;
        for (let k = 0; k < nIn; k++) gw[wo + k] += d * x[xo + k];
      }
    }
  },
  linearWeightGradAdd(gw, gb, dz, x, decay, shrink, alpha, B, nIn, nOut) {
    if (shrink !== 0) for (let i = 0; i < nOut * nIn; i++) gw[i] = decay * gw[i] - shrink * Math.sign(gw[i]);
    else if (decay !== 1) for (let i = 0; i < nOut * nIn; i++) gw[i] *= decay;
    for (let r = 0; r < B; r++) {
      const xo = r * nIn;
      const zo = r * nOut;
      for (let j = 0; j < nOut; j++) {
        const d = alpha * dz[zo + j];
        gb[j] += d;
        if (d === 0) continue;
        const wo = j * nIn;
        for (let k = 0; k < nIn; k++) gw[wo + k] += d * x[xo + k];
      }
    }
  },
  axpby(y, x, a, c, n) {
    for (let i = 0; i < n; i++) y[i] = a * y[i] + c * x[i];
  },
  scale(y, a, n) {
    for (let i = 0; i < n; i++) y[i] *= a;
  },
  sigmoid(a, z, n) {
    for (let i = 0; i < n; i++) a[i] = 1 / (1 + Math.exp(-z[i]));
  },
  loadImages(x, images, order, start, rows, pixels) {
    for (let r = 0; r < rows; r++) {
      const src = (order ? order[start + r] : start + r) * pixels;
      const dst = r * pixels;
      for (let i = 0; i < pixels; i++) x[dst + i] = images[src + i] / 255;
    }
  },
};

export const referenceBackend: Backend = {
  name: 'reference',
  createWorkspace(nFloats) {
    return { slab: new Float32Array(nFloats), kernels: referenceKernels };
  },
};
