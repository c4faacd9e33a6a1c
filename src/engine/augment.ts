// Augmentation kernels over 28×28 byte images: random rotation, the book's shifts (expand_mnist.py)
// and Simard-style elastic distortion, composed into ONE bilinear resampling pass per image.
//
// Output pixel p samples the source at  q(p) = R⁻¹(p − s + d(p) − c) + c,  c = (13.5, 13.5) the
// centre, R the rotation, s the shift, d the elastic displacement; outside the source is background.
// With every transform off this is an exact copy; a pure shift is an exact integer copy.
//
// Why the elastic field is cheap here. Simard's field is d = α·G·U·Gᵀ per component: U a 28×28
// field of uniform(−1, 1) noise, G the truncated Gaussian of sigma (radius round(4σ), scipy's
// default) with reflected borders. That G is diagonalised exactly by the orthonormal DCT-II basis Φ,
// with eigenvalues λ_m = g₀ + 2·Σ_j g_j·cos(πmj/28) (the tests check this against the literal
// convolution), so d = α·Φᵀ·Λ·(Φ·U·Φᵀ)·Λ·Φ. The inner C = Φ·U·Φᵀ is an orthogonal transform of
// i.i.d. noise of variance 1/3: uncorrelated entries of variance 1/3. Only its k×k low-frequency
// block survives Λ (k = 7 for σ = 4 keeps all but 1e-4 of the energy per axis), so we draw that
// block directly, as uniform(−1, 1) like Simard's noise: the same covariance, nearly the same
// (near-Gaussian) distribution, for 2k² random numbers instead of 2·784. And since d is smooth on
// the scale of σ, the whole map q is evaluated only at G×G control points (G = 10 for σ = 4, spacing
// 0.75σ; about 6% rms error in d, i.e. ~0.1 px) and interpolated linearly in between, which is exact
// for the affine part. augmentReference (augment-reference.ts) keeps the literal recipe; the tests compare the two.
//
// Measured speed and what was tried: docs/speed.md ("Augmentation").
//
// Most of a digit is background, so `transform` computes only the pixels whose source
// neighbourhood can touch the ink's bounding box, and unrolls the small products of the field;
// transformReference (augment-reference.ts) does neither and the tests require the same bytes.
// The sampling pass and fieldMap8 run in WebAssembly where the runtime has SIMD (wasm/augment.as:
// two pixels, or a point's x and y, to a vector, the same f64 arithmetic in the same order), else in
// JavaScript (`sample` and `fieldMap8` below); both give the same bytes.

import { CENTRE, N, NN, controlPoints, elasticModes, shiftCopy, smoothingSpectrum } from './augment-field';
import type { Augmentation } from './hyperparams';
import type { Rng } from './rng';
import { augmentSamplerInstance } from './wasm/wasm-backend';

/** Where an Augmenter samples: WebAssembly (where the runtime has SIMD) or JavaScript. Same bytes either way. */
export type AugmentSampler = 'wasm' | 'js';

/** The wasm sampler's instance: its sample() and the views of its memory the augmenter fills and reads. */
interface WasmSampler {
  sample(G: number, h: number, margin: number): void;
  /**
   * controlMap's draws and fieldMap8 in wasm, when the field's arrays live in its memory (at most 8
   * modes); it draws from the generator state at `rng` and leaves the state there.
   */
  fieldMap: ((k: number, G: number, alpha: number, cos: number, sin: number, sx: number, sy: number) => void) | null;
  rng: Uint32Array;
  /** Where the source image is staged, and where the result appears. */
  src: Uint8Array;
  out: Uint8Array;
}

/**
 * One augmentation spec turned into precomputed tables and scratch buffers, so transforming an
 * image allocates nothing. Not shared between threads (each worker makes its own).
 *
 * Per image: draw the angle, the shift and the field's k×k coefficients; evaluate the whole sampling
 * map q(p) at G×G control points (G = 10 for sigma 4); then per output row interpolate the control
 * rows, and along the row step q linearly between control columns, sampling bilinearly as it goes,
 * skipping control cells that map wholly outside the ink's bounding box (their pixels are 0).
 */
export class Augmenter {
  readonly spec: Augmentation;
  /** DCT modes per axis of the elastic field (0 when elastic is off). */
  readonly modes: number;
  /** Control points per axis. */
  readonly grid: number;
  /** The padded source: 30 rows of 32 bytes (see transform), and the same memory as words. */
  private readonly img32 = new Uint32Array(8 * 31);
  private readonly img = new Uint8Array(this.img32.buffer);
  /** OR of the source's rows, as words and as bytes: which columns hold ink. */
  private readonly cols32 = new Uint32Array(7);
  private readonly colBytes = new Uint8Array(this.cols32.buffer);
  /** Per control cell (row-major, (G−1)²) and per band of cells: may it map onto ink? */
  private readonly cellIn: Uint8Array;
  private readonly bandIn: Uint8Array;
  /** Outcode of each control point against the ink's box (which sides it lies beyond). */
  private readonly side: Uint8Array;
  /** Rounding allowance when bounding a cell's samples by its corners (grows with the field's size). */
  private readonly margin: number;
  /** A word view of the last source buffer, for copying rows 4 bytes at a time. */
  private srcBuffer: ArrayBufferLike | null = null;
  private src32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private readonly copy = new Uint8Array(NN);
  /** Control point positions, 0 .. 27 evenly. */
  readonly ctrlPos: Float64Array;
  /**
   * Row length of basis and C: k, or 8 when k ≤ 8 (zero-padded for the unrolled fieldMap8).
   * The general loops run where it equals k.
   */
  private readonly stride: number;
  /** basis[i*stride + a] = φ_a(ctrlPos[i])·λ_a */
  private readonly basis: Float64Array;
  private readonly cx: Float64Array;
  private readonly cy: Float64Array;
  /** tx[a*G + j] = Σ_b C[a][b]·basis[j*stride + b], for both components */
  private readonly tx: Float64Array;
  private readonly ty: Float64Array;
  /** The sampling map at the control points, qx and qy, G×G each. */
  readonly qx: Float64Array;
  readonly qy: Float64Array;
  /** For each output row: the control row at or above it, and the weight of the next one. */
  readonly rowSeg: Int32Array;
  readonly rowFrac: Float64Array;
  /** Output columns where each control segment starts (segStart[G-1] = 28). */
  readonly segStart: Int32Array;
  /** The spacing of the control points, 27 / (G − 1) pixels. */
  private readonly spacing: number;

  /** Which sampler transform() uses. */
  readonly sampler: AugmentSampler;
  private readonly wasm: WasmSampler | null = null;

  /** `sampler` 'js' forces the JavaScript sampler; by default the WebAssembly one runs where it can. */
  constructor(spec: Augmentation, options: { sampler?: AugmentSampler } = {}) {
    this.spec = { ...spec };
    const elastic = spec.elasticAlpha > 0;
    const k = elastic ? elasticModes(spec.elasticSigmaPx) : 0;
    const G = controlPoints(elastic ? spec.elasticSigmaPx : null);
    this.modes = k;
    this.grid = G;
    this.ctrlPos = new Float64Array(G);
    for (let i = 0; i < G; i++) this.ctrlPos[i] = (i * (N - 1)) / (G - 1);
    const st = k > 8 ? k : 8;
    this.stride = st;
    const instance = options.sampler === 'js' ? null : augmentSamplerInstance();
    if (options.sampler === 'wasm' && !instance) throw new Error('augment: the WebAssembly sampler cannot run here (no WebAssembly SIMD)');
    this.sampler = instance ? 'wasm' : 'js';
    // With the wasm sampler, the map and its tables live in its memory, where drawMap writes them;
    // so do the field's coefficients and basis when it has at most 8 modes (the wasm fieldMap's case).
    const mem = instance?.buffer;
    const at = (name: string): number => (instance?.exports[name] as { value: number }).value;
    const field = mem && st === 8 ? mem : undefined;
    this.basis = field ? new Float64Array(field, at('BASIS'), G * st) : new Float64Array(G * st);
    if (elastic) {
      const lam = smoothingSpectrum(spec.elasticSigmaPx);
      for (let i = 0; i < G; i++) {
        for (let a = 0; a < k; a++) {
          const phi = Math.sqrt((a === 0 ? 1 : 2) / N) * Math.cos((Math.PI * a * (this.ctrlPos[i] + 0.5)) / N);
          this.basis[i * st + a] = phi * lam[a];
        }
      }
    }
    this.cx = field ? new Float64Array(field, at('CX'), st * st) : new Float64Array(st * st);
    this.cy = field ? new Float64Array(field, at('CY'), st * st) : new Float64Array(st * st);
    this.tx = new Float64Array(st * G);
    this.ty = new Float64Array(st * G);
    this.qx = mem ? new Float64Array(mem, at('QX'), G * G) : new Float64Array(G * G);
    this.qy = mem ? new Float64Array(mem, at('QY'), G * G) : new Float64Array(G * G);
    this.rowSeg = mem ? new Int32Array(mem, at('ROWSEG'), N) : new Int32Array(N);
    this.rowFrac = mem ? new Float64Array(mem, at('ROWFRAC'), N) : new Float64Array(N);
    this.segStart = mem ? new Int32Array(mem, at('SEGSTART'), G) : new Int32Array(G);
    const h = (N - 1) / (G - 1);
    this.spacing = h;
    for (let y = 0; y < N; y++) {
      const s = Math.min(Math.floor(y / h), G - 2);
      this.rowSeg[y] = s;
      this.rowFrac[y] = (y - this.ctrlPos[s]) / h;
    }
    for (let s = 0; s < G - 1; s++) this.segStart[s] = Math.ceil(this.ctrlPos[s] - 1e-9);
    this.segStart[G - 1] = N;
    this.cellIn = new Uint8Array((G - 1) * (G - 1));
    this.bandIn = new Uint8Array(G - 1);
    this.side = new Uint8Array(G * G);
    this.margin = 1e-6 * (1 + spec.elasticAlpha + spec.shiftPx);
    if (instance && mem) {
      new Float64Array(mem, at('CTRLPOS'), G).set(this.ctrlPos);
      this.wasm = {
        sample: instance.exports.sample as WasmSampler['sample'],
        fieldMap: field ? (instance.exports.fieldMap as WasmSampler['fieldMap']) : null,
        rng: new Uint32Array(mem, at('RNG'), 4),
        src: new Uint8Array(mem, at('SRC'), NN),
        out: new Uint8Array(mem, at('OUT'), NN),
      };
    }
  }

  /** The last image's drawn transform (for labelling a preview): rotation in degrees, integer shift, elastic or not. */
  readonly last = { angleDeg: 0, shiftX: 0, shiftY: 0 };

  /** Transforms the 784 bytes of src at srcOffset into out at outOffset (in place is fine). */
  transform(out: Uint8Array, outOffset: number, src: Uint8Array, srcOffset: number, rng: Rng): void {
    if (!this.drawMap(out, outOffset, src, srcOffset, rng, true)) return;
    const wasm = this.wasm;
    if (!wasm) {
      this.sample(out, outOffset, src, srcOffset);
      return;
    }
    // The map is already in the sampler's memory (qx, qy are views of it); stage the source, sample, copy back.
    wasm.src.set(src.subarray(srcOffset, srcOffset + NN));
    wasm.sample(this.grid, this.spacing, this.margin);
    out.set(wasm.out, outOffset);
  }

  /**
   * Draws this image's transform. A pure shift (or nothing) is done right here, as an exact
   * integer copy, and returns false; otherwise the sampling map is left at the control points
   * (`map`) and it returns true. `unrolled` false takes the general loops (the reference's way).
   */
  drawMap(out: Uint8Array, outOffset: number, src: Uint8Array, srcOffset: number, rng: Rng, unrolled: boolean): boolean {
    const spec = this.spec;
    // The order of draws is fixed: angle, shift, field. Same seed, same transforms.
    const angle = spec.rotateDeg > 0 ? ((2 * rng.uniform() - 1) * spec.rotateDeg * Math.PI) / 180 : 0;
    let sx = 0;
    let sy = 0;
    if (spec.shiftPx > 0) {
      // As sampling expand_mnist.py's expanded set: the image itself or one of four shifted copies.
      const dir = rng.int(5);
      const dist = spec.shiftPx === 1 ? 1 : 1 + rng.int(spec.shiftPx);
      if (dir === 1) sy = -dist;
      else if (dir === 2) sy = dist;
      else if (dir === 3) sx = -dist;
      else if (dir === 4) sx = dist;
    }
    this.last.angleDeg = (angle * 180) / Math.PI;
    this.last.shiftX = sx;
    this.last.shiftY = sy;
    if (angle === 0 && this.modes === 0) {
      if (out.buffer === src.buffer) {
        // In place (or overlapping): shift from a copy, since shiftCopy reads rows it has written.
        const copy = this.copy;
        for (let i = 0; i < NN; i++) copy[i] = src[srcOffset + i];
        shiftCopy(out, outOffset, copy, 0, sx, sy);
      } else {
        shiftCopy(out, outOffset, src, srcOffset, sx, sy);
      }
      return false;
    }
    this.controlMap(angle, sx, sy, rng, unrolled);
    return true;
  }

  /**
   * Samples the source along the map at the control points, skipping what is surely background:
   * only output pixels whose source neighbourhood can touch the ink's bounding box are computed.
   */
  private sample(out: Uint8Array, outOffset: number, src: Uint8Array, srcOffset: number): void {
    // The source, padded: row fy of the padded frame starts at byte fy·32 and padded column fx is
    // byte fx + 3, so every row has zero bytes on both sides and rows 0 and 29 are zero.
    const img = this.img;
    const img32 = this.img32;
    const cols = this.cols32;
    let rmin = N;
    let rmax = -1;
    const byteAt = src.byteOffset + srcOffset;
    if ((byteAt & 3) === 0) {
      if (this.srcBuffer !== src.buffer) {
        this.srcBuffer = src.buffer;
        this.src32 = new Uint32Array(src.buffer, 0, src.buffer.byteLength >>> 2);
      }
      const src32 = this.src32;
      // Seven words a row; their OR down the rows tells which columns hold ink.
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0,
        c4 = 0,
        c5 = 0,
        c6 = 0;
      for (let y = 0, w = byteAt >>> 2, d = 9; y < N; y++, w += 7, d += 8) {
        const v0 = src32[w],
          v1 = src32[w + 1],
          v2 = src32[w + 2],
          v3 = src32[w + 3];
        const v4 = src32[w + 4],
          v5 = src32[w + 5],
          v6 = src32[w + 6];
        img32[d] = v0;
        img32[d + 1] = v1;
        img32[d + 2] = v2;
        img32[d + 3] = v3;
        img32[d + 4] = v4;
        img32[d + 5] = v5;
        img32[d + 6] = v6;
        c0 |= v0;
        c1 |= v1;
        c2 |= v2;
        c3 |= v3;
        c4 |= v4;
        c5 |= v5;
        c6 |= v6;
        if ((v0 | v1 | v2 | v3 | v4 | v5 | v6) !== 0) {
          if (y < rmin) rmin = y;
          rmax = y;
        }
      }
      cols[0] = c0;
      cols[1] = c1;
      cols[2] = c2;
      cols[3] = c3;
      cols[4] = c4;
      cols[5] = c5;
      cols[6] = c6;
    } else {
      // Not word-aligned: byte by byte.
      const colBytes = this.colBytes;
      colBytes.fill(0);
      for (let y = 0; y < N; y++) {
        const so = srcOffset + y * N;
        const d = (y + 1) * 32 + 4;
        let any = 0;
        for (let x = 0; x < N; x++) {
          const v = src[so + x];
          img[d + x] = v;
          colBytes[x] |= v;
          any |= v;
        }
        if (any !== 0) {
          if (y < rmin) rmin = y;
          rmax = y;
        }
      }
    }
    if (rmax < 0) {
      out.fill(0, outOffset, outOffset + NN);
      return;
    }
    const colBytes = this.colBytes;
    let cmin = 0;
    while (cmin < N && colBytes[cmin] === 0) cmin++;
    let cmax = N - 1;
    while (cmax > cmin && colBytes[cmax] === 0) cmax--;
    // In the padded frame the ink spans columns cmin+1 .. cmax+1; a sample at qx can touch it only
    // if cmin <= qx < cmax + 2 (likewise rows); everywhere else the result is exactly 0.
    const loX = cmin;
    const hiX = cmax + 2;
    const loY = rmin;
    const hiY = rmax + 2;
    // Samples in a control cell lie between its corners' values, up to rounding; the margin covers that.
    const margin = this.margin;
    const loXs = loX - margin;
    const hiXs = hiX + margin;
    const loYs = loY - margin;
    const hiYs = hiY + margin;
    const G = this.grid;
    const qxs = this.qx;
    const qys = this.qy;
    // A control cell whose four corners all map to one side of the ink's box maps wholly outside
    // it (the map is interpolated between them), so all its pixels are background: skip them.
    // Each control point gets a bit per side it lies beyond (Cohen-Sutherland outcodes); a cell is
    // outside when its corners share a bit.
    const side = this.side;
    for (let c = 0; c < G * G; c++) {
      const x = qxs[c] + 1;
      const y = qys[c] + 1;
      side[c] = (x < loXs ? 1 : 0) | (x >= hiXs ? 2 : 0) | (y < loYs ? 4 : 0) | (y >= hiYs ? 8 : 0);
    }
    const cellIn = this.cellIn;
    const bandIn = this.bandIn;
    for (let b = 0; b < G - 1; b++) {
      let band = 0;
      for (let s = 0; s < G - 1; s++) {
        const c = b * G + s;
        const inside = (side[c] & side[c + 1] & side[c + G] & side[c + G + 1]) === 0 ? 1 : 0;
        cellIn[b * (G - 1) + s] = inside;
        band |= inside;
      }
      bandIn[b] = band;
    }
    out.fill(0, outOffset, outOffset + NN);
    const segStart = this.segStart;
    const ctrlPos = this.ctrlPos;
    const h = this.spacing;
    for (let y = 0; y < N; y++) {
      const band = this.rowSeg[y];
      if (bandIn[band] === 0) continue;
      // The map along this row at the control columns, between two control rows; each column's
      // value is computed only when a cell next to it is needed.
      const r0 = band * G;
      const t = this.rowFrac[y];
      const oo = outOffset + y * N;
      const cells = band * (G - 1);
      let have = -1;
      let lx = 0;
      let ly = 0;
      for (let s = 0; s < G - 1; s++) {
        if (cellIn[cells + s] === 0) continue;
        const c = r0 + s;
        if (have !== s) {
          lx = qxs[c] + t * (qxs[c + G] - qxs[c]);
          ly = qys[c] + t * (qys[c + G] - qys[c]);
        }
        const rxs = qxs[c + 1] + t * (qxs[c + G + 1] - qxs[c + 1]);
        const rys = qys[c + 1] + t * (qys[c + G + 1] - qys[c + 1]);
        const x0 = segStart[s];
        const x1 = segStart[s + 1];
        const stepX = (rxs - lx) / h;
        const stepY = (rys - ly) / h;
        // Sampling coordinates are in the padded frame (+1).
        let qx = lx + (x0 - ctrlPos[s]) * stepX + 1;
        let qy = ly + (x0 - ctrlPos[s]) * stepY + 1;
        lx = rxs;
        ly = rys;
        have = s + 1;
        for (let x = x0; x < x1; x++, qx += stepX, qy += stepY) {
          if (qx >= loX && qx < hiX && qy >= loY && qy < hiY) {
            const fx = qx | 0;
            const fy = qy | 0;
            const ax = qx - fx;
            const i = fy * 32 + fx + 3;
            const p00 = img[i];
            const p01 = img[i + 1];
            const p10 = img[i + 32];
            const p11 = img[i + 33];
            const top = p00 + ax * (p01 - p00);
            out[oo + x] = (top + (qy - fy) * (p10 + ax * (p11 - p10) - top) + 0.5) | 0;
          }
        }
      }
    }
  }

  /**
   * The sampling map at the control points: q = R⁻¹(p − s + d(p) − c) + c, with d built from freshly
   * drawn coefficients. They are uniform(−α, α): Simard's noise, in the DCT domain, with the same
   * variance (each displacement is a weighted sum of k² of them, so close to Gaussian, as his is).
   */
  private controlMap(angle: number, sx: number, sy: number, rng: Rng, unrolled: boolean): void {
    const k = this.modes;
    const G = this.grid;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const pos = this.ctrlPos;
    const qxs = this.qx;
    const qys = this.qy;
    if (k === 0) {
      for (let i = 0; i < G; i++) {
        for (let j = 0; j < G; j++) {
          const u = pos[j] - sx - CENTRE;
          const w = pos[i] - sy - CENTRE;
          qxs[i * G + j] = cos * u + sin * w + CENTRE;
          qys[i * G + j] = -sin * u + cos * w + CENTRE;
        }
      }
      return;
    }
    const alpha = this.spec.elasticAlpha;
    const cx = this.cx;
    const cy = this.cy;
    const st = this.stride;
    const wasm = unrolled && st === 8 ? this.wasm : null;
    if (wasm?.fieldMap) {
      // The same draws, in wasm, from the generator's state handed over and back.
      rng.writeState(wasm.rng);
      wasm.fieldMap(k, G, alpha, cos, sin, sx, sy);
      rng.readState(wasm.rng);
      return;
    }
    // Two coefficients per 32 random bits: 16 bits of resolution is plenty for noise.
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const bits = rng.nextU32();
        cx[a * st + b] = alpha * ((bits & 0xffff) / 32768 - 1);
        cy[a * st + b] = alpha * ((bits >>> 16) / 32768 - 1);
      }
    }
    if (unrolled && st === 8) {
      this.fieldMap8(cos, sin, sx, sy);
      return;
    }
    const basis = this.basis;
    const tx = this.tx;
    const ty = this.ty;
    // T = C·Bᵀ (k×G), then d = B·T (G×G), for both components. The control points are symmetric
    // about the centre and φ_a(27 − y) = (−1)^a·φ_a(y), so each mirrored pair of points shares its
    // even-mode and odd-mode partial sums: half the multiply-adds.
    const half = (G + 1) >> 1;
    for (let a = 0; a < k; a++) {
      for (let j = 0; j < half; j++) {
        let evenX = 0;
        let evenY = 0;
        let oddX = 0;
        let oddY = 0;
        for (let b = 0; b < k; b += 2) {
          const bb = basis[j * st + b];
          evenX += cx[a * st + b] * bb;
          evenY += cy[a * st + b] * bb;
        }
        for (let b = 1; b < k; b += 2) {
          const bb = basis[j * st + b];
          oddX += cx[a * st + b] * bb;
          oddY += cy[a * st + b] * bb;
        }
        tx[a * G + j] = evenX + oddX;
        ty[a * G + j] = evenY + oddY;
        tx[a * G + G - 1 - j] = evenX - oddX;
        ty[a * G + G - 1 - j] = evenY - oddY;
      }
    }
    for (let i = 0; i < half; i++) {
      const m = G - 1 - i;
      for (let j = 0; j < G; j++) {
        let evenX = 0;
        let evenY = 0;
        let oddX = 0;
        let oddY = 0;
        for (let a = 0; a < k; a += 2) {
          const bb = basis[i * st + a];
          evenX += bb * tx[a * G + j];
          evenY += bb * ty[a * G + j];
        }
        for (let a = 1; a < k; a += 2) {
          const bb = basis[i * st + a];
          oddX += bb * tx[a * G + j];
          oddY += bb * ty[a * G + j];
        }
        const u = pos[j] - sx - CENTRE;
        const wi = pos[i] - sy - CENTRE;
        const wm = pos[m] - sy - CENTRE;
        const u1 = u + evenX + oddX;
        const w1 = wi + evenY + oddY;
        qxs[i * G + j] = cos * u1 + sin * w1 + CENTRE;
        qys[i * G + j] = -sin * u1 + cos * w1 + CENTRE;
        const u2 = u + evenX - oddX;
        const w2 = wm + evenY - oddY;
        qxs[m * G + j] = cos * u2 + sin * w2 + CENTRE;
        qys[m * G + j] = -sin * u2 + cos * w2 + CENTRE;
      }
    }
  }

  /**
   * controlMap's two products for k ≤ 8 modes, unrolled over 8 (the missing modes are zero rows
   * and columns of C and B, which add exact zeros). Each sum is formed in the same order as the
   * general loops, so the map is the same to the bit.
   */
  private fieldMap8(cos: number, sin: number, sx: number, sy: number): void {
    const k = this.modes;
    const G = this.grid;
    const pos = this.ctrlPos;
    const qxs = this.qx;
    const qys = this.qy;
    const cx = this.cx;
    const cy = this.cy;
    const basis = this.basis;
    const tx = this.tx;
    const ty = this.ty;
    const half = (G + 1) >> 1;
    for (let a = 0; a < k; a++) {
      const c = a * 8;
      const x0 = cx[c],
        x1 = cx[c + 1],
        x2 = cx[c + 2],
        x3 = cx[c + 3],
        x4 = cx[c + 4],
        x5 = cx[c + 5],
        x6 = cx[c + 6],
        x7 = cx[c + 7];
      const y0 = cy[c],
        y1 = cy[c + 1],
        y2 = cy[c + 2],
        y3 = cy[c + 3],
        y4 = cy[c + 4],
        y5 = cy[c + 5],
        y6 = cy[c + 6],
        y7 = cy[c + 7];
      const o = a * G;
      for (let j = 0; j < half; j++) {
        const p = j * 8;
        const b0 = basis[p],
          b1 = basis[p + 1],
          b2 = basis[p + 2],
          b3 = basis[p + 3];
        const b4 = basis[p + 4],
          b5 = basis[p + 5],
          b6 = basis[p + 6],
          b7 = basis[p + 7];
        const evenX = x0 * b0 + x2 * b2 + x4 * b4 + x6 * b6;
        const oddX = x1 * b1 + x3 * b3 + x5 * b5 + x7 * b7;
        const evenY = y0 * b0 + y2 * b2 + y4 * b4 + y6 * b6;
        const oddY = y1 * b1 + y3 * b3 + y5 * b5 + y7 * b7;
        tx[o + j] = evenX + oddX;
        ty[o + j] = evenY + oddY;
        tx[o + G - 1 - j] = evenX - oddX;
        ty[o + G - 1 - j] = evenY - oddY;
      }
    }
    const G2 = 2 * G,
      G3 = 3 * G,
      G4 = 4 * G,
      G5 = 5 * G,
      G6 = 6 * G,
      G7 = 7 * G;
    for (let i = 0; i < half; i++) {
      const m = G - 1 - i;
      const p = i * 8;
      const b0 = basis[p],
        b1 = basis[p + 1],
        b2 = basis[p + 2],
        b3 = basis[p + 3];
      const b4 = basis[p + 4],
        b5 = basis[p + 5],
        b6 = basis[p + 6],
        b7 = basis[p + 7];
      const wi = pos[i] - sy - CENTRE;
      const wm = pos[m] - sy - CENTRE;
      for (let j = 0; j < G; j++) {
        const evenX = b0 * tx[j] + b2 * tx[G2 + j] + b4 * tx[G4 + j] + b6 * tx[G6 + j];
        const oddX = b1 * tx[G + j] + b3 * tx[G3 + j] + b5 * tx[G5 + j] + b7 * tx[G7 + j];
        const evenY = b0 * ty[j] + b2 * ty[G2 + j] + b4 * ty[G4 + j] + b6 * ty[G6 + j];
        const oddY = b1 * ty[G + j] + b3 * ty[G3 + j] + b5 * ty[G5 + j] + b7 * ty[G7 + j];
        const u = pos[j] - sx - CENTRE;
        const u1 = u + evenX + oddX;
        const w1 = wi + evenY + oddY;
        qxs[i * G + j] = cos * u1 + sin * w1 + CENTRE;
        qys[i * G + j] = -sin * u1 + cos * w1 + CENTRE;
        const u2 = u + evenX - oddX;
        const w2 = wm + evenY - oddY;
        qxs[m * G + j] = cos * u2 + sin * w2 + CENTRE;
        qys[m * G + j] = -sin * u2 + cos * w2 + CENTRE;
      }
    }
  }

  /** Transforms `count` consecutive images of src into out (both count×784 bytes). */
  transformAll(out: Uint8Array, src: Uint8Array, count: number, rng: Rng, onProgress?: (done: number) => void): void {
    if (src.length < count * NN || out.length < count * NN) {
      throw new RangeError(`augment: need ${count}×784 bytes, got src ${src.length} and out ${out.length}`);
    }
    for (let i = 0; i < count; i++) {
      this.transform(out, i * NN, src, i * NN, rng);
      if (onProgress && (i & 1023) === 1023) onProgress(i + 1);
    }
    onProgress?.(count);
  }
}

/** Augments `count` images of src into out with fresh random transforms from rng. */
export function augmentInto(out: Uint8Array, src: Uint8Array, count: number, spec: Augmentation, rng: Rng): void {
  new Augmenter(spec).transformAll(out, src, count, rng);
}
