// The WebAssembly SIMD backend: one instance per workspace, whose linear memory holds the float
// slab, so kernels get byte offsets of slab views. Compiled synchronously from embedded bytes
// (kernels.generated.ts, made by scripts/build-wasm.mjs) so it works in node, worker_threads,
// Electron and a browser with no file access.
import type { Backend, Kernels, Workspace } from '../kernels';
import { STORE_PIXELS, sparseListFloats, sparseRowBytes, sparseStoreFloats, sparseStride } from '../kernels';

/**
 * The kernels' bytes, embedded by scripts/build-wasm.mjs (npm install runs it as `prepare`). In a
 * clone where that never ran the import fails; the engine then uses the reference kernels and says
 * so once, instead of failing to load.
 */
type Generated = { kernelsWasmBase64: string; kernelsRelaxedWasmBase64?: string; augmentWasmBase64?: string };
const generated: Generated | null = await import('./kernels.generated').then(
  (m: Generated) => m,
  () => null,
);
export const GENERATED_MISSING = 'src/engine/wasm/kernels.generated.ts is missing (npm install builds it; or run node scripts/build-wasm.mjs)';

interface WasmExports {
  scratchEnd(): number;
  listRows(nIn: number): number;
  linearForward(z: number, x: number, w: number, b: number, B: number, nIn: number, nOut: number): void;
  linearBackwardInput(dx: number, dz: number, w: number, B: number, nIn: number, nOut: number, act: number): void;
  linearWeightGrad(gw: number, gb: number, dz: number, x: number, B: number, nIn: number, nOut: number): void;
  linearWeightGradAdd(gw: number, gb: number, dz: number, x: number, decay: number, shrink: number, alpha: number, B: number, nIn: number, nOut: number): void;
  axpby(y: number, x: number, a: number, c: number, n: number): void;
  scale(y: number, a: number, n: number): void;
  bytesToUnit(x: number, bytes: number, n: number): void;
  sigmoid(a: number, z: number, n: number): void;
  initUnitTable(): void;
  sparseRows(lists: number, bytes: number, r0: number, m: number, pixels: number, rows: number, end: number, unit: number): number;
  /** (unit: unused; the store's entries are k | byte << 16.) */
  sparseStoreRows(store: number, bytes: number, r0: number, m: number, pixels: number, rows: number, end: number, unit: number): number;
  sparseTake(lists: number, store: number, rowsOf: number, rows: number, end: number, unit: number): number;
  sparseForwardT(z: number, lists: number, wT: number, b: number, rows: number, nIn: number, nOut: number): void;
  sparseStepT(wT: number, gb: number, dz: number, lists: number, decay: number, shrink: number, alpha: number, rows: number, nIn: number, nOut: number): void;
  toPanels(wT: number, w: number, nIn: number, nOut: number): void;
  fromPanels(w: number, wT: number, nIn: number, nOut: number): void;
}

// The engine compiles against ES2022 only (no DOM lib), so the few WebAssembly calls are typed here.
interface WasmModule {
  readonly __wasmModule: unique symbol;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Ints of the sparse step's scratch: CSC_INTS in kernels.as. */
const STEP_SCRATCH_INTS = 262144;
/** Bytes staged per call when converting image bytes to floats. */
const STAGE_BYTES = 64 * 1024;

function decodeBase64(s: string): Uint8Array {
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array((len * 3) >> 2);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const a = table[s.charCodeAt(i)];
    const b = table[s.charCodeAt(i + 1)];
    const c = i + 2 < len ? table[s.charCodeAt(i + 2)] : 0;
    const d = i + 3 < len ? table[s.charCodeAt(i + 3)] : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

let compiled: WasmModule | null = null;
let compileError: string | null = null;
let scratchEnd = 0;
let variant: KernelVariant | null = null;

/**
 * Which build of the kernels runs: 'relaxed-simd' (fused multiply-add) where the runtime validates
 * relaxed SIMD (Electron's and Chromium's V8; node with --experimental-wasm-relaxed-simd), else
 * 'simd'. Both agree with the reference kernels within float rounding (test/kernels.test.ts runs
 * on each); within one runtime a seeded run is bit-for-bit repeatable either way.
 */
export type KernelVariant = 'simd' | 'relaxed-simd';

/** The compiled kernel module, or null (with the reason in wasmUnavailableReason()) when this runtime lacks WebAssembly SIMD. */
export function kernelModule(): WasmModule | null {
  if (compiled || compileError) return compiled;
  try {
    if (!WA) throw new Error('no WebAssembly in this runtime');
    if (generated === null) throw new Error(GENERATED_MISSING);
    const relaxed = generated.kernelsRelaxedWasmBase64 ? decodeBase64(generated.kernelsRelaxedWasmBase64) : null;
    if (relaxed && WA.validate(relaxed)) {
      compiled = new WA.Module(relaxed);
      variant = 'relaxed-simd';
    } else {
      compiled = new WA.Module(decodeBase64(generated.kernelsWasmBase64));
      variant = 'simd';
    }
  } catch (e) {
    compileError = `WebAssembly SIMD kernels unavailable: ${(e as Error).message}`;
  }
  return compiled;
}

/** The build of the kernels in use, or null when there are none. */
export function kernelVariant(): KernelVariant | null {
  kernelModule();
  return variant;
}

export function wasmUnavailableReason(): string | null {
  kernelModule();
  return compileError;
}

function checkView(v: Float32Array, buffer: ArrayBuffer, need: number, what: string): number {
  if (v.buffer !== buffer) throw new Error(`wasm kernel: ${what} is not a view of this workspace's slab`);
  if (v.length < need) throw new Error(`wasm kernel: ${what} has ${v.length} floats, needs ${need}`);
  return v.byteOffset;
}

/** A workspace whose slab lives in its own WebAssembly memory. */
export function createWasmWorkspace(nFloats: number): Workspace {
  const module = kernelModule();
  if (!module) throw new Error(compileError ?? 'WebAssembly SIMD kernels unavailable');
  // Sized once and never grown: growing would detach every view handed out.
  const wa = WA as WasmApi;
  if (scratchEnd === 0) {
    // Where the kernels' static data and scratch end is a property of the module: asked once.
    const probe = new wa.Instance(module, { env: { memory: new wa.Memory({ initial: 1, maximum: 1 }), abort } });
    scratchEnd = (probe.exports as unknown as WasmExports).scratchEnd();
  }
  const slabBase = Math.ceil(scratchEnd / 64) * 64;
  const stageBase = slabBase + Math.ceil((nFloats * 4) / 64) * 64;
  const pages = Math.ceil((stageBase + STAGE_BYTES) / PAGE);
  const memory = new wa.Memory({ initial: pages, maximum: pages });
  const ex = new wa.Instance(module, { env: { memory, abort } }).exports as unknown as WasmExports;
  ex.initUnitTable();
  const buffer = memory.buffer;
  const slab = new Float32Array(buffer, slabBase, nFloats);
  const stage = new Uint8Array(buffer, stageBase, STAGE_BYTES);
  const ints = new Int32Array(buffer);

  // Keeps the sum of the touched bytes, so the loads are not optimized away.
  let _touched = 0;
  /** Copies the bytes of images order[start + r] (start + r when order is null), r < m, into the staging area. */
  function stageRows(images: Uint8Array, order: Uint32Array | null, start: number, m: number, pixels: number): void {
    if (!order) {
      // Consecutive rows (evaluation, the training set's sparse rows): one copy.
      stage.set(images.subarray(start * pixels, (start + m) * pixels));
      return;
    }
    // One TypedArray.set per row. Its throwaway view is the only allocation in the training loop,
    // kept on purpose: measured on randomly ordered MNIST rows, it copies about twice as fast as an
    // allocation-free 32-bit word loop (15 vs 33 ms of CPU per epoch) or per-row views built once
    // (25 ms); the rows are cache misses either way.
    // One byte of every cache line of the next m rows of the order (the next mini-batch's, in
    // training): their misses overlap now, not one row at a time inside the next call's copies.
    const end = Math.min(order.length, start + 2 * m);
    let sum = 0;
    for (let r = start + m; r < end; r++) {
      const base = order[r] * pixels;
      for (let k = 0; k < pixels; k += 64) sum += images[base + k];
    }
    _touched = sum;
    for (let r = 0; r < m; r++) {
      const row = order[start + r];
      stage.set(images.subarray(row * pixels, (row + 1) * pixels), r * pixels);
    }
  }

  /** The byte offset of sparse rows built by sparseImages, after checking they are whole and hold the call's rows. */
  function checkLists(lists: Float32Array, rows: number): number {
    const lo = checkRows(lists, 'lists', sparseListFloats, 'lists are not sparse rows built by sparseImages');
    const n = ints[lo >> 2];
    if (rows > n) throw new Error(`wasm kernel: lists hold ${n} rows, the call takes ${rows}`);
    return lo;
  }

  /** The byte offset of a store built by sparseStore, after checking it is whole and holds rows rowsOf[0 .. rows). */
  function checkStore(store: Float32Array, rowsOf: Uint32Array, rows: number): number {
    const so = checkRows(store, 'store', sparseStoreFloats, 'store is not compact rows built by sparseStore');
    const n = ints[so >> 2];
    if (rowsOf.buffer !== buffer) throw new Error("wasm kernel: rowsOf is not a view of this workspace's slab");
    if (rowsOf.length < rows) throw new Error(`wasm kernel: rowsOf has ${rowsOf.length} rows, needs ${rows}`);
    for (let i = 0; i < rows; i++) if (rowsOf[i] >= n) throw new Error(`wasm kernel: rowsOf[${i}] = ${rowsOf[i]} is not one of the store's ${n} rows`);
    return so;
  }

  /** Sparse rows' byte offset, after checking their count and last start fit the view (floats: its size for them). */
  function checkRows(v: Float32Array, what: string, floats: (rows: number, entries: number) => number, wrong: string): number {
    const lo = checkView(v, buffer, 2, what);
    const n = ints[lo >> 2];
    if (!(n >= 0 && n + 2 <= v.length) || v.length < floats(n, ints[(lo >> 2) + 1 + n])) throw new Error(`wasm kernel: ${wrong}`);
    return lo;
  }

  const maxIn = 4 * 32767;

  /** Rows order[start + r] of images through the staging bytes into sparse rows, by sparseRows or sparseStoreRows. */
  function imageRows(
    build: (lists: number, bytes: number, r0: number, m: number, pixels: number, rows: number, end: number, unit: number) => number,
    lists: Float32Array,
    what: string,
    floats: number,
    images: Uint8Array,
    order: Uint32Array | null,
    start: number,
    rows: number,
    pixels: number,
    unit: number,
  ): void {
    const lo = checkView(lists, buffer, floats, what);
    if (pixels > STAGE_BYTES) throw new Error(`wasm kernel: images of ${pixels} pixels are too large`);
    const perStage = Math.floor(STAGE_BYTES / pixels);
    for (let r0 = 0; r0 < rows; r0 += perStage) {
      const m = Math.min(perStage, rows - r0);
      stageRows(images, order, start + r0, m, pixels);
      if (build(lo, stageBase, r0, m, pixels, rows, lo + lists.length * 4, unit) !== 0) {
        throw new Error(`wasm kernel: ${what} of ${lists.length} floats are too short for these ${rows} images`);
      }
    }
  }

  const kernels: Kernels = {
    name: 'wasm',
    linearForward(z, x, w, b, B, nIn, nOut) {
      if (nIn > maxIn) throw new Error(`wasm kernel: layer input of ${nIn} is too wide`);
      ex.linearForward(
        checkView(z, buffer, B * nOut, 'z'),
        checkView(x, buffer, B * nIn, 'x'),
        checkView(w, buffer, nOut * nIn, 'w'),
        checkView(b, buffer, nOut, 'b'),
        B,
        nIn,
        nOut,
      );
    },
    linearBackwardInput(dx, dz, w, B, nIn, nOut, act) {
      const ao = act ? checkView(act, buffer, B * nIn, 'act') : 0;
      if (act && ao !== dx.byteOffset && act.byteOffset < dx.byteOffset + B * nIn * 4 && dx.byteOffset < act.byteOffset + B * nIn * 4)
        throw new Error('wasm kernel: act overlaps dx without being dx');
      ex.linearBackwardInput(
        checkView(dx, buffer, B * nIn, 'dx'),
        checkView(dz, buffer, B * nOut, 'dz'),
        checkView(w, buffer, nOut * nIn, 'w'),
        B,
        nIn,
        nOut,
        ao,
      );
    },
    linearWeightGrad(gw, gb, dz, x, B, nIn, nOut) {
      if (nIn > maxIn) throw new Error(`wasm kernel: layer input of ${nIn} is too wide`);
      ex.linearWeightGrad(
        checkView(gw, buffer, nOut * nIn, 'gw'),
        checkView(gb, buffer, nOut, 'gb'),
        checkView(dz, buffer, B * nOut, 'dz'),
        checkView(x, buffer, B * nIn, 'x'),
        B,
        nIn,
        nOut,
      );
    },
    linearWeightGradAdd(gw, gb, dz, x, decay, shrink, alpha, B, nIn, nOut) {
      if (nIn > maxIn) throw new Error(`wasm kernel: layer input of ${nIn} is too wide`);
      ex.linearWeightGradAdd(
        checkView(gw, buffer, nOut * nIn, 'gw'),
        checkView(gb, buffer, nOut, 'gb'),
        checkView(dz, buffer, B * nOut, 'dz'),
        checkView(x, buffer, B * nIn, 'x'),
        decay,
        shrink,
        alpha,
        B,
        nIn,
        nOut,
      );
    },
    axpby(y, x, a, c, n) {
      ex.axpby(checkView(y, buffer, n, 'y'), checkView(x, buffer, n, 'x'), a, c, n);
    },
    scale(y, a, n) {
      ex.scale(checkView(y, buffer, n, 'y'), a, n);
    },
    sigmoid(a, z, n) {
      ex.sigmoid(checkView(a, buffer, n, 'a'), checkView(z, buffer, n, 'z'), n);
    },
    loadImages(x, images, order, start, rows, pixels) {
      const xo = checkView(x, buffer, rows * pixels, 'x');
      if (pixels > STAGE_BYTES) throw new Error(`wasm kernel: images of ${pixels} pixels are too large`);
      const perStage = Math.floor(STAGE_BYTES / pixels);
      for (let r0 = 0; r0 < rows; r0 += perStage) {
        const m = Math.min(perStage, rows - r0);
        stageRows(images, order, start + r0, m, pixels);
        ex.bytesToUnit(xo + r0 * pixels * 4, stageBase, m * pixels);
      }
    },
    sparseImages(lists, images, order, start, rows, pixels, nOut) {
      imageRows(ex.sparseRows, lists, 'lists', sparseListFloats(rows, 0), images, order, start, rows, pixels, sparseRowBytes(nOut));
    },
    sparseStore(store, images, rows, pixels) {
      if (pixels > STORE_PIXELS) throw new Error(`wasm kernel: a store's images have at most ${STORE_PIXELS} pixels, got ${pixels}`);
      imageRows(ex.sparseStoreRows, store, 'store', sparseStoreFloats(rows, 0), images, null, 0, rows, pixels, 1);
    },
    sparseTake(lists, store, rowsOf, rows, nOut) {
      const lo = checkView(lists, buffer, sparseListFloats(rows, 0), 'lists');
      const so = checkStore(store, rowsOf, rows);
      if (ex.sparseTake(lo, so, rowsOf.byteOffset, rows, lo + lists.length * 4, sparseRowBytes(nOut)) !== 0) {
        throw new Error(`wasm kernel: lists of ${lists.length} floats are too short for these ${rows} rows`);
      }
    },
    sparseForwardT(z, lists, wT, b, rows, nIn, nOut, stride) {
      checkStride(nOut, stride);
      ex.sparseForwardT(
        checkView(z, buffer, rows * nOut, 'z'),
        checkLists(lists, rows),
        checkView(wT, buffer, nIn * stride, 'wT'),
        checkView(b, buffer, nOut, 'b'),
        rows,
        nIn,
        nOut,
      );
    },
    sparseStepT(wT, gb, dz, lists, decay, shrink, alpha, rows, nIn, nOut, stride) {
      checkStride(nOut, stride);
      // The step's scratch (CSC_INTS in kernels.as) holds a start per pixel in slots of the panels'
      // row (sparseRowBytes(nOut) / 16 ints each), then at least one row's entries (two ints each).
      if ((nIn + 1) * (sparseRowBytes(nOut) / 16) + 2 * nIn > STEP_SCRATCH_INTS)
        throw new Error(
          `wasm kernel: the sparse step takes at most ${Math.floor((STEP_SCRATCH_INTS - sparseRowBytes(nOut) / 16) / (sparseRowBytes(nOut) / 16 + 2))} pixels for ${nOut} units, got ${nIn}`,
        );
      ex.sparseStepT(
        checkView(wT, buffer, nIn * stride, 'wT'),
        checkView(gb, buffer, nOut, 'gb'),
        checkView(dz, buffer, rows * nOut, 'dz'),
        checkLists(lists, rows),
        decay,
        shrink,
        alpha,
        rows,
        nIn,
        nOut,
      );
    },
    toSparseWeights(wT, w, nIn, nOut) {
      ex.toPanels(checkView(wT, buffer, nIn * sparseStride(nOut), 'wT'), checkView(w, buffer, nOut * nIn, 'w'), nIn, nOut);
    },
    fromSparseWeights(w, wT, nIn, nOut) {
      ex.fromPanels(checkView(w, buffer, nOut * nIn, 'w'), checkView(wT, buffer, nIn * sparseStride(nOut), 'wT'), nIn, nOut);
    },
  };
  return { slab, kernels };
}

/** The sparse kernels read and write whole vectors of wT's rows: the stride is nOut rounded up to 4. */
function checkStride(nOut: number, stride: number): void {
  if (stride !== sparseStride(nOut)) throw new Error(`wasm kernel: the stride of wT must be ${sparseStride(nOut)} for ${nOut} units, got ${stride}`);
}

function abort(): never {
  throw new Error('wasm kernel aborted');
}

let augmentCompiled: WasmModule | null | undefined;

/**
 * A fresh instance of the augmentation's sampler (augment.as) in its own one-page memory, or null
 * where this runtime cannot run it (no WebAssembly SIMD, or no generated module): the augmenter then
 * samples in JavaScript, to the same bytes.
 */
export function augmentSamplerInstance(): { exports: Record<string, unknown>; buffer: ArrayBuffer } | null {
  if (augmentCompiled === undefined) {
    augmentCompiled = null;
    try {
      if (WA && generated?.augmentWasmBase64) {
        const bytes = decodeBase64(generated.augmentWasmBase64);
        if (WA.validate(bytes)) augmentCompiled = new WA.Module(bytes);
      }
    } catch {
      augmentCompiled = null;
    }
  }
  if (!augmentCompiled) return null;
  const memory = new (WA as WasmApi).Memory({ initial: 1, maximum: 1 });
  const exports = new (WA as WasmApi).Instance(augmentCompiled, { env: { memory, abort } }).exports as Record<string, unknown>;
  return { exports, buffer: memory.buffer };
}

export const wasmBackend: Backend = {
  name: 'wasm',
  sparseInput: true,
  createWorkspace: createWasmWorkspace,
};
