// WebAssembly SIMD kernels (AssemblyScript; compiled by scripts/build-wasm.mjs, which feeds this
// file to asc as a .ts source — it is not TypeScript the project's tsc can check).
// Same contract as src/engine/kernels.ts: flat row-major float32 arrays, passed as byte offsets into
// the imported linear memory; x is (B, nIn), w is (nOut, nIn), b is (nOut), z and dz are (B, nOut).
//
// MNIST images are ~80% zero pixels, in solid runs at the borders. The kernels that read x skip
// every 4-float chunk of a row that is all +0: each row gets a list of its non-zero chunks (built
// once per row in a scratch area), and the inner loops run over that list. Hidden-layer
// activations have no zero chunks, and the list then simply names every chunk.

// Lists of non-zero chunk byte offsets, one per pair of rows (a chunk is listed when either row
// has a non-zero float in it): list q, for rows 2q and 2q+1, starts at LISTS + q*(nC+1)*4, first
// int = count. The matrix kernels take rows two at a time, so every weight they load serves two
// examples and every gradient they load and store carries two; a row adds w·0 = ±0 for the chunks
// only its partner needs, which leaves its sums bit for bit as they were.
// The scratch area sits above static data; the loader places everything else above scratchEnd().
const LIST_INTS: i32 = 32768;
const LISTS: usize = (__heap_base + 63) & ~(63 as usize);

// byte / 255 for every byte value (f32 division, as bytesToUnit), filled once by initUnitTable.
const UNIT: usize = LISTS + ((LIST_INTS << 2) as usize);
// The sparse step's scratch: a tile of the mini-batch's entries by pixel (CSC_INTS ints: nIn+1
// starts, each in a slot of S / 4 bytes, then (dz row offset, x) pairs; 1 MB, about 850 MNIST
// rows; src/engine/wasm/wasm-backend.ts's STEP_SCRATCH_INTS is the same number), and alpha · dz of
// one panel for those rows (DZS_FLOATS: 512 rows of at most 6 vectors, 48 KB). Each tile of rows reads and writes
// every row of wT that its pixels touch (all of them, with weight decay), so a mini-batch of 1,000
// in two tiles is cheaper than in the seven that 140 rows took (784-800-10: the step 0.90-0.97x;
// tiles of 1,000 rows, their panel past L1, were slower again; docs/speed.md).
const CSC_INTS: i32 = 262144;
const CSC: usize = UNIT + 1024;
const DZS_FLOATS: i32 = 512 * 24;
const DZS: usize = CSC + ((CSC_INTS << 2) as usize);

/** First byte the loader may use (for the slab and byte staging). */
export function scratchEnd(): usize {
  return DZS + ((DZS_FLOATS << 2) as usize);
}

/** Fills the byte → float table of sparseRows (the loader calls it once per instance). */
export function initUnitTable(): void {
  for (let b = 0; b < 256; b++) store<f32>(UNIT + ((b << 2) as usize), (b as f32) / 255);
}

/** Rows a scratch list tile can hold for rows of nIn floats (0 when one pair does not fit). */
export function listRows(nIn: i32): i32 {
  return (LIST_INTS / ((nIn >> 2) + 1)) << 1;
}

// Bytes from one pair of rows' list to the next's: the lists' stride, or 0 when every pair reads the
// first pair's list (buildLists).
let listStep: usize = 0;

// Each pair of rows' list of the 4-float chunks where either row is not all zero, at
// LISTS + pair · listStep: its length, then the chunks' byte offsets. When the first pair has no
// zero chunk (a hidden layer's activations: a sigmoid is never exactly 0), the call's rows are
// taken as dense: every pair reads that full list (listStep 0), and no other list is built, which
// made the output layer's forward and weight update at 800 → 10 take 0.75 and 0.77 of the time.
// The sums are the same bits: a chunk skipped adds w · 0 = ±0 when it is not skipped.
// @ts-ignore: decorator
@inline function buildLists(x: usize, rows: i32, nIn: i32): void {
  const nC = nIn >> 2;
  const stride = ((nC + 1) << 2) as usize;
  const rowBytes = (nIn << 2) as usize;
  listStep = stride;
  for (let i = 0; i < rows; i += 2) {
    const x0 = x + (i as usize) * rowBytes;
    const x1 = i + 1 < rows ? x0 + rowBytes : x0;
    const list = LISTS + ((i >> 1) as usize) * stride + 4;
    let n: i32 = 0;
    for (let c = 0; c < nC; c++) {
      const off = (c << 4) as usize;
      store<i32>(list + ((n << 2) as usize), off as i32);
      n += i32(v128.any_true(v128.or(v128.load(x0 + off), v128.load(x1 + off))));
    }
    store<i32>(list - 4, n);
    if (i == 0 && n == nC) {
      listStep = 0;
      return;
    }
  }
}

// a · b + c, lane by lane: the matrix kernels' one multiply-add. scripts/build-wasm.mjs builds this
// file twice: as written (a multiply, then an add: the same float32 rounding as the reference
// kernels), and with relaxed SIMD's fused multiply-add where the runtime has it (Electron's and
// Chromium's V8; Node 20 keeps it behind a flag). The build replaces the line marked RELAXED.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c); // RELAXED
}

// (a0+..+a0, a1.., a2.., a3..) horizontal sums of four accumulators as one vector.
// @ts-ignore: decorator
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const v = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u, v, 0, 1, 4, 5), v128.shuffle<f32>(u, v, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function hsum1(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

// z[i, j..j+3] = x[i] · w[j..j+3]ᵀ + b[j..j+3] for rows i < rows of x, two rows at a time over
// their pair's chunk list: four rows of w against every row, so w is read once per tile of rows,
// not once per example (784-800-10's w does not fit in L2), and each w load feeds both rows.
// @ts-ignore: decorator
@inline function forwardRows4(z: usize, x: usize, w: usize, b: usize, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const w0 = w + (j as usize) * inBytes;
  const w1 = w0 + inBytes;
  const w2 = w1 + inBytes;
  const w3 = w2 + inBytes;
  const bj = v128.load(b + ((j << 2) as usize));
  for (let i = 0; i < rows; i += 2) {
    const two = i + 1 < rows;
    const xr = x + (i as usize) * inBytes;
    const xs = two ? xr + inBytes : xr;
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let c0 = f32x4.splat(0);
    let c1 = f32x4.splat(0);
    let c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0);
    for (let p = list; p < listEnd; p += 4) {
      const off = load<i32>(p) as usize;
      const xv = v128.load(xr + off);
      const yv = v128.load(xs + off);
      let wv = v128.load(w0 + off);
      a0 = madd(wv, xv, a0);
      c0 = madd(wv, yv, c0);
      wv = v128.load(w1 + off);
      a1 = madd(wv, xv, a1);
      c1 = madd(wv, yv, c1);
      wv = v128.load(w2 + off);
      a2 = madd(wv, xv, a2);
      c2 = madd(wv, yv, c2);
      wv = v128.load(w3 + off);
      a3 = madd(wv, xv, a3);
      c3 = madd(wv, yv, c3);
    }
    let s = f32x4.add(hsum4(a0, a1, a2, a3), bj);
    let u = f32x4.add(hsum4(c0, c1, c2, c3), bj);
    if (k0 < nIn) {
      s = f32x4.add(s, tail4(xr, w0, inBytes, k0, nIn));
      u = f32x4.add(u, tail4(xs, w0, inBytes, k0, nIn));
    }
    v128.store(z + (i as usize) * outBytes + ((j << 2) as usize), s);
    if (two) v128.store(z + ((i + 1) as usize) * outBytes + ((j << 2) as usize), u);
  }
}

// x[k0..nIn) · rows j..j+3 of w (starting at w0), for the floats past the last whole chunk.
// @ts-ignore: decorator
@inline function tail4(xr: usize, w0: usize, inBytes: usize, k0: i32, nIn: i32): v128 {
  let t0: f32 = 0,
    t1: f32 = 0,
    t2: f32 = 0,
    t3: f32 = 0;
  for (let k = k0; k < nIn; k++) {
    const o = (k << 2) as usize;
    const xk = load<f32>(xr + o);
    t0 += xk * load<f32>(w0 + o);
    t1 += xk * load<f32>(w0 + inBytes + o);
    t2 += xk * load<f32>(w0 + 2 * inBytes + o);
    t3 += xk * load<f32>(w0 + 3 * inBytes + o);
  }
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3);
}

// The same for two rows j, j+1 of w: four sums (two rows of x against two rows of w) in registers,
// where one row of w at a time would add into a single accumulator, one chunk per add's latency.
// @ts-ignore: decorator
@inline function forwardRows2(z: usize, x: usize, w: usize, b: usize, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const w0 = w + (j as usize) * inBytes;
  const w1 = w0 + inBytes;
  const bj = load<f32>(b + ((j << 2) as usize));
  const bk = load<f32>(b + ((j << 2) as usize), 4);
  const bb = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(bj), 1, bk), 2, bj), 3, bk);
  for (let i = 0; i < rows; i += 2) {
    const two = i + 1 < rows;
    const xr = x + (i as usize) * inBytes;
    const xs = two ? xr + inBytes : xr;
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let c0 = f32x4.splat(0);
    let c1 = f32x4.splat(0);
    for (let p = list; p < listEnd; p += 4) {
      const off = load<i32>(p) as usize;
      const xv = v128.load(xr + off);
      const yv = v128.load(xs + off);
      let wv = v128.load(w0 + off);
      a0 = madd(wv, xv, a0);
      c0 = madd(wv, yv, c0);
      wv = v128.load(w1 + off);
      a1 = madd(wv, xv, a1);
      c1 = madd(wv, yv, c1);
    }
    // (row i · w_j, row i · w_j+1, row i+1 · w_j, row i+1 · w_j+1)
    let s = f32x4.add(hsum4(a0, a1, c0, c1), bb);
    if (k0 < nIn) {
      let t0: f32 = 0,
        t1: f32 = 0,
        u0: f32 = 0,
        u1: f32 = 0;
      for (let k = k0; k < nIn; k++) {
        const o = (k << 2) as usize;
        const xk = load<f32>(xr + o);
        const yk = load<f32>(xs + o);
        t0 += xk * load<f32>(w0 + o);
        t1 += xk * load<f32>(w1 + o);
        u0 += yk * load<f32>(w0 + o);
        u1 += yk * load<f32>(w1 + o);
      }
      s = f32x4.add(s, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, u0), 3, u1));
    }
    v128.store64_lane(z + (i as usize) * outBytes + ((j << 2) as usize), s, 0);
    if (two) v128.store64_lane(z + ((i + 1) as usize) * outBytes + ((j << 2) as usize), s, 1);
  }
}

// The same for one row j of w.
// @ts-ignore: decorator
@inline function forwardRows1(z: usize, x: usize, w: usize, b: usize, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const w0 = w + (j as usize) * inBytes;
  const bj = load<f32>(b + ((j << 2) as usize));
  for (let i = 0; i < rows; i++) {
    const xr = x + (i as usize) * inBytes;
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    let a0 = f32x4.splat(0);
    for (let p = list; p < listEnd; p += 4) {
      const off = load<i32>(p) as usize;
      a0 = madd(v128.load(w0 + off), v128.load(xr + off), a0);
    }
    let s = hsum1(a0);
    for (let k = k0; k < nIn; k++) {
      const o = (k << 2) as usize;
      s += load<f32>(xr + o) * load<f32>(w0 + o);
    }
    store<f32>(z + (i as usize) * outBytes + ((j << 2) as usize), s + bj);
  }
}

/** z = x · wᵀ + b */
export function linearForward(z: usize, x: usize, w: usize, b: usize, B: i32, nIn: i32, nOut: i32): void {
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const tile = min(B, listRows(nIn));
  for (let r0 = 0; r0 < B; r0 += tile) {
    const rows = min(tile, B - r0);
    const xt = x + (r0 as usize) * inBytes;
    const zt = z + (r0 as usize) * outBytes;
    buildLists(xt, rows, nIn);
    let j = 0;
    for (; j + 4 <= nOut; j += 4) forwardRows4(zt, xt, w, b, j, rows, nIn, nOut);
    if (j + 2 <= nOut) {
      forwardRows2(zt, xt, w, b, j, rows, nIn, nOut);
      j += 2;
    }
    if (j < nOut) forwardRows1(zt, xt, w, b, j, rows, nIn, nOut);
  }
}

// v · (a · (1 − a)) for the vector of activations at a when act, else v: δ back through a sigmoid.
// @ts-ignore: decorator
@inline function throughSigmoid(v: v128, a: usize, act: bool): v128 {
  if (!act) return v;
  const av = v128.load(a);
  return f32x4.mul(v, f32x4.mul(av, f32x4.sub(f32x4.splat(1), av)));
}

/**
 * dx = dz · w, or with act (≠ 0) dx = (dz · w) ⊙ act ⊙ (1 − act): δ through a sigmoid layer with
 * its activations act, in the same pass as the product. dx may be act itself (each float of act
 * is read just before its own float of dx is written).
 */
export function linearBackwardInput(dx: usize, dz: usize, w: usize, B: i32, nIn: i32, nOut: i32, act: usize): void {
  const sig = act != 0;
  const nC = nIn >> 2;
  const k0 = nC << 2;
  const inBytes = (nIn << 2) as usize;
  let r = 0;
  // Two rows at a time: each loaded vector of w feeds both rows' sums (eight chains of adds, where
  // one row had four, each as long as w has rows).
  for (; r + 2 <= B; r += 2) {
    const dxr = dx + (r as usize) * inBytes;
    const dzr = dz + ((r * nOut) << 2) as usize;
    const dzs = dzr + ((nOut << 2) as usize);
    let c = 0;
    for (; c + 4 <= nC; c += 4) {
      const o = (c << 4) as usize;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      let b2 = f32x4.splat(0);
      let b3 = f32x4.splat(0);
      let wj = w + o;
      for (let j = 0; j < nOut; j++) {
        const d = f32x4.splat(load<f32>(dzr + ((j << 2) as usize)));
        const e = f32x4.splat(load<f32>(dzs + ((j << 2) as usize)));
        let v = v128.load(wj);
        a0 = madd(d, v, a0);
        b0 = madd(e, v, b0);
        v = v128.load(wj, 16);
        a1 = madd(d, v, a1);
        b1 = madd(e, v, b1);
        v = v128.load(wj, 32);
        a2 = madd(d, v, a2);
        b2 = madd(e, v, b2);
        v = v128.load(wj, 48);
        a3 = madd(d, v, a3);
        b3 = madd(e, v, b3);
        wj += inBytes;
      }
      const ar = act + (r as usize) * inBytes + o;
      v128.store(dxr + o, throughSigmoid(a0, ar, sig));
      v128.store(dxr + o, throughSigmoid(a1, ar + 16, sig), 16);
      v128.store(dxr + o, throughSigmoid(a2, ar + 32, sig), 32);
      v128.store(dxr + o, throughSigmoid(a3, ar + 48, sig), 48);
      const dxs = dxr + inBytes + o;
      const as = ar + inBytes;
      v128.store(dxs, throughSigmoid(b0, as, sig));
      v128.store(dxs, throughSigmoid(b1, as + 16, sig), 16);
      v128.store(dxs, throughSigmoid(b2, as + 32, sig), 32);
      v128.store(dxs, throughSigmoid(b3, as + 48, sig), 48);
    }
    backwardRowRest(dxr, dzr, w, c, nC, k0, nIn, nOut, inBytes, sig ? act + (r as usize) * inBytes : 0);
    backwardRowRest(dxr + inBytes, dzs, w, c, nC, k0, nIn, nOut, inBytes, sig ? act + ((r + 1) as usize) * inBytes : 0);
  }
  for (; r < B; r++) {
    const dxr = dx + (r as usize) * inBytes;
    const dzr = dz + ((r * nOut) << 2) as usize;
    // Blocks of 16 columns stay in registers across the sum over j.
    let c = 0;
    for (; c + 4 <= nC; c += 4) {
      const o = (c << 4) as usize;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let wj = w + o;
      for (let j = 0; j < nOut; j++) {
        const d = f32x4.splat(load<f32>(dzr + ((j << 2) as usize)));
        a0 = madd(d, v128.load(wj), a0);
        a1 = madd(d, v128.load(wj, 16), a1);
        a2 = madd(d, v128.load(wj, 32), a2);
        a3 = madd(d, v128.load(wj, 48), a3);
        wj += inBytes;
      }
      const ar = act + (r as usize) * inBytes + o;
      v128.store(dxr + o, throughSigmoid(a0, ar, sig));
      v128.store(dxr + o, throughSigmoid(a1, ar + 16, sig), 16);
      v128.store(dxr + o, throughSigmoid(a2, ar + 32, sig), 32);
      v128.store(dxr + o, throughSigmoid(a3, ar + 48, sig), 48);
    }
    backwardRowRest(dxr, dzr, w, c, nC, k0, nIn, nOut, inBytes, sig ? act + (r as usize) * inBytes : 0);
  }
}

// One row of dx = dz · w from chunk c on: chunk by chunk, then the floats past the last chunk
// (through the sigmoid with the row's activations at ar, when ar ≠ 0).
// @ts-ignore: decorator
@inline function backwardRowRest(dxr: usize, dzr: usize, w: usize, c: i32, nC: i32, k0: i32, nIn: i32, nOut: i32, inBytes: usize, ar: usize): void {
  const sig = ar != 0;
  for (; c < nC; c++) {
    const o = (c << 4) as usize;
    let a0 = f32x4.splat(0);
    let wj = w + o;
    for (let j = 0; j < nOut; j++) {
      a0 = madd(f32x4.splat(load<f32>(dzr + ((j << 2) as usize))), v128.load(wj), a0);
      wj += inBytes;
    }
    v128.store(dxr + o, throughSigmoid(a0, ar + o, sig));
  }
  for (let k = k0; k < nIn; k++) {
    let s: f32 = 0;
    let wj = w + ((k << 2) as usize);
    for (let j = 0; j < nOut; j++) {
      s += load<f32>(dzr + ((j << 2) as usize)) * load<f32>(wj);
      wj += inBytes;
    }
    if (sig) {
      const a = load<f32>(ar + ((k << 2) as usize));
      s = s * (a * (1 - a));
    }
    store<f32>(dxr + ((k << 2) as usize), s);
  }
}

// gw[j..j+3] += alpha · Σ_i dz[i, j..j+3] x[i] over rows i < rows, two rows at a time over their
// pair's chunk list: each gradient chunk is loaded and stored once for both rows (row i's term
// added first, then row i+1's, the order of one row at a time).
// @ts-ignore: decorator
@inline function updateRows4(gw: usize, dz: usize, x: usize, alpha: f32, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const g0 = gw + (j as usize) * inBytes;
  const g1 = g0 + inBytes;
  const g2 = g1 + inBytes;
  const g3 = g2 + inBytes;
  for (let i = 0; i < rows; i += 2) {
    const two = i + 1 < rows;
    const xr = x + (i as usize) * inBytes;
    const dzr = dz + (i as usize) * outBytes + ((j << 2) as usize);
    const s0 = alpha * load<f32>(dzr);
    const s1 = alpha * load<f32>(dzr, 4);
    const s2 = alpha * load<f32>(dzr, 8);
    const s3 = alpha * load<f32>(dzr, 12);
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    if (two) {
      const xs = xr + inBytes;
      const dzs = dzr + outBytes;
      const t0 = alpha * load<f32>(dzs);
      const t1 = alpha * load<f32>(dzs, 4);
      const t2 = alpha * load<f32>(dzs, 8);
      const t3 = alpha * load<f32>(dzs, 12);
      const d0 = f32x4.splat(s0);
      const d1 = f32x4.splat(s1);
      const d2 = f32x4.splat(s2);
      const d3 = f32x4.splat(s3);
      const e0 = f32x4.splat(t0);
      const e1 = f32x4.splat(t1);
      const e2 = f32x4.splat(t2);
      const e3 = f32x4.splat(t3);
      for (let p = list; p < listEnd; p += 4) {
        const off = load<i32>(p) as usize;
        const xv = v128.load(xr + off);
        const yv = v128.load(xs + off);
        v128.store(g0 + off, madd(e0, yv, madd(d0, xv, v128.load(g0 + off))));
        v128.store(g1 + off, madd(e1, yv, madd(d1, xv, v128.load(g1 + off))));
        v128.store(g2 + off, madd(e2, yv, madd(d2, xv, v128.load(g2 + off))));
        v128.store(g3 + off, madd(e3, yv, madd(d3, xv, v128.load(g3 + off))));
      }
      for (let k = k0; k < nIn; k++) {
        const o = (k << 2) as usize;
        const xk = load<f32>(xr + o);
        const yk = load<f32>(xs + o);
        store<f32>(g0 + o, load<f32>(g0 + o) + s0 * xk + t0 * yk);
        store<f32>(g1 + o, load<f32>(g1 + o) + s1 * xk + t1 * yk);
        store<f32>(g2 + o, load<f32>(g2 + o) + s2 * xk + t2 * yk);
        store<f32>(g3 + o, load<f32>(g3 + o) + s3 * xk + t3 * yk);
      }
    } else {
      const d0 = f32x4.splat(s0);
      const d1 = f32x4.splat(s1);
      const d2 = f32x4.splat(s2);
      const d3 = f32x4.splat(s3);
      for (let p = list; p < listEnd; p += 4) {
        const off = load<i32>(p) as usize;
        const xv = v128.load(xr + off);
        v128.store(g0 + off, madd(d0, xv, v128.load(g0 + off)));
        v128.store(g1 + off, madd(d1, xv, v128.load(g1 + off)));
        v128.store(g2 + off, madd(d2, xv, v128.load(g2 + off)));
        v128.store(g3 + off, madd(d3, xv, v128.load(g3 + off)));
      }
      for (let k = k0; k < nIn; k++) {
        const o = (k << 2) as usize;
        const xk = load<f32>(xr + o);
        store<f32>(g0 + o, load<f32>(g0 + o) + s0 * xk);
        store<f32>(g1 + o, load<f32>(g1 + o) + s1 * xk);
        store<f32>(g2 + o, load<f32>(g2 + o) + s2 * xk);
        store<f32>(g3 + o, load<f32>(g3 + o) + s3 * xk);
      }
    }
  }
}

// The same for two rows j, j+1 of gw over pairs of rows of x (a last odd row goes to updateRows1):
// each gradient chunk is loaded and stored once for both rows of x, as in updateRows4.
// @ts-ignore: decorator
@inline function updateRows2(gw: usize, dz: usize, x: usize, alpha: f32, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const g0 = gw + (j as usize) * inBytes;
  const g1 = g0 + inBytes;
  for (let i = 0; i + 1 < rows; i += 2) {
    const xr = x + (i as usize) * inBytes;
    const xs = xr + inBytes;
    const dzr = dz + (i as usize) * outBytes + ((j << 2) as usize);
    const s0 = alpha * load<f32>(dzr);
    const s1 = alpha * load<f32>(dzr, 4);
    const t0 = alpha * load<f32>(dzr + outBytes);
    const t1 = alpha * load<f32>(dzr + outBytes, 4);
    const d0 = f32x4.splat(s0);
    const d1 = f32x4.splat(s1);
    const e0 = f32x4.splat(t0);
    const e1 = f32x4.splat(t1);
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    for (let p = list; p < listEnd; p += 4) {
      const off = load<i32>(p) as usize;
      const xv = v128.load(xr + off);
      const yv = v128.load(xs + off);
      v128.store(g0 + off, madd(e0, yv, madd(d0, xv, v128.load(g0 + off))));
      v128.store(g1 + off, madd(e1, yv, madd(d1, xv, v128.load(g1 + off))));
    }
    for (let k = k0; k < nIn; k++) {
      const o = (k << 2) as usize;
      const xk = load<f32>(xr + o);
      const yk = load<f32>(xs + o);
      store<f32>(g0 + o, load<f32>(g0 + o) + s0 * xk + t0 * yk);
      store<f32>(g1 + o, load<f32>(g1 + o) + s1 * xk + t1 * yk);
    }
  }
  if (rows & 1) {
    updateRows1(gw, dz, x, alpha, j, rows - 1, rows, nIn, nOut);
    updateRows1(gw, dz, x, alpha, j + 1, rows - 1, rows, nIn, nOut);
  }
}

// The same for one row j of gw, rows from .. rows of x one at a time (over their pairs' lists).
// @ts-ignore: decorator
@inline function updateRows1(gw: usize, dz: usize, x: usize, alpha: f32, j: i32, from: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const g0 = gw + (j as usize) * inBytes;
  for (let i = from; i < rows; i++) {
    const xr = x + (i as usize) * inBytes;
    const s0 = alpha * load<f32>(dz + (i as usize) * outBytes + ((j << 2) as usize));
    const d0 = f32x4.splat(s0);
    const list = LISTS + ((i >> 1) as usize) * listStep + 4;
    const listEnd = list + ((load<i32>(list - 4) << 2) as usize);
    for (let p = list; p < listEnd; p += 4) {
      const off = load<i32>(p) as usize;
      v128.store(g0 + off, madd(d0, v128.load(xr + off), v128.load(g0 + off)));
    }
    for (let k = k0; k < nIn; k++) {
      const o = (k << 2) as usize;
      store<f32>(g0 + o, load<f32>(g0 + o) + s0 * load<f32>(xr + o));
    }
  }
}

// gb += alpha · column sums of dz. Each lane sums its column over the rows in order, as a scalar
// loop would, 16 columns a pass: one column at a time, each sum was a chain of dependent adds
// (784-800-10 at 100: 80,000 of them a mini-batch, about 3% of an epoch).
// @ts-ignore: decorator
@inline function biasAdd(gb: usize, dz: usize, alpha: f32, B: i32, nOut: i32): void {
  const outBytes = (nOut << 2) as usize;
  const av = f32x4.splat(alpha);
  let j = 0;
  for (; j + 16 <= nOut; j += 16) {
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    let p = dz + ((j << 2) as usize);
    for (let r = 0; r < B; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += outBytes;
    }
    const g = gb + ((j << 2) as usize);
    v128.store(g, f32x4.add(v128.load(g), f32x4.mul(av, s0)));
    v128.store(g, f32x4.add(v128.load(g, 16), f32x4.mul(av, s1)), 16);
    v128.store(g, f32x4.add(v128.load(g, 32), f32x4.mul(av, s2)), 32);
    v128.store(g, f32x4.add(v128.load(g, 48), f32x4.mul(av, s3)), 48);
  }
  for (; j + 4 <= nOut; j += 4) {
    let s0 = f32x4.splat(0);
    let p = dz + ((j << 2) as usize);
    for (let r = 0; r < B; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      p += outBytes;
    }
    const g = gb + ((j << 2) as usize);
    v128.store(g, f32x4.add(v128.load(g), f32x4.mul(av, s0)));
  }
  for (; j < nOut; j++) {
    let s: f32 = 0;
    for (let r = 0; r < B; r++) s += load<f32>(dz + (r as usize) * outBytes + ((j << 2) as usize));
    store<f32>(gb + ((j << 2) as usize), load<f32>(gb + ((j << 2) as usize)) + alpha * s);
  }
}

/** gw = decay · gw − shrink · sgn(gw) + alpha · dzᵀ · x and gb += alpha · (column sums of dz). */
export function linearWeightGradAdd(gw: usize, gb: usize, dz: usize, x: usize, decay: f32, shrink: f32, alpha: f32, B: i32, nIn: i32, nOut: i32): void {
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  biasAdd(gb, dz, alpha, B, nOut);
  const tile = min(B, listRows(nIn));
  for (let r0 = 0; r0 < B; r0 += tile) {
    const rows = min(tile, B - r0);
    const xt = x + (r0 as usize) * inBytes;
    const dzt = dz + (r0 as usize) * outBytes;
    buildLists(xt, rows, nIn);
    let j = 0;
    for (; j + 4 <= nOut; j += 4) {
      // The decay sweeps these four rows while they are in L1 anyway, not the whole of w apart.
      if (r0 == 0) decayShrink(gw + (j as usize) * inBytes, decay, shrink, nIn << 2);
      updateRows4(gw, dzt, xt, alpha, j, rows, nIn, nOut);
    }
    if (j + 2 <= nOut) {
      if (r0 == 0) decayShrink(gw + (j as usize) * inBytes, decay, shrink, nIn << 1);
      updateRows2(gw, dzt, xt, alpha, j, rows, nIn, nOut);
      j += 2;
    }
    if (j < nOut) {
      if (r0 == 0) decayShrink(gw + (j as usize) * inBytes, decay, shrink, nIn);
      updateRows1(gw, dzt, xt, alpha, j, 0, rows, nIn, nOut);
    }
  }
}

/** gw = dzᵀ · x and gb = column sums of dz (overwritten). */
export function linearWeightGrad(gw: usize, gb: usize, dz: usize, x: usize, B: i32, nIn: i32, nOut: i32): void {
  memory.fill(gw, 0, ((nOut * nIn) << 2) as usize);
  memory.fill(gb, 0, ((nOut) << 2) as usize);
  linearWeightGradAdd(gw, gb, dz, x, 1, 0, 1, B, nIn, nOut);
}

/** y = a · y + c · x over n floats. */
export function axpby(y: usize, x: usize, a: f32, c: f32, n: i32): void {
  const av = f32x4.splat(a);
  const cv = f32x4.splat(c);
  const end = y + ((n << 2) as usize);
  const vend = y + (((n >> 2) << 4) as usize);
  let yp = y;
  let xp = x;
  for (; yp < vend; yp += 16, xp += 16) {
    v128.store(yp, f32x4.add(f32x4.mul(av, v128.load(yp)), f32x4.mul(cv, v128.load(xp))));
  }
  for (; yp < end; yp += 4, xp += 4) store<f32>(yp, a * load<f32>(yp) + c * load<f32>(xp));
}

/** y = a · y over n floats. */
export function scale(y: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  const end = y + ((n << 2) as usize);
  const vend = y + (((n >> 2) << 4) as usize);
  let yp = y;
  for (; yp < vend; yp += 16) v128.store(yp, f32x4.mul(av, v128.load(yp)));
  for (; yp < end; yp += 4) store<f32>(yp, a * load<f32>(yp));
}

// decay · w − shrink · sgn(w), lane by lane (sgn(0) = 0).
// @ts-ignore: decorator
@inline function decayShrink4(w: v128, decay: f32, shrink: f32): v128 {
  if (shrink == 0) return decay == 1 ? w : f32x4.mul(f32x4.splat(decay), w);
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const sgn = f32x4.sub(v128.and(f32x4.gt(w, zero), one), v128.and(f32x4.lt(w, zero), one));
  return f32x4.sub(f32x4.mul(f32x4.splat(decay), w), f32x4.mul(f32x4.splat(shrink), sgn));
}

/** y = a · y − c · sgn(y) over n floats (L2 decay and L1 shrink; sgn(0) = 0). */
// @ts-ignore: decorator
@inline function decayShrink(y: usize, a: f32, c: f32, n: i32): void {
  if (c == 0) {
    if (a != 1) scale(y, a, n);
    return;
  }
  const end = y + ((n << 2) as usize);
  const vend = y + (((n >> 2) << 4) as usize);
  let yp = y;
  for (; yp < vend; yp += 16) v128.store(yp, decayShrink4(v128.load(yp), a, c));
  for (; yp < end; yp += 4) {
    const v = load<f32>(yp);
    store<f32>(yp, a * v - c * (v > 0 ? <f32>1 : v < 0 ? <f32>-1 : <f32>0));
  }
}

/** x = bytes / 255 over n values (the staging bytes live in this memory). */
export function bytesToUnit(x: usize, bytes: usize, n: i32): void {
  const k255 = f32x4.splat(255);
  const vend = ((n >> 4) << 4);
  let i = 0;
  for (; i < vend; i += 16) {
    const v8 = v128.load(bytes + (i as usize));
    const o = x + ((i << 2) as usize);
    if (!v128.any_true(v8)) {
      // Most of an MNIST image is background: skip the conversion (and its divisions).
      const zero = f32x4.splat(0);
      v128.store(o, zero);
      v128.store(o, zero, 16);
      v128.store(o, zero, 32);
      v128.store(o, zero, 48);
      continue;
    }
    const lo16 = i16x8.extend_low_i8x16_u(v8);
    const hi16 = i16x8.extend_high_i8x16_u(v8);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo16)), k255));
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo16)), k255), 16);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi16)), k255), 32);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi16)), k255), 48);
  }
  for (; i < n; i++) store<f32>(x + ((i << 2) as usize), (load<u8>(bytes + (i as usize)) as f32) / 255);
}

// σ(z) = 1 / (1 + e^−z) of two vectors, stored at out and out + 16. e^x = 2^n · e^r with x = −z,
// n = round(x / ln 2), |r| ≤ ln2/2, and cephes' expf polynomial for e^r (about 1 ulp); x is clamped
// so 2^n stays a normal float. Adding 1.5·2^23 rounds x/ln2 to an integer n that then sits in the
// low mantissa bits. The two vectors' steps are interleaved: one vector's chain of about thirty
// dependent operations left the core waiting (16% slower than two side by side, the same bits).
// x is never formed: the steps work on s = −x = z and on −r, with the odd coefficients negated,
// which gives the same bits (negation is exact) without V8's three instructions per negation.
// @ts-ignore: decorator
@inline function sigmoid4x2(za: v128, zb: v128, out: usize): void {
  // pmin/pmax are one instruction each on x64 (min/max's NaN rules take about seven); a NaN z
  // still comes through as NaN, since pmin(a, b) = b < a ? b : a keeps a when a compares false.
  const sa = f32x4.pmin(f32x4.pmax(za, f32x4.splat(-88.3)), f32x4.splat(87.3));
  const sb = f32x4.pmin(f32x4.pmax(zb, f32x4.splat(-88.3)), f32x4.splat(87.3));
  const magic = f32x4.splat(12582912.0);
  const ta = f32x4.add(f32x4.mul(sa, f32x4.splat(-1.44269504088896341)), magic);
  const tb = f32x4.add(f32x4.mul(sb, f32x4.splat(-1.44269504088896341)), magic);
  const na = f32x4.sub(ta, magic);
  const nb = f32x4.sub(tb, magic);
  // −r = s + n·ln2, ln2 in two parts (Cody and Waite).
  let ra = f32x4.add(sa, f32x4.mul(na, f32x4.splat(0.693359375)));
  let rb = f32x4.add(sb, f32x4.mul(nb, f32x4.splat(0.693359375)));
  ra = f32x4.add(ra, f32x4.mul(na, f32x4.splat(-2.12194440e-4)));
  rb = f32x4.add(rb, f32x4.mul(nb, f32x4.splat(-2.12194440e-4)));
  // p(r) = c0 + c1·r + … + c5·r⁵ by Estrin's scheme, (c0 + c1·r) + r²·((c2 + c3·r) + r²·(c4 + c5·r)):
  // a chain of six operations where Horner's takes ten; in −r, c1, c3 and c5 change sign.
  const r2a = f32x4.mul(ra, ra);
  const r2b = f32x4.mul(rb, rb);
  const c0 = f32x4.splat(5.0000001201e-1);
  const c1 = f32x4.splat(-1.6666665459e-1);
  const c2 = f32x4.splat(4.1665795894e-2);
  const c3 = f32x4.splat(-8.3334519073e-3);
  const c4 = f32x4.splat(1.3981999507e-3);
  const c5 = f32x4.splat(-1.9875691500e-4);
  let pa = f32x4.add(f32x4.mul(c5, ra), c4);
  let pb = f32x4.add(f32x4.mul(c5, rb), c4);
  pa = f32x4.add(f32x4.mul(pa, r2a), f32x4.add(f32x4.mul(c3, ra), c2));
  pb = f32x4.add(f32x4.mul(pb, r2b), f32x4.add(f32x4.mul(c3, rb), c2));
  pa = f32x4.add(f32x4.mul(pa, r2a), f32x4.add(f32x4.mul(c1, ra), c0));
  pb = f32x4.add(f32x4.mul(pb, r2b), f32x4.add(f32x4.mul(c1, rb), c0));
  // e^r = 1 + r + r²·p(r).
  const one = f32x4.splat(1);
  pa = f32x4.add(f32x4.sub(f32x4.mul(pa, r2a), ra), one);
  pb = f32x4.add(f32x4.sub(f32x4.mul(pb, r2b), rb), one);
  // (bits of t) − (bits of magic) = n; shifted into the exponent field with its bias of 127.
  const pow2a = i32x4.shl(i32x4.add(i32x4.sub(ta, magic), i32x4.splat(127)), 23);
  const pow2b = i32x4.shl(i32x4.add(i32x4.sub(tb, magic), i32x4.splat(127)), 23);
  v128.store(out, f32x4.div(one, f32x4.add(one, f32x4.mul(pa, pow2a))));
  v128.store(out, f32x4.div(one, f32x4.add(one, f32x4.mul(pb, pow2b))), 16);
}

/** a = 1 / (1 + e^−z) over n floats. */
export function sigmoid(a: usize, z: usize, n: i32): void {
  const vend = (n >> 3) << 3;
  let i = 0;
  for (; i < vend; i += 8) {
    const o = (i << 2) as usize;
    sigmoid4x2(v128.load(z + o), v128.load(z + o, 16), a + o);
  }
  if (i < n) {
    // The last 1..7 values go through two zero-padded vectors in the (idle) list scratch.
    v128.store(LISTS, f32x4.splat(0));
    v128.store(LISTS, f32x4.splat(0), 16);
    memory.copy(LISTS, z + ((i << 2) as usize), ((n - i) << 2) as usize);
    sigmoid4x2(v128.load(LISTS), v128.load(LISTS, 16), LISTS);
    memory.copy(a + ((i << 2) as usize), LISTS, ((n - i) << 2) as usize);
  }
}

// ---------------------------------------------------------------------------------------------
// The input layer, pixel by pixel. An image has about 150 non-zero pixels of 784; the kernels
// above skip zero 4-pixel chunks (shared by a pair of rows: 40% of the chunks), these skip zero
// pixels (19%). They work on wT, the layer's weights transposed (the output units padded to a
// multiple of 4 with zeros), so one pixel's weights to a block of units are contiguous:
// z[i, block] += x[i, k] · wT[k, block]. A block of up to 6 vectors (24 units) stays in registers
// across a row's pixels (more and V8 spills them on x64's 16 vector registers), and each block's
// weights lie in a panel of their own (panelAt, below).
//
// The sparse rows: lists holds its number of rows n (i32), n+1 entry starts (i32), then the
// entries from lists + (n+2)·4, each (k · S: i32, x[i, k]: f32), in increasing k, where S is the
// bytes of a pixel's row in the panels of the layer the rows feed (rowBytes; the builders take it
// as `unit`): the kernels' loops add an entry's int to a panel's start, with no multiply (0.93–0.96
// of the forward's time at 784-800-10, docs/speed.md, tenth session). A call's row i is the list's
// row i. The training set's rows are built once, into a store of compact entries (one
// int each, 30 MB for MNIST's 50,000), and each mini-batch's rows are expanded out of it in the
// mini-batch's order (sparseTake): read in place, rows scattered over a store cost the forward 7%
// (800 units) to 20% (100 units) more than rows in one run, in every pass (docs/speed.md).

// An entry (an int, then x: f32) comes in one 8-byte load, and x goes to every lane from a
// register: the kernels' loops wait on loads (two a cycle on this machine's cores; docs/speed.md),
// and loading each half on its own took two an entry.
// @ts-ignore: decorator
@inline function entryIndex(e: i64): i32 {
  return e as i32;
}

// @ts-ignore: decorator
@inline function entryX(e: i64): v128 {
  return f32x4.splat(reinterpret<f32>((e >>> 32) as i32));
}

// @ts-ignore: decorator
@inline function entriesOf(lists: usize): usize {
  return lists + (((load<i32>(lists) + 2) << 2) as usize);
}

// Where row rowsOf[i] (u32) starts in lists' starts.
// @ts-ignore: decorator
@inline function startOf(lists: usize, rowsOf: usize, i: i32): usize {
  return lists + (((load<i32>(rowsOf + ((i << 2) as usize)) + 1) << 2) as usize);
}

// Where row i starts in lists' starts (its end is the next int).
// @ts-ignore: decorator
@inline function rowStart(lists: usize, i: i32): usize {
  return lists + (((i + 1) << 2) as usize);
}

/**
 * Appends rows r0 .. r0+m of bytes (`pixels` bytes each) to the sparse rows of `rows` rows, as x =
 * byte / 255; returns 1 (and stops) when the entries would pass `end`, else 0.
 */
export function sparseRows(lists: usize, bytes: usize, r0: i32, m: i32, pixels: i32, rows: i32, end: usize, unit: i32): i32 {
  return imageRows(lists, bytes, r0, m, pixels, rows, end, false, unit);
}

/**
 * The same into a store of compact rows: an entry is one int, k | byte << 16 (half the bytes of a
 * list's entry), which sparseTake expands into lists.
 */
export function sparseStoreRows(store: usize, bytes: usize, r0: i32, m: i32, pixels: i32, rows: i32, end: usize): i32 {
  return imageRows(store, bytes, r0, m, pixels, rows, end, true, 1);
}

// sparseRows and sparseStoreRows: entries of (k, x) or of k | byte << 16.
// @ts-ignore: decorator
@inline function imageRows(lists: usize, bytes: usize, r0: i32, m: i32, pixels: i32, rows: i32, end: usize, compact: bool, unit: i32): i32 {
  const shift: usize = compact ? 2 : 3;
  // A block of 16 pixels writes 16 entries whatever its ink.
  const last = end - (16 << shift);
  if (lists + (((rows + 2) << 2) as usize) > last) return 1;
  if (r0 == 0) {
    store<i32>(lists, rows);
    store<i32>(lists, 0, 4);
  }
  const entries = entriesOf(lists);
  let p = entries + ((load<i32>(lists + (((r0 + 1) << 2) as usize)) as usize) << shift);
  const vend = (pixels >> 4) << 4;
  for (let r = 0; r < m; r++) {
    const src = bytes + ((r * pixels) as usize);
    let c = 0;
    for (; c < vend; c += 16) {
      if (!v128.any_true(v128.load(src + (c as usize)))) continue;
      if (p > last) return 1;
      // Every byte of a block with some ink is written, and the list moves on past the non-zero
      // ones only: no branch per pixel.
      for (let t = 0; t < 16; t++) {
        const k = c + t;
        const v = load<u8>(src + (k as usize)) as usize;
        imageEntry(p, k, v, compact, unit);
        p += (i32(v != 0) as usize) << shift;
      }
    }
    for (; c < pixels; c++) {
      const v = load<u8>(src + (c as usize)) as usize;
      if (p > last) return 1;
      imageEntry(p, c, v, compact, unit);
      p += (i32(v != 0) as usize) << shift;
    }
    store<i32>(lists + (((r0 + r + 2) << 2) as usize), ((p - entries) >> shift) as i32);
  }
  return 0;
}

// @ts-ignore: decorator
@inline function imageEntry(p: usize, k: i32, v: usize, compact: bool, unit: i32): void {
  if (compact) {
    store<i32>(p, k | ((v as i32) << 16));
  } else {
    store<i32>(p, k * unit);
    store<f32>(p, load<f32>(UNIT + (v << 2)), 4);
  }
}

/** Rows taken together per touch in sparseTake (about 300 cache lines in flight). */
const TAKE_ROWS: i32 = 32;

/**
 * lists = rows rowsOf[0 .. rows) of the compact rows `from` (the training set's, built once by
 * sparseStoreRows), their entries expanded into one run, so the passes of the kernels that follow
 * read them in order, not scattered over a store of 30 MB; returns 1 (and stops) when they would
 * pass `end`, else 0.
 */
export function sparseTake(lists: usize, from: usize, rowsOf: usize, rows: i32, end: usize, unit: i32): i32 {
  const src = entriesOf(from);
  const entries = lists + (((rows + 2) << 2) as usize);
  if (entries > end) return 1;
  store<i32>(lists, rows);
  store<i32>(lists, 0, 4);
  const low = i32x4.splat(0xffff);
  const units = i32x4.splat(unit);
  const k255 = f32x4.splat(255);
  let p = entries;
  for (let r0 = 0; r0 < rows; r0 += TAKE_ROWS) {
    const r1 = min(rows, r0 + TAKE_ROWS);
    touchRows(from, rowsOf, src, r0, r1);
    for (let i = r0; i < r1; i++) {
      const at = startOf(from, rowsOf, i);
      let s = src + ((load<i32>(at) << 2) as usize);
      const e = src + ((load<i32>(at, 4) << 2) as usize);
      if (p + ((e - s) << 1) > end) return 1;
      // Four entries at a time: x = byte / 255 by the same float division as the table's.
      for (; s + 16 <= e; s += 16) {
        const c = v128.load(s);
        const k = i32x4.mul(v128.and(c, low), units);
        const x = f32x4.div(f32x4.convert_i32x4_u(i32x4.shr_u(c, 16)), k255);
        v128.store(p, v128.shuffle<i32>(k, x, 0, 4, 1, 5));
        v128.store(p, v128.shuffle<i32>(k, x, 2, 6, 3, 7), 16);
        p += 32;
      }
      for (; s < e; s += 4) {
        const c = load<u32>(s);
        store<i32>(p, ((c & 0xffff) as i32) * unit);
        store<f32>(p, load<f32>(UNIT + ((c >> 16) << 2)), 4);
        p += 8;
      }
      store<i32>(lists + (((i + 2) << 2) as usize), ((p - entries) >> 3) as i32);
    }
  }
  return 0;
}

// The sparse kernels keep the input layer's weights transposed, wT = wᵀ, in panels: the units'
// vectors of 4 go in blocks of at most 6 (as even as possible: 25 vectors are 5 of 5), then a
// partial last vector has a panel of its own; panel t holds its nIn rows one after another, at
// wT + t · nIn · S bytes, each row S bytes, the widest block's (rowBytes): a narrower block's rows
// end in padding, so pixel k's row starts at k · S in every panel. One block's weights to every
// pixel then lie together: at 784-800-10, 75 KB on 19 pages, where rows of all 800 units spread
// them over 2.5 MB, a pixel's every 3.2 KB (some 600 pages, far past the first-level TLB). The
// forward took 0.83–0.92× the time with the same sums (docs/speed.md). src/engine/kernels.ts's
// sparsePanels is the same layout for the reference kernels.
// @ts-ignore: decorator
@inline function panelAt(wT: usize, t: i32, nIn: i32, S: usize): usize {
  return wT + ((t * nIn) as usize) * S;
}

// The bytes of one pixel's row in every panel of a layer of nOut units: its widest block's
// (panelWidth(nOut, 0, 0)) 16 bytes a vector; the narrower blocks' rows are padded to it, so an
// entry of the sparse rows can hold its pixel's row as a byte offset, k · S, the same in every panel.
// @ts-ignore: decorator
@inline function rowBytes(nOut: i32): usize {
  return (panelWidth(nOut, 0, 0) << 4) as usize;
}

// Block t's width in vectors, when q vectors come before it: blocks of whole vectors as even as
// possible, then a partial last vector's block of its own, then 0 (no more blocks). Every kernel
// on wT walks its panels by this: for (t = 0; (w = panelWidth(nOut, q, t)) > 0; t++, q += w).
// @ts-ignore: decorator
@inline function panelWidth(nOut: i32, q: i32, t: i32): i32 {
  const passes = ((nOut >> 2) + 5) / 6;
  return t < passes ? ((nOut >> 2) - q + passes - t - 1) / (passes - t) : ((nOut + 3) >> 2) - q;
}

// z[i, 4q .. 4q+4W) = Σ_k x[i, k] wT[k, 4q .. 4q+4W) + b[4q .. 4q+4W) for every row i, W = 2 .. 6 vectors
// (written out once per W: AssemblyScript has no unrolling).
// @ts-ignore: decorator
@inline function sparseForward6(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0);
    let a5 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      const wk = w + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(wk), v, a0);
      a1 = madd(v128.load(wk, 16), v, a1);
      a2 = madd(v128.load(wk, 32), v, a2);
      a3 = madd(v128.load(wk, 48), v, a3);
      a4 = madd(v128.load(wk, 64), v, a4);
      a5 = madd(v128.load(wk, 80), v, a5);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    v128.store(zi, f32x4.add(a0, v128.load(bq)));
    v128.store(zi, f32x4.add(a1, v128.load(bq, 16)), 16);
    v128.store(zi, f32x4.add(a2, v128.load(bq, 32)), 32);
    v128.store(zi, f32x4.add(a3, v128.load(bq, 48)), 48);
    v128.store(zi, f32x4.add(a4, v128.load(bq, 64)), 64);
    v128.store(zi, f32x4.add(a5, v128.load(bq, 80)), 80);
  }
}

// @ts-ignore: decorator
@inline function sparseForward5(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      const wk = w + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(wk), v, a0);
      a1 = madd(v128.load(wk, 16), v, a1);
      a2 = madd(v128.load(wk, 32), v, a2);
      a3 = madd(v128.load(wk, 48), v, a3);
      a4 = madd(v128.load(wk, 64), v, a4);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    v128.store(zi, f32x4.add(a0, v128.load(bq)));
    v128.store(zi, f32x4.add(a1, v128.load(bq, 16)), 16);
    v128.store(zi, f32x4.add(a2, v128.load(bq, 32)), 32);
    v128.store(zi, f32x4.add(a3, v128.load(bq, 48)), 48);
    v128.store(zi, f32x4.add(a4, v128.load(bq, 64)), 64);
  }
}

// @ts-ignore: decorator
@inline function sparseForward4(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      const wk = w + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(wk), v, a0);
      a1 = madd(v128.load(wk, 16), v, a1);
      a2 = madd(v128.load(wk, 32), v, a2);
      a3 = madd(v128.load(wk, 48), v, a3);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    v128.store(zi, f32x4.add(a0, v128.load(bq)));
    v128.store(zi, f32x4.add(a1, v128.load(bq, 16)), 16);
    v128.store(zi, f32x4.add(a2, v128.load(bq, 32)), 32);
    v128.store(zi, f32x4.add(a3, v128.load(bq, 48)), 48);
  }
}

// @ts-ignore: decorator
@inline function sparseForward3(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      const wk = w + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(wk), v, a0);
      a1 = madd(v128.load(wk, 16), v, a1);
      a2 = madd(v128.load(wk, 32), v, a2);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    v128.store(zi, f32x4.add(a0, v128.load(bq)));
    v128.store(zi, f32x4.add(a1, v128.load(bq, 16)), 16);
    v128.store(zi, f32x4.add(a2, v128.load(bq, 32)), 32);
  }
}

// @ts-ignore: decorator
@inline function sparseForward2(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      const wk = w + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(wk), v, a0);
      a1 = madd(v128.load(wk, 16), v, a1);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    v128.store(zi, f32x4.add(a0, v128.load(bq)));
    v128.store(zi, f32x4.add(a1, v128.load(bq, 16)), 16);
  }
}

// The same for 4 units 4q .. 4q+4, of which the first `lanes` (1..4) exist.
// @ts-ignore: decorator
@inline function sparseForward1(z: usize, lists: usize, entries: usize, w: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  const col = (q << 4) as usize;
  const lanes = min(4, nOut - (q << 2));
  for (let i = r0; i < r1; i++) {
    let a0 = f32x4.splat(0);
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const e = load<i64>(p);
      a0 = madd(v128.load(w + (entryIndex(e) as usize)), entryX(e), a0);
    }
    const zi = z + ((i * nOut) << 2) as usize + col;
    const bq = b + col;
    if (lanes == 4) {
      v128.store(zi, f32x4.add(a0, v128.load(bq)));
    } else {
      store<f32>(zi, f32x4.extract_lane(a0, 0) + load<f32>(bq));
      if (lanes > 1) store<f32>(zi, f32x4.extract_lane(a0, 1) + load<f32>(bq, 4), 4);
      if (lanes > 2) store<f32>(zi, f32x4.extract_lane(a0, 2) + load<f32>(bq, 8), 8);
    }
  }
}

// One block of w vectors of the sparse forward.
// @ts-ignore: decorator
@inline function forwardBlock(w: i32, z: usize, lists: usize, entries: usize, panel: usize, b: usize, q: i32, r0: i32, r1: i32, nIn: i32, nOut: i32): void {
  if (w == 6) sparseForward6(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
  else if (w == 5) sparseForward5(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
  else if (w == 4) sparseForward4(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
  else if (w == 3) sparseForward3(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
  else if (w == 2) sparseForward2(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
  else sparseForward1(z, lists, entries, panel, b, q, r0, r1, nIn, nOut);
}

/** Rows the sparse forward takes through all its blocks before the next rows. */
const FORWARD_ROWS: i32 = 128;

/** z = x · w + b for the sparse rows x, with wT = wᵀ in panels (toPanels). */
export function sparseForwardT(z: usize, lists: usize, wT: usize, b: usize, rows: i32, nIn: i32, nOut: i32): void {
  const entries = entriesOf(lists);
  const S = rowBytes(nOut);
  // One pass a panel (a partial last vector's stores its lanes one by one); all of them over
  // FORWARD_ROWS rows before the next rows, so those rows' entries stay in L2 across the passes (a
  // mini-batch of 1,000 has 1.2 MB of them).
  for (let r0 = 0; r0 < rows; r0 += FORWARD_ROWS) {
    const r1 = min(rows, r0 + FORWARD_ROWS);
    let q = 0;
    for (let t = 0, w = panelWidth(nOut, 0, 0); w > 0; w = panelWidth(nOut, q, ++t)) {
      forwardBlock(w, z, lists, entries, panelAt(wT, t, nIn, S), b, q, r0, r1, nIn, nOut);
      q += w;
    }
  }
}

// Reads one int of every cache line of rows rowsOf[r0 .. r1) of compact rows, all independent
// loads, so the rows of a large store (the training set's, in a random order) come from memory in
// parallel, not one miss at a time inside sparseTake's copy. (WebAssembly has no prefetch
// instruction.)
// @ts-ignore: decorator
@inline function touchRows(lists: usize, rowsOf: usize, entries: usize, r0: i32, r1: i32): void {
  let sum: i32 = 0;
  for (let i = r0; i < r1; i++) {
    const at = startOf(lists, rowsOf, i);
    const end = entries + ((load<i32>(at, 4) << 2) as usize);
    for (let p = (entries + ((load<i32>(at) << 2) as usize)) & ~(63 as usize); p < end; p += 64) sum += load<i32>(p);
  }
  // Kept, so the loads are not optimized away.
  store<i32>(CSC, sum);
}

// wT[k, 4q .. 4q+4W) = decay · wT − shrink · sgn(wT) + Σ_i x[i, k] · dzs[i, 4q .. 4q+4W) for every
// pixel k, the rows i in order, in registers: one load and store of wT per pixel and mini-batch.
// @ts-ignore: decorator
@inline function sparseStep6(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    let a1 = decayShrink4(v128.load(wk, 16), decay, shrink);
    let a2 = decayShrink4(v128.load(wk, 32), decay, shrink);
    let a3 = decayShrink4(v128.load(wk, 48), decay, shrink);
    let a4 = decayShrink4(v128.load(wk, 64), decay, shrink);
    let a5 = decayShrink4(v128.load(wk, 80), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
      a1 = madd(v128.load(d, 16), v, a1);
      a2 = madd(v128.load(d, 32), v, a2);
      a3 = madd(v128.load(d, 48), v, a3);
      a4 = madd(v128.load(d, 64), v, a4);
      a5 = madd(v128.load(d, 80), v, a5);
    }
    v128.store(wk, a0);
    v128.store(wk, a1, 16);
    v128.store(wk, a2, 32);
    v128.store(wk, a3, 48);
    v128.store(wk, a4, 64);
    v128.store(wk, a5, 80);
    begin = end;
  }
}

// @ts-ignore: decorator
@inline function sparseStep5(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    let a1 = decayShrink4(v128.load(wk, 16), decay, shrink);
    let a2 = decayShrink4(v128.load(wk, 32), decay, shrink);
    let a3 = decayShrink4(v128.load(wk, 48), decay, shrink);
    let a4 = decayShrink4(v128.load(wk, 64), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
      a1 = madd(v128.load(d, 16), v, a1);
      a2 = madd(v128.load(d, 32), v, a2);
      a3 = madd(v128.load(d, 48), v, a3);
      a4 = madd(v128.load(d, 64), v, a4);
    }
    v128.store(wk, a0);
    v128.store(wk, a1, 16);
    v128.store(wk, a2, 32);
    v128.store(wk, a3, 48);
    v128.store(wk, a4, 64);
    begin = end;
  }
}

// @ts-ignore: decorator
@inline function sparseStep4(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    let a1 = decayShrink4(v128.load(wk, 16), decay, shrink);
    let a2 = decayShrink4(v128.load(wk, 32), decay, shrink);
    let a3 = decayShrink4(v128.load(wk, 48), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
      a1 = madd(v128.load(d, 16), v, a1);
      a2 = madd(v128.load(d, 32), v, a2);
      a3 = madd(v128.load(d, 48), v, a3);
    }
    v128.store(wk, a0);
    v128.store(wk, a1, 16);
    v128.store(wk, a2, 32);
    v128.store(wk, a3, 48);
    begin = end;
  }
}

// @ts-ignore: decorator
@inline function sparseStep3(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    let a1 = decayShrink4(v128.load(wk, 16), decay, shrink);
    let a2 = decayShrink4(v128.load(wk, 32), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
      a1 = madd(v128.load(d, 16), v, a1);
      a2 = madd(v128.load(d, 32), v, a2);
    }
    v128.store(wk, a0);
    v128.store(wk, a1, 16);
    v128.store(wk, a2, 32);
    begin = end;
  }
}

// @ts-ignore: decorator
@inline function sparseStep2(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    let a1 = decayShrink4(v128.load(wk, 16), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
      a1 = madd(v128.load(d, 16), v, a1);
    }
    v128.store(wk, a0);
    v128.store(wk, a1, 16);
    begin = end;
  }
}

// @ts-ignore: decorator
@inline function sparseStep1(w: usize, S: usize, nIn: i32, decay: f32, shrink: f32, panel: usize): void {
  const entries = CSC + ((nIn + 1) as usize) * (S >> 2);
  const keep = decay == 1 && shrink == 0;
  const slot = S >> 2;
  const last = CSC + (nIn as usize) * slot;
  let begin = entries;
  // Pixel by pixel: its entries' end in CSC (slots of S / 4 bytes) and its row in the panel (S bytes).
  for (let c = CSC, wk = w; c < last; c += slot, wk += S) {
    const end = entries + ((load<i32>(c) << 3) as usize);
    if (keep && begin == end) continue;
    let a0 = decayShrink4(v128.load(wk), decay, shrink);
    for (let p = begin; p < end; p += 8) {
      const e = load<i64>(p);
      const d = panel + (entryIndex(e) as usize);
      const v = entryX(e);
      a0 = madd(v128.load(d), v, a0);
    }
    v128.store(wk, a0);
    begin = end;
  }
}

// Rows r0 .. r1 of the sparse rows by pixel into CSC (the rows in order within each pixel), each
// entry naming its row as (i − r0) · S, the row's place in a panel of rows of S bytes. CSC keeps
// pixel k's count and start in the int at k · S / 4 bytes: an entry's byte offset k · S, shifted,
// without dividing by S.
// @ts-ignore: decorator
@inline function gatherRows(lists: usize, entries: usize, r0: i32, r1: i32, nIn: i32, S: usize): void {
  const slot = S >> 2;
  memory.fill(CSC, 0, ((nIn + 1) as usize) * slot);
  // Counts per pixel (at k+1), then running sums: CSC[k] = where pixel k's entries start.
  for (let i = r0; i < r1; i++) {
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      const c = CSC + ((load<i32>(p) >>> 2) as usize) + slot;
      store<i32>(c, load<i32>(c) + 1);
    }
  }
  for (let k = 1; k <= nIn; k++) {
    const c = CSC + (k as usize) * slot;
    store<i32>(c, load<i32>(c) + load<i32>(c - slot));
  }
  // Filling moves each start to its pixel's end: CSC[k] = where pixel k's entries end.
  const out = CSC + ((nIn + 1) as usize) * slot;
  for (let i = r0; i < r1; i++) {
    const dzRow = (((i - r0) as usize) * S) as i64;
    const at = rowStart(lists, i);
    const end = entries + ((load<i32>(at, 4) << 3) as usize);
    for (let p = entries + ((load<i32>(at) << 3) as usize); p < end; p += 8) {
      // The entry with its pixel replaced by its row's place: one load and one store.
      const e = load<i64>(p);
      const c = CSC + ((entryIndex(e) >>> 2) as usize);
      const at = load<i32>(c);
      store<i32>(c, at + 1);
      store<i64>(out + ((at << 3) as usize), (e & 0xffffffff00000000) | dzRow);
    }
  }
}

// alpha · dz[r0 .. r1, 4q .. 4q + 4w) into a panel: row i's w vectors at panel + (i − r0) · S (the
// panels' row, so gatherRows' entries name a row by its byte offset), the units past nOut 0. One pass's rows lie together (up to 48 KB, mostly in L1), where rows of
// the whole stride would lie a stride apart, on as many pages as rows.
// @ts-ignore: decorator
@inline function fillPanel(panel: usize, dz: usize, alpha: f32, r0: i32, r1: i32, q: i32, w: i32, nOut: i32, S: usize): void {
  const av = f32x4.splat(alpha);
  const whole = min(w, (nOut >> 2) - q);
  for (let i = r0; i < r1; i++) {
    const src = dz + (((i * nOut) << 2) as usize) + ((q << 4) as usize);
    const dst = panel + ((i - r0) as usize) * S;
    let v = 0;
    for (; v < whole; v++) v128.store(dst + ((v << 4) as usize), f32x4.mul(av, v128.load(src + ((v << 4) as usize))));
    for (; v < w; v++) {
      for (let l = 0; l < 4; l++) {
        const j = ((q + v) << 2) + l;
        store<f32>(dst + ((((v << 2) + l) << 2) as usize), j < nOut ? alpha * load<f32>(src + ((((v << 2) + l) << 2) as usize)) : 0);
      }
    }
  }
}

/**
 * wT = decay · wT − shrink · sgn(wT) + alpha · xᵀ · dz for the sparse rows x (the transposed form
 * of linearWeightGradAdd: the SGD step of the input layer), and gb += alpha · column sums of dz.
 * The rows go by pixel, as many at a time as the scratch holds.
 */
export function sparseStepT(wT: usize, gb: usize, dz: usize, lists: usize, decay: f32, shrink: f32, alpha: f32, rows: i32, nIn: i32, nOut: i32): void {
  const entries = entriesOf(lists);
  const S = rowBytes(nOut);
  const pairs = (CSC_INTS - (nIn + 1) * ((S >> 4) as i32)) >> 1;
  biasAdd(gb, dz, alpha, rows, nOut);
  let r0 = 0;
  while (r0 < rows) {
    // The next rows whose entries and alpha · dz fit the scratch (at least one row).
    let at = rowStart(lists, r0);
    let taken = load<i32>(at, 4) - load<i32>(at);
    let r1 = r0 + 1;
    for (; r1 < rows && (r1 + 1 - r0) * 24 <= DZS_FLOATS; r1++) {
      at = rowStart(lists, r1);
      const more = load<i32>(at, 4) - load<i32>(at);
      if (taken + more > pairs) break;
      taken += more;
    }
    gatherRows(lists, entries, r0, r1, nIn, S);
    // The decay and shrink go with the first rows only.
    const d: f32 = r0 == 0 ? decay : 1;
    const s: f32 = r0 == 0 ? shrink : 0;
    // The panels of sparseForwardT, each with this pass's alpha · dz just before it reads them (a
    // partial last vector's padding gets dzs 0).
    let q = 0;
    for (let t = 0, w = panelWidth(nOut, 0, 0); w > 0; w = panelWidth(nOut, q, ++t)) {
      // Each pass fills the one panel of scratch just before it reads it.
      const panel = DZS;
      fillPanel(panel, dz, alpha, r0, r1, q, w, nOut, S);
      const pw = panelAt(wT, t, nIn, S);
      if (w == 6) sparseStep6(pw, S, nIn, d, s, panel);
      else if (w == 5) sparseStep5(pw, S, nIn, d, s, panel);
      else if (w == 4) sparseStep4(pw, S, nIn, d, s, panel);
      else if (w == 3) sparseStep3(pw, S, nIn, d, s, panel);
      else if (w == 2) sparseStep2(pw, S, nIn, d, s, panel);
      else sparseStep1(pw, S, nIn, d, s, panel);
      q += w;
    }
    r0 = r1;
  }
}

/** wT = wᵀ in panels, for w (nOut × nIn): the layout of the sparse kernels' weights (see panelAt). */
export function toPanels(wT: usize, w: usize, nIn: i32, nOut: i32): void {
  panelCopy(wT, w, nIn, nOut, true);
}

/** w (nOut × nIn) = the weights wT holds in panels. */
export function fromPanels(w: usize, wT: usize, nIn: i32, nOut: i32): void {
  panelCopy(wT, w, nIn, nOut, false);
}

// Panel by panel, unit by unit: a unit's row of w is read or written in order, into one lane of
// each of the panel's rows (the panel, at most 24 units × nIn, stays in L2).
// @ts-ignore: decorator
@inline function panelCopy(wT: usize, w: usize, nIn: i32, nOut: i32, toT: bool): void {
  const S = rowBytes(nOut);
  let q = 0;
  for (let t = 0, width = panelWidth(nOut, 0, 0); width > 0; width = panelWidth(nOut, q, ++t)) {
    const p = panelAt(wT, t, nIn, S);
    const step = S;
    for (let u = q << 2; u < (q + width) << 2; u++) {
      let d = p + (((u - (q << 2)) << 2) as usize);
      if (u >= nOut) {
        if (toT) for (let k = 0; k < nIn; k++, d += step) store<f32>(d, 0);
        continue;
      }
      const row = w + (((u * nIn) << 2) as usize);
      if (toT) for (let k = 0; k < nIn; k++, d += step) store<f32>(d, load<f32>(row + ((k << 2) as usize)));
      else for (let k = 0; k < nIn; k++, d += step) store<f32>(row + ((k << 2) as usize), load<f32>(d));
    }
    q += width;
  }
}
