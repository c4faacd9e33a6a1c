// The augmentation's sampling pass and field map in WebAssembly (AssemblyScript; compiled by scripts/build-wasm.mjs,
// which feeds this file to asc as a .ts source — it is not TypeScript the project's tsc can check).
//
// The same arithmetic as Augmenter's JavaScript sampler and fieldMap8 (src/engine/augment.ts), in
// f64 and in the same order, so it gives the same bytes: wasm never fuses a multiply and an add, and
// neither does JavaScript. The loader (augment.ts) draws each image's transform (its coefficients
// into CX and CY), has fieldMap() write the sampling map at the control points into QX and QY (or
// writes it itself), stages the source image at SRC, calls sample() and reads OUT.
//
// The pixels go two at a time, as the two lanes of f64x2 vectors: each lane does exactly the scalar
// arithmetic, and lanes never mix. The scalar sampler tests each pixel against the ink's bounding
// box; here every pixel of a cell that may touch the ink is computed, its coordinates clamped to the
// padded frame [0, 29]. That changes no byte: a sample outside the box (clamped or not) reads only
// zero pixels, and 0 + a·0 + 0.5 truncates to 0, the value the scalar sampler leaves there.
//
// The memory is one page, laid out below (byte offsets); the grid has at most 28 × 28 points.

// @ts-ignore: decorator
@inline const N: i32 = 28;
// @ts-ignore: decorator
@inline const MAX_G: i32 = 28;
/** The source image, 784 bytes (word-aligned), staged by the loader. */
export const SRC: usize = 0;
/** The result, 784 bytes. */
export const OUT: usize = 1024;
/**
 * The padded source: rows of 32 bytes, padded column fx at byte fx + 3, the image in rows 1 .. 28;
 * rows 0, 29 and 30 and every row's other bytes stay zero (a sample clamped to 29 reads row 30).
 */
// @ts-ignore: decorator
@inline const IMG: usize = 2048;
/** OR of the source's rows: which columns hold ink (28 bytes). */
// @ts-ignore: decorator
@inline const COLS: usize = IMG + 1024;
/** Outcode of each control point against the ink's box. */
// @ts-ignore: decorator
@inline const SIDE: usize = COLS + 32;
/** Per control cell (row-major, (G−1)²) and per band of cells: may it map onto ink? */
// @ts-ignore: decorator
@inline const CELLIN: usize = SIDE + MAX_G * MAX_G;
// @ts-ignore: decorator
@inline const BANDIN: usize = CELLIN + MAX_G * MAX_G;
/** For each output row: the control row at or above it (i32), and the weight of the next one (f64). */
export const ROWSEG: usize = 8192;
export const ROWFRAC: usize = ROWSEG + 4 * MAX_G;
/** Output columns where each control segment starts (i32, segStart[G-1] = 28), and the control positions (f64). */
export const SEGSTART: usize = ROWFRAC + 8 * MAX_G;
export const CTRLPOS: usize = SEGSTART + 4 * MAX_G;
/** The sampling map at the control points, G × G f64 each. */
export const QX: usize = 16384;
export const QY: usize = QX + 8 * MAX_G * MAX_G;
/**
 * The elastic field's coefficients (k × 8 f64 each, row a at a·8, zero beyond k, written by the
 * loader per image), the basis at the control points (G × 8 f64, written once), and the products
 * T = C·Bᵀ of fieldMap, as (x, y) pairs: 8 × G of them, rows k .. 7 staying zero.
 */
export const CX: usize = 36864;
/** The epoch's random generator (xoshiro128**, as Rng), four u32 the loader copies in and out around fieldMap. */
export const RNG: usize = CX - 16;
export const CY: usize = CX + 8 * 8 * 8;
export const BASIS: usize = CY + 8 * 8 * 8;
// @ts-ignore: decorator
@inline const TXY: usize = BASIS + 8 * 8 * MAX_G;
/** One output row's pixels to compute: their sampling coordinates (f64) and output addresses (i32), 28 + 1 each. */
// @ts-ignore: decorator
@inline const RQX: usize = 32768;
// @ts-ignore: decorator
@inline const RQY: usize = RQX + 8 * 32;
// @ts-ignore: decorator
@inline const RAT: usize = RQY + 8 * 32;
/** Where the odd row's spare lane writes its (zero) result. */
// @ts-ignore: decorator
@inline const SPARE: usize = RAT + 4 * 32;
/**
 * The sampling loop's vector constants, stored once a call: a load each inside the loop, where V8
 * would rebuild each one there from immediates (three instructions apiece).
 */
// @ts-ignore: decorator
@inline const CONSTS: usize = SPARE + 16;

/**
 * Samples SRC along the map at the control points into OUT, computing only the pixels of the control
 * cells that may map onto the ink's bounding box (the rest are background, exactly 0).
 * G control points per axis, h = 27 / (G − 1), margin the rounding allowance of the cell test.
 */
export function sample(G: i32, h: f64, margin: f64): void {
  // The padded copy, seven words a row, and which rows and columns hold ink.
  let rmin: i32 = N;
  let rmax: i32 = -1;
  let c0: u32 = 0,
    c1: u32 = 0,
    c2: u32 = 0,
    c3: u32 = 0,
    c4: u32 = 0,
    c5: u32 = 0,
    c6: u32 = 0;
  for (let y: i32 = 0; y < N; y++) {
    const s = SRC + <usize>(y * 28);
    const d = IMG + <usize>((y + 1) * 32 + 4);
    const v0 = load<u32>(s),
      v1 = load<u32>(s, 4),
      v2 = load<u32>(s, 8),
      v3 = load<u32>(s, 12),
      v4 = load<u32>(s, 16),
      v5 = load<u32>(s, 20),
      v6 = load<u32>(s, 24);
    store<u32>(d, v0);
    store<u32>(d, v1, 4);
    store<u32>(d, v2, 8);
    store<u32>(d, v3, 12);
    store<u32>(d, v4, 16);
    store<u32>(d, v5, 20);
    store<u32>(d, v6, 24);
    c0 |= v0;
    c1 |= v1;
    c2 |= v2;
    c3 |= v3;
    c4 |= v4;
    c5 |= v5;
    c6 |= v6;
    if ((v0 | v1 | v2 | v3 | v4 | v5 | v6) != 0) {
      if (y < rmin) rmin = y;
      rmax = y;
    }
  }
  memory.fill(OUT, 0, 784);
  if (rmax < 0) return;
  store<u32>(COLS, c0);
  store<u32>(COLS, c1, 4);
  store<u32>(COLS, c2, 8);
  store<u32>(COLS, c3, 12);
  store<u32>(COLS, c4, 16);
  store<u32>(COLS, c5, 20);
  store<u32>(COLS, c6, 24);
  let cmin: i32 = 0;
  while (cmin < N && load<u8>(COLS + <usize>cmin) == 0) cmin++;
  let cmax: i32 = N - 1;
  while (cmax > cmin && load<u8>(COLS + <usize>cmax) == 0) cmax--;
  // In the padded frame the ink spans columns cmin+1 .. cmax+1; a sample at qx can touch it only
  // if cmin <= qx < cmax + 2 (likewise rows). Samples in a control cell lie between its corners'
  // values, up to rounding; the margin covers that.
  const loXs = <f64>cmin - margin;
  const hiXs = <f64>(cmax + 2) + margin;
  const loYs = <f64>rmin - margin;
  const hiYs = <f64>(rmax + 2) + margin;
  // A control cell whose four corners all lie beyond one side of the ink's box maps wholly outside
  // it: its pixels are background. Each control point gets a bit per side it lies beyond.
  const GG = G * G;
  for (let c: i32 = 0; c < GG; c++) {
    const x = load<f64>(QX + (<usize>c << 3)) + 1;
    const y = load<f64>(QY + (<usize>c << 3)) + 1;
    store<u8>(SIDE + <usize>c, (x < loXs ? 1 : 0) | (x >= hiXs ? 2 : 0) | (y < loYs ? 4 : 0) | (y >= hiYs ? 8 : 0));
  }
  const G1 = G - 1;
  for (let b: i32 = 0; b < G1; b++) {
    let band: u8 = 0;
    for (let s: i32 = 0; s < G1; s++) {
      const c = SIDE + <usize>(b * G + s);
      const inside: u8 = (load<u8>(c) & load<u8>(c, 1) & load<u8>(c + <usize>G) & load<u8>(c + <usize>G, 1)) == 0 ? 1 : 0;
      store<u8>(CELLIN + <usize>(b * G1 + s), inside);
      band |= inside;
    }
    store<u8>(BANDIN + <usize>b, band);
  }
  const zero = f64x2.splat(0);
  // 2^52 + m for an integer 0 <= m < 2^32 holds m in its low 32 bits: whole numbers in f64 lanes
  // become i32 lanes 0 and 2 with one add, where trunc_sat takes four instructions on x64.
  v128.store(CONSTS, f64x2.splat(29));
  v128.store(CONSTS, f64x2.splat(0.5), 16);
  v128.store(CONSTS, f64x2.splat(4503599627370496.0), 32);
  v128.store(CONSTS, f64x2.splat(4503599627370496.0 + <f64>(<i32>IMG + 3)), 48);
  v128.store(CONSTS, f64x2.splat(32), 64);
  for (let y: i32 = 0; y < N; y++) {
    const band = load<i32>(ROWSEG + (<usize>y << 2));
    if (load<u8>(BANDIN + <usize>band) == 0) continue;
    // The map along this row at the control columns, between two control rows; each column's value
    // is computed only when a cell next to it is needed. Then q steps linearly along each segment.
    const r0 = band * G;
    const t = load<f64>(ROWFRAC + (<usize>y << 3));
    const oo = OUT + <usize>(y * N);
    const cells = CELLIN + <usize>(band * G1);
    let have: i32 = -1;
    let lx: f64 = 0;
    let ly: f64 = 0;
    let n: usize = 0;
    for (let s: i32 = 0; s < G1; s++) {
      if (load<u8>(cells + <usize>s) == 0) continue;
      const px = QX + (<usize>(r0 + s) << 3);
      const py = QY + (<usize>(r0 + s) << 3);
      const gb = <usize>G << 3;
      if (have != s) {
        const ax0 = load<f64>(px);
        const ay0 = load<f64>(py);
        lx = ax0 + t * (load<f64>(px + gb) - ax0);
        ly = ay0 + t * (load<f64>(py + gb) - ay0);
      }
      const bx0 = load<f64>(px, 8);
      const by0 = load<f64>(py, 8);
      const rxs = bx0 + t * (load<f64>(px + gb, 8) - bx0);
      const rys = by0 + t * (load<f64>(py + gb, 8) - by0);
      const x0 = load<i32>(SEGSTART + (<usize>s << 2));
      const x1 = load<i32>(SEGSTART + (<usize>s << 2), 4);
      const stepX = (rxs - lx) / h;
      const stepY = (rys - ly) / h;
      // Sampling coordinates are in the padded frame (+1).
      const off = <f64>x0 - load<f64>(CTRLPOS + (<usize>s << 3));
      let qx = lx + off * stepX + 1;
      let qy = ly + off * stepY + 1;
      lx = rxs;
      ly = rys;
      have = s + 1;
      for (let x = x0; x < x1; x++, qx += stepX, qy += stepY) {
        store<f64>(RQX + (n << 3), qx);
        store<f64>(RQY + (n << 3), qy);
        store<i32>(RAT + (n << 2), <i32>(oo + <usize>x));
        n++;
      }
    }
    if (n & 1) {
      store<f64>(RQX + (n << 3), 0);
      store<f64>(RQY + (n << 3), 0);
      store<i32>(RAT + (n << 2), <i32>SPARE);
    }
    // Two pixels at a time: clamp to the padded frame, split into whole and fractional parts (the
    // clamped coordinates are >= 0, so floor is trunc), read the four neighbours of each (one byte
    // into each of four vectors, two short chains apiece), interpolate, round.
    for (let j: usize = 0; j < n; j += 2) {
      const edge = v128.load(CONSTS);
      const half = v128.load(CONSTS, 16);
      const magic = v128.load(CONSTS, 32);
      const addressBase = v128.load(CONSTS, 48);
      const rowBytes = v128.load(CONSTS, 64);
      const cx = f64x2.pmax(zero, f64x2.pmin(edge, v128.load(RQX + (j << 3))));
      const cy = f64x2.pmax(zero, f64x2.pmin(edge, v128.load(RQY + (j << 3))));
      const fx = f64x2.floor(cx);
      const fy = f64x2.floor(cy);
      const ax = f64x2.sub(cx, fx);
      const ay = f64x2.sub(cy, fy);
      // fy·32 + fx + IMG + 3, exact in f64, read as integers.
      const at = f64x2.add(f64x2.add(f64x2.mul(fy, rowBytes), fx), addressBase);
      const ia = <usize>i32x4.extract_lane(at, 0);
      const ib = <usize>i32x4.extract_lane(at, 2);
      // Each neighbour's bytes for the two pixels as i32 lanes 0 and 1.
      const p00 = f64x2.convert_low_i32x4_s(v128.load8_lane(ib, v128.load8_lane(ia, zero, 0), 4));
      const p01 = f64x2.convert_low_i32x4_s(v128.load8_lane(ib + 1, v128.load8_lane(ia + 1, zero, 0), 4));
      const p10 = f64x2.convert_low_i32x4_s(v128.load8_lane(ib + 32, v128.load8_lane(ia + 32, zero, 0), 4));
      const p11 = f64x2.convert_low_i32x4_s(v128.load8_lane(ib + 33, v128.load8_lane(ia + 33, zero, 0), 4));
      const top = f64x2.add(p00, f64x2.mul(ax, f64x2.sub(p01, p00)));
      const bottom = f64x2.add(p10, f64x2.mul(ax, f64x2.sub(p11, p10)));
      // value + 0.5 >= 0: floor is trunc; its byte is the low byte of the magic sum.
      const r = f64x2.add(f64x2.floor(f64x2.add(f64x2.add(top, f64x2.mul(ay, f64x2.sub(bottom, top))), half)), magic);
      store<u8>(<usize>load<i32>(RAT + (j << 2)), i8x16.extract_lane_u(r, 0));
      store<u8>(<usize>load<i32>(RAT + (j << 2), 4), i8x16.extract_lane_u(r, 8));
    }
  }
}

// @ts-ignore: decorator
@inline const CENTRE: f64 = 13.5;

/**
 * The sampling map at the control points, q = R⁻¹(p − s + d(p) − c) + c, for a field of at most 8
 * modes, with its coefficients freshly drawn: Augmenter.controlMap's draws and fieldMap8's
 * arithmetic, with each (x, y) pair of sums as the two lanes of a vector. Every sum is formed in
 * the same order, so the map is the same to the bit.
 */
export function fieldMap(k: i32, G: i32, alpha: f64, cos: f64, sin: f64, sx: f64, sy: f64): void {
  // The coefficients first, drawn as Augmenter.controlMap draws them: uniform(−α, α), two to each
  // 32 random bits, row by row; the generator's state stays at RNG for the loader.
  let s0 = load<u32>(RNG);
  let s1 = load<u32>(RNG, 4);
  let s2 = load<u32>(RNG, 8);
  let s3 = load<u32>(RNG, 12);
  for (let a: i32 = 0; a < k; a++) {
    for (let b: i32 = 0; b < k; b++) {
      const bits = rotl<u32>(s1 * 5, 7) * 9;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl<u32>(s3, 11);
      const o = <usize>((a << 3) + b) << 3;
      store<f64>(CX + o, alpha * (<f64>(bits & 0xffff) / 32768 - 1));
      store<f64>(CY + o, alpha * (<f64>(bits >>> 16) / 32768 - 1));
    }
  }
  store<u32>(RNG, s0);
  store<u32>(RNG, s1, 4);
  store<u32>(RNG, s2, 8);
  store<u32>(RNG, s3, 12);
  const half = (G + 1) >> 1;
  const gb = <usize>G << 4;
  // T = C·Bᵀ; the control points are symmetric about the centre and φ_a(27 − y) = (−1)^a·φ_a(y),
  // so a mirrored pair of points shares its even-mode and odd-mode partial sums.
  for (let a: i32 = 0; a < k; a++) {
    const cx = CX + (<usize>a << 6);
    const cy = CY + (<usize>a << 6);
    const c0 = f64x2.replace_lane(f64x2.splat(load<f64>(cx)), 1, load<f64>(cy));
    const c1 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 8)), 1, load<f64>(cy, 8));
    const c2 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 16)), 1, load<f64>(cy, 16));
    const c3 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 24)), 1, load<f64>(cy, 24));
    const c4 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 32)), 1, load<f64>(cy, 32));
    const c5 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 40)), 1, load<f64>(cy, 40));
    const c6 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 48)), 1, load<f64>(cy, 48));
    const c7 = f64x2.replace_lane(f64x2.splat(load<f64>(cx, 56)), 1, load<f64>(cy, 56));
    const row = TXY + <usize>a * gb;
    for (let j: i32 = 0; j < half; j++) {
      const b = BASIS + (<usize>j << 6);
      const even = f64x2.add(
        f64x2.add(f64x2.add(f64x2.mul(c0, f64x2.splat(load<f64>(b))), f64x2.mul(c2, f64x2.splat(load<f64>(b, 16)))), f64x2.mul(c4, f64x2.splat(load<f64>(b, 32)))),
        f64x2.mul(c6, f64x2.splat(load<f64>(b, 48))),
      );
      const odd = f64x2.add(
        f64x2.add(f64x2.add(f64x2.mul(c1, f64x2.splat(load<f64>(b, 8))), f64x2.mul(c3, f64x2.splat(load<f64>(b, 24)))), f64x2.mul(c5, f64x2.splat(load<f64>(b, 40)))),
        f64x2.mul(c7, f64x2.splat(load<f64>(b, 56))),
      );
      v128.store(row + (<usize>j << 4), f64x2.add(even, odd));
      v128.store(row + (<usize>(G - 1 - j) << 4), f64x2.sub(even, odd));
    }
  }
  // d = B·T, then the rotation about the centre.
  const rx = f64x2.replace_lane(f64x2.splat(cos), 1, -sin);
  const ry = f64x2.replace_lane(f64x2.splat(sin), 1, cos);
  const centre = f64x2.splat(CENTRE);
  for (let i: i32 = 0; i < half; i++) {
    const m = G - 1 - i;
    const b = BASIS + (<usize>i << 6);
    const b0 = f64x2.splat(load<f64>(b)),
      b1 = f64x2.splat(load<f64>(b, 8)),
      b2 = f64x2.splat(load<f64>(b, 16)),
      b3 = f64x2.splat(load<f64>(b, 24)),
      b4 = f64x2.splat(load<f64>(b, 32)),
      b5 = f64x2.splat(load<f64>(b, 40)),
      b6 = f64x2.splat(load<f64>(b, 48)),
      b7 = f64x2.splat(load<f64>(b, 56));
    const wi = load<f64>(CTRLPOS + (<usize>i << 3)) - sy - CENTRE;
    const wm = load<f64>(CTRLPOS + (<usize>m << 3)) - sy - CENTRE;
    for (let j: i32 = 0; j < G; j++) {
      const t = TXY + (<usize>j << 4);
      const even = f64x2.add(
        f64x2.add(f64x2.add(f64x2.mul(b0, v128.load(t)), f64x2.mul(b2, v128.load(t + 2 * gb))), f64x2.mul(b4, v128.load(t + 4 * gb))),
        f64x2.mul(b6, v128.load(t + 6 * gb)),
      );
      const odd = f64x2.add(
        f64x2.add(f64x2.add(f64x2.mul(b1, v128.load(t + gb)), f64x2.mul(b3, v128.load(t + 3 * gb))), f64x2.mul(b5, v128.load(t + 5 * gb))),
        f64x2.mul(b7, v128.load(t + 7 * gb)),
      );
      const u = load<f64>(CTRLPOS + (<usize>j << 3)) - sx - CENTRE;
      const p1 = f64x2.add(f64x2.add(f64x2.replace_lane(f64x2.splat(u), 1, wi), even), odd);
      const p2 = f64x2.sub(f64x2.add(f64x2.replace_lane(f64x2.splat(u), 1, wm), even), odd);
      // (cos·u + sin·w + c, −sin·u + cos·w + c) for each point.
      const q1 = f64x2.add(f64x2.add(f64x2.mul(rx, f64x2.splat(f64x2.extract_lane(p1, 0))), f64x2.mul(ry, f64x2.splat(f64x2.extract_lane(p1, 1)))), centre);
      const q2 = f64x2.add(f64x2.add(f64x2.mul(rx, f64x2.splat(f64x2.extract_lane(p2, 0))), f64x2.mul(ry, f64x2.splat(f64x2.extract_lane(p2, 1)))), centre);
      const o1 = <usize>(i * G + j) << 3;
      const o2 = <usize>(m * G + j) << 3;
      store<f64>(QX + o1, f64x2.extract_lane(q1, 0));
      store<f64>(QY + o1, f64x2.extract_lane(q1, 1));
      store<f64>(QX + o2, f64x2.extract_lane(q2, 0));
      store<f64>(QY + o2, f64x2.extract_lane(q2, 1));
    }
  }
}
