// Dense-layer kernels over flat row-major float32 arrays, and the plain TypeScript reference
// implementation that every faster backend (WebAssembly) is tested against.
// Shapes: x is (B, nIn), w is (nOut, nIn), b is (nOut), z and dz are (B, nOut), dx is (B, nIn).

export interface Kernels {
  readonly name: string;
  /** z = x · wᵀ + b */
  linearForward(z: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, B: number, nIn: number, nOut: number): void;
  /**
   * dx = dz · w; given act, dx = (dz · w) ⊙ act ⊙ (1 − act), δ back through a sigmoid layer with
   * activations act (each float times a · (1 − a), in float32). dx may be act itself.
   */
  linearBackwardInput(dx: Float32Array, dz: Float32Array, w: Float32Array, B: number, nIn: number, nOut: number, act?: Float32Array): void;
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

  // The input layer pixel by pixel (the trainer's plain-SGD path, where the backend's
  // `sparseInput` is true). An image is about 80% zero pixels; these kernels skip each one, on the
  // layer's weights transposed (wT: nIn × sparseStride(nOut) floats in panels, sparsePanels: one
  // pixel's weights to a block of units contiguous, the units past nOut zero; toSparseWeights and
  // fromSparseWeights copy w in and out). The images' rows become `lists`
  // (sparseListFloats(rows, non-zero pixels) floats): the number of rows n (int32), n+1 entry
  // starts (int32), then per entry its pixel's row in the panels of the layer the lists feed, as a
  // byte offset (k · sparseRowBytes(nOut), int32), and x[i, k]. The kernels take a call's row i
  // from lists' row i. The whole training set's rows are built once into a store, and sparseTake
  // expands a mini-batch's rows out of it in the mini-batch's order.
  /** lists = the images of rows order[start + r] (start + r when order is null) as bytes / 255, their zero pixels left out, for a layer of nOut units. */
  sparseImages(lists: Float32Array, images: Uint8Array, order: Uint32Array | null, start: number, rows: number, pixels: number, nOut: number): void;
  /** store = images 0 .. rows as compact rows (sparseStoreFloats floats): as lists, but an entry is one int32, k | byte << 16 (pixels ≤ 65,536). */
  sparseStore(store: Float32Array, images: Uint8Array, rows: number, pixels: number): void;
  /** lists = rows rowsOf[0 .. rows) of the compact rows in `store`, in that order and one run, for a layer of nOut units. */
  sparseTake(lists: Float32Array, store: Float32Array, rowsOf: Uint32Array, rows: number, nOut: number): void;
  /** z = x · wT + b for the rows x in lists: linearForward with the weights transposed. */
  sparseForwardT(z: Float32Array, lists: Float32Array, wT: Float32Array, b: Float32Array, rows: number, nIn: number, nOut: number, stride: number): void;
  /** wT = decay · wT − shrink · sgn(wT) + alpha · xᵀ · dz, gb += alpha · column sums of dz: linearWeightGradAdd transposed. */
  sparseStepT(
    wT: Float32Array,
    gb: Float32Array,
    dz: Float32Array,
    lists: Float32Array,
    decay: number,
    shrink: number,
    alpha: number,
    rows: number,
    nIn: number,
    nOut: number,
    stride: number,
  ): void;
  /** wT (nIn × sparseStride(nOut) floats) = wᵀ in the sparse kernels' panels (sparsePanels), for w (nOut × nIn); the padding units' weights 0. */
  toSparseWeights(wT: Float32Array, w: Float32Array, nIn: number, nOut: number): void;
  /** w (nOut × nIn) = the weights wT holds in panels: toSparseWeights undone (exact copies). */
  fromSparseWeights(w: Float32Array, wT: Float32Array, nIn: number, nOut: number): void;
}

/** The widths of the sparse kernels' blocks of units, in vectors of 4 (see sparsePanels). */
function panelWidths(nOut: number): number[] {
  const full = nOut >> 2;
  const passes = Math.floor((full + 5) / 6);
  const widths: number[] = [];
  let q = 0;
  for (let t = 0; t < passes; t++) {
    const width = Math.floor((full - q + passes - t - 1) / (passes - t));
    widths.push(width);
    q += width;
  }
  if (nOut % 4) widths.push(1);
  return widths;
}

/** Bytes of one pixel's row in every panel of the sparse kernels' wT for nOut units: 16 a vector of the widest block (the first). */
export function sparseRowBytes(nOut: number): number {
  const passes = Math.floor(((nOut >> 2) + 5) / 6);
  return 16 * (passes > 0 ? Math.ceil((nOut >> 2) / passes) : 1);
}

/** Floats of one pixel's rows in all the panels of the sparse kernels' wT for nOut units: every panel's row as long as the widest's. */
export function sparseStride(nOut: number): number {
  const panels = Math.floor(((nOut >> 2) + 5) / 6) + (nOut % 4 ? 1 : 0);
  return (panels * sparseRowBytes(nOut)) / 4;
}

/**
 * Where the sparse kernels keep the weight of unit j to pixel k in wT: at base[j] + k · step[j], for
 * j below nOut rounded up to whole vectors (the units past nOut are padding, weight 0). The units'
 * vectors of 4 go in blocks of at most 6 vectors, as even as possible (800 units: 34 blocks of 6 and
 * 5; 100 units: 5 of 5), then a partial last vector in a block of its own. Each block is a panel:
 * its nIn rows one after another, each row as long as the widest block's (step[j] =
 * sparseRowBytes(nOut) / 4 floats for every j; a narrower block's rows end in padding), the panels
 * in order. One block's weights to every pixel then lie together (75 KB on 19 pages for 24 units of
 * 784-800-10), where rows of all the units spread them over the whole of wT (2.5 MB, some 600
 * pages, far past the first-level TLB); and a pixel's row starts at the same byte offset, k ·
 * sparseRowBytes(nOut), in every panel, which is what an entry of the sparse rows holds, so the
 * kernels' loops add it to the panel's start without a multiply. kernels.as computes the same
 * layout (panelAt, panelWidth, rowBytes); the kernel tests check that both agree.
 */
export function sparsePanels(nIn: number, nOut: number): { base: Int32Array; step: Int32Array } {
  const widths = panelWidths(nOut);
  const units = 4 * widths.reduce((s, w) => s + w, 0);
  const row = sparseRowBytes(nOut) / 4;
  const base = new Int32Array(units);
  const step = new Int32Array(units).fill(row);
  let q = 0;
  widths.forEach((width, t) => {
    for (let j = 4 * q; j < 4 * (q + width); j++) base[j] = t * nIn * row + (j - 4 * q);
    q += width;
  });
  return { base, step };
}

/**
 * Floats the sparse rows of `rows` images with `entries` non-zero pixels in all take (at most rows ·
 * pixels), with room for the 16 entries past the end that building them may write.
 */
export function sparseListFloats(rows: number, entries: number): number {
  return rows + 2 + 2 * (entries + 16);
}

/** The same for a store of compact rows (sparseStore): one float an entry. */
export function sparseStoreFloats(rows: number, entries: number): number {
  return rows + 2 + entries + 16;
}

/** Pixels an image of a store's compact rows may have: k takes the low 16 bits of an entry. */
export const STORE_PIXELS = 65536;

/**
 * The non-zero pixels of images' rows order[start + r] (start + r when order is null) as sparse
 * rows: an entry is k and byte / 255 (lists), or k | byte << 16 (a store's compact rows).
 */
function referenceImageRows(
  lists: Float32Array,
  images: Uint8Array,
  order: Uint32Array | null,
  start: number,
  rows: number,
  pixels: number,
  compact: boolean,
  unit = 1,
): void {
  const ints = new Int32Array(lists.buffer, lists.byteOffset, lists.length);
  const size = compact ? 1 : 2;
  const base = rows + 2;
  let e = base;
  ints[0] = rows;
  ints[1] = 0;
  for (let r = 0; r < rows; r++) {
    const src = (order ? order[start + r] : start + r) * pixels;
    for (let k = 0; k < pixels; k++) {
      const v = images[src + k];
      if (v === 0) continue;
      if (compact) {
        ints[e] = k | (v << 16);
      } else {
        ints[e] = k * unit;
        lists[e + 1] = v / 255;
      }
      e += size;
    }
    ints[r + 2] = (e - base) / size;
  }
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

/**
 * Views carved one after another out of a workspace's slab: `take` the next n floats, `aligned` the
 * same starting on a 64-byte line (wT: so its panels start on a cache line).
 */
export function slabCarver(slab: Float32Array): { take(n: number): Float32Array; aligned(n: number): Float32Array } {
  let o = 0;
  const take = (n: number): Float32Array => slab.subarray(o, (o += n));
  return {
    take,
    aligned: (n) => {
      o += (16 - (((slab.byteOffset >> 2) + o) & 15)) & 15;
      return take(n);
    },
  };
}

export interface Backend {
  readonly name: string;
  /** Whether the trainer should take the input layer pixel by pixel (its kernels are faster that way). */
  readonly sparseInput: boolean;
  createWorkspace(nFloats: number): Workspace;
}

/** w = decay · w − shrink · sgn(w) over the first n floats: the SGD step's L2 decay and L1 shrink. */
function decayShrinkReference(w: Float32Array, n: number, decay: number, shrink: number): void {
  if (shrink !== 0) for (let i = 0; i < n; i++) w[i] = decay * w[i] - shrink * Math.sign(w[i]);
  else if (decay !== 1) for (let i = 0; i < n; i++) w[i] *= decay;
}

/** Where row r of sparse rows starts and ends, as float indices into the lists (entries of two). */
function sparseRow(ints: Int32Array, r: number): [number, number] {
  const base = ints[0] + 2;
  const at = r + 1;
  return [base + 2 * ints[at], base + 2 * ints[at + 1]];
}

/** The reference linearBackwardInput's sums of one row (grown as needed, so calls allocate nothing). */
let backwardRow = new Float32Array(0);

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
  linearBackwardInput(dx, dz, w, B, nIn, nOut, act) {
    // A row at a time into its own sums, so dx may be act.
    if (backwardRow.length < nIn) backwardRow = new Float32Array(nIn);
    const row = backwardRow.subarray(0, nIn);
    for (let r = 0; r < B; r++) {
      const xo = r * nIn;
      const zo = r * nOut;
      row.fill(0);
      for (let j = 0; j < nOut; j++) {
        const d = dz[zo + j];
        if (d === 0) continue;
        const wo = j * nIn;
        for (let k = 0; k < nIn; k++) row[k] += d * w[wo + k];
      }
      if (act) {
        const f = Math.fround;
        for (let k = 0; k < nIn; k++) row[k] = f(row[k] * f(act[xo + k] * f(1 - act[xo + k])));
      }
      dx.set(row, xo);
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
    decayShrinkReference(gw, nOut * nIn, decay, shrink);
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
  sparseImages(lists, images, order, start, rows, pixels, nOut) {
    referenceImageRows(lists, images, order, start, rows, pixels, false, sparseRowBytes(nOut));
  },
  sparseStore(store, images, rows, pixels) {
    if (pixels > STORE_PIXELS) throw new Error(`reference kernel: a store's images have at most ${STORE_PIXELS} pixels, got ${pixels}`);
    referenceImageRows(store, images, null, 0, rows, pixels, true);
  },
  sparseTake(lists, store, rowsOf, rows, nOut) {
    const unit = sparseRowBytes(nOut);
    const ints = new Int32Array(lists.buffer, lists.byteOffset, lists.length);
    const src = new Int32Array(store.buffer, store.byteOffset, store.length);
    const base = rows + 2;
    let e = base;
    ints[0] = rows;
    ints[1] = 0;
    const from = src[0] + 2;
    for (let r = 0; r < rows; r++) {
      const at = rowsOf[r] + 1;
      for (let c = from + src[at]; c < from + src[at + 1]; c++) {
        ints[e] = (src[c] & 0xffff) * unit;
        lists[e + 1] = (src[c] >>> 16) / 255;
        e += 2;
      }
      ints[r + 2] = (e - base) / 2;
    }
  },
  sparseForwardT(z, lists, wT, b, rows, nIn, nOut) {
    const ints = new Int32Array(lists.buffer, lists.byteOffset, lists.length);
    const { base } = sparsePanels(nIn, nOut);
    for (let r = 0; r < rows; r++) {
      const [e0, e1] = sparseRow(ints, r);
      for (let j = 0; j < nOut; j++) {
        let s = 0;
        for (let e = e0; e < e1; e += 2) s += lists[e + 1] * wT[base[j] + (ints[e] >> 2)];
        z[r * nOut + j] = s + b[j];
      }
    }
  },
  sparseStepT(wT, gb, dz, lists, decay, shrink, alpha, rows, nIn, nOut, stride) {
    decayShrinkReference(wT, nIn * stride, decay, shrink);
    const ints = new Int32Array(lists.buffer, lists.byteOffset, lists.length);
    const { base } = sparsePanels(nIn, nOut);
    for (let r = 0; r < rows; r++) {
      const [e0, e1] = sparseRow(ints, r);
      for (let j = 0; j < nOut; j++) {
        const d = alpha * dz[r * nOut + j];
        gb[j] += d;
        if (d === 0) continue;
        for (let e = e0; e < e1; e += 2) wT[base[j] + (ints[e] >> 2)] += d * lists[e + 1];
      }
    }
  },
  toSparseWeights(wT, w, nIn, nOut) {
    const { base, step } = sparsePanels(nIn, nOut);
    for (let j = 0; j < base.length; j++) for (let k = 0; k < nIn; k++) wT[base[j] + k * step[j]] = j < nOut ? w[j * nIn + k] : 0;
  },
  fromSparseWeights(w, wT, nIn, nOut) {
    const { base, step } = sparsePanels(nIn, nOut);
    for (let j = 0; j < nOut; j++) for (let k = 0; k < nIn; k++) w[j * nIn + k] = wT[base[j] + k * step[j]];
  },
};

export const referenceBackend: Backend = {
  name: 'reference',
  sparseInput: false,
  createWorkspace(nFloats) {
    return { slab: new Float32Array(nFloats), kernels: referenceKernels };
  },
};
