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

/** First byte the loader may use (for the slab and byte staging). */
export function scratchEnd(): usize {
  return LISTS + ((LIST_INTS << 2) as usize);
}

/** Rows a scratch list tile can hold for rows of nIn floats (0 when one pair does not fit). */
export function listRows(nIn: i32): i32 {
  return (LIST_INTS / ((nIn >> 2) + 1)) << 1;
}

// @ts-ignore: decorator
@inline function buildLists(x: usize, rows: i32, nIn: i32): void {
  const nC = nIn >> 2;
  const strideBytes = ((nC + 1) << 2) as usize;
  const rowBytes = (nIn << 2) as usize;
  for (let i = 0; i < rows; i += 2) {
    const x0 = x + (i as usize) * rowBytes;
    const x1 = i + 1 < rows ? x0 + rowBytes : x0;
    const list = LISTS + ((i >> 1) as usize) * strideBytes + 4;
    let n: i32 = 0;
    for (let c = 0; c < nC; c++) {
      const off = (c << 4) as usize;
      store<i32>(list + ((n << 2) as usize), off as i32);
      n += i32(v128.any_true(v128.or(v128.load(x0 + off), v128.load(x1 + off))));
    }
    store<i32>(list - 4, n);
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
  const strideBytes = (((nIn >> 2) + 1) << 2) as usize;
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
    const list = LISTS + ((i >> 1) as usize) * strideBytes + 4;
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

// The same for one row j of w.
// @ts-ignore: decorator
@inline function forwardRows1(z: usize, x: usize, w: usize, b: usize, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const strideBytes = (((nIn >> 2) + 1) << 2) as usize;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const w0 = w + (j as usize) * inBytes;
  const bj = load<f32>(b + ((j << 2) as usize));
  for (let i = 0; i < rows; i++) {
    const xr = x + (i as usize) * inBytes;
    const list = LISTS + ((i >> 1) as usize) * strideBytes + 4;
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
    for (; j < nOut; j++) forwardRows1(zt, xt, w, b, j, rows, nIn, nOut);
  }
}

/** dx = dz · w */
export function linearBackwardInput(dx: usize, dz: usize, w: usize, B: i32, nIn: i32, nOut: i32): void {
  const nC = nIn >> 2;
  const k0 = nC << 2;
  const inBytes = (nIn << 2) as usize;
  for (let r = 0; r < B; r++) {
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
      v128.store(dxr + o, a0);
      v128.store(dxr + o, a1, 16);
      v128.store(dxr + o, a2, 32);
      v128.store(dxr + o, a3, 48);
    }
    for (; c < nC; c++) {
      const o = (c << 4) as usize;
      let a0 = f32x4.splat(0);
      let wj = w + o;
      for (let j = 0; j < nOut; j++) {
        a0 = madd(f32x4.splat(load<f32>(dzr + ((j << 2) as usize))), v128.load(wj), a0);
        wj += inBytes;
      }
      v128.store(dxr + o, a0);
    }
    for (let k = k0; k < nIn; k++) {
      let s: f32 = 0;
      let wj = w + ((k << 2) as usize);
      for (let j = 0; j < nOut; j++) {
        s += load<f32>(dzr + ((j << 2) as usize)) * load<f32>(wj);
        wj += inBytes;
      }
      store<f32>(dxr + ((k << 2) as usize), s);
    }
  }
}

// gw[j..j+3] += alpha · Σ_i dz[i, j..j+3] x[i] over rows i < rows, two rows at a time over their
// pair's chunk list: each gradient chunk is loaded and stored once for both rows (row i's term
// added first, then row i+1's, the order of one row at a time).
// @ts-ignore: decorator
@inline function updateRows4(gw: usize, dz: usize, x: usize, alpha: f32, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const strideBytes = (((nIn >> 2) + 1) << 2) as usize;
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
    const list = LISTS + ((i >> 1) as usize) * strideBytes + 4;
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

// The same for one row j of gw, one row of x at a time (over its pair's list).
// @ts-ignore: decorator
@inline function updateRows1(gw: usize, dz: usize, x: usize, alpha: f32, j: i32, rows: i32, nIn: i32, nOut: i32): void {
  const k0 = (nIn >> 2) << 2;
  const strideBytes = (((nIn >> 2) + 1) << 2) as usize;
  const inBytes = (nIn << 2) as usize;
  const outBytes = (nOut << 2) as usize;
  const g0 = gw + (j as usize) * inBytes;
  for (let i = 0; i < rows; i++) {
    const xr = x + (i as usize) * inBytes;
    const s0 = alpha * load<f32>(dz + (i as usize) * outBytes + ((j << 2) as usize));
    const d0 = f32x4.splat(s0);
    const list = LISTS + ((i >> 1) as usize) * strideBytes + 4;
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

// gb += alpha · column sums of dz.
// @ts-ignore: decorator
@inline function biasAdd(gb: usize, dz: usize, alpha: f32, B: i32, nOut: i32): void {
  const outBytes = (nOut << 2) as usize;
  for (let j = 0; j < nOut; j++) {
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
    for (; j < nOut; j++) {
      if (r0 == 0) decayShrink(gw + (j as usize) * inBytes, decay, shrink, nIn);
      updateRows1(gw, dzt, xt, alpha, j, rows, nIn, nOut);
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

/** y = a · y − c · sgn(y) over n floats (L2 decay and L1 shrink; sgn(0) = 0). */
// @ts-ignore: decorator
@inline function decayShrink(y: usize, a: f32, c: f32, n: i32): void {
  if (c == 0) {
    if (a != 1) scale(y, a, n);
    return;
  }
  const av = f32x4.splat(a);
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const cv = f32x4.splat(c);
  const end = y + ((n << 2) as usize);
  const vend = y + (((n >> 2) << 4) as usize);
  let yp = y;
  for (; yp < vend; yp += 16) {
    const v = v128.load(yp);
    const sgn = f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
    v128.store(yp, f32x4.sub(f32x4.mul(av, v), f32x4.mul(cv, sgn)));
  }
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

// exp over four lanes: e^x = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln2/2, and cephes'
// expf polynomial for e^r (about 1 ulp); x is clamped so 2^n stays a normal float. Adding
// 1.5·2^23 rounds x/ln2 to an integer n that then sits in the low mantissa bits.
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(88.3)), f32x4.splat(-87.3));
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // (bits of t) − (bits of magic) = n; shifted into the exponent field with its bias of 127.
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(t, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** a = 1 / (1 + e^−z) over n floats. */
export function sigmoid(a: usize, z: usize, n: i32): void {
  const one = f32x4.splat(1);
  const vend = (n >> 2) << 2;
  let i = 0;
  for (; i < vend; i += 4) {
    const o = (i << 2) as usize;
    v128.store(a + o, f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v128.load(z + o))))));
  }
  if (i < n) {
    // The last 1..3 values go through a zero-padded vector in the (idle) list scratch.
    v128.store(LISTS, f32x4.splat(0));
    memory.copy(LISTS, z + ((i << 2) as usize), ((n - i) << 2) as usize);
    v128.store(LISTS, f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v128.load(LISTS))))));
    memory.copy(a + ((i << 2) as usize), LISTS, ((n - i) << 2) as usize);
  }
}
