// Augmentation kernels: identities, shifts, mass, seeds, and the fast elastic field against the
// literal Simard recipe (the DCT identity exactly; the displacement statistics within tolerance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Augmenter, augmentInto } from '../src/engine/augment';
import type { AugmentSampler } from '../src/engine/augment';
import { controlPoints, dctBasis, elasticModes, shiftCopy, smoothingSpectrum } from '../src/engine/augment-field';
import { augmentReference, gaussianSmoothReference, transformReference } from '../src/engine/augment-reference';
import { Rng } from '../src/engine/rng';
import { firstN, loadIdxPair, loadMnistSync } from '../src/main/datasets';
import type { Augmentation } from '../src/engine/hyperparams';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ExpandError, augmentPreviewPng, expandDataset, labelsPathFor } from '../src/main/augment-files';

const OFF: Augmentation = { rotateDeg: 0, shiftPx: 0, elasticAlpha: 0, elasticSigmaPx: 4 };
const mnist = loadMnistSync();
const digits = (n: number) => mnist.test.images.subarray(0, n * 784);
/** Both samplers, WebAssembly and JavaScript, give the same bytes. */
const SAMPLERS: AugmentSampler[] = ['wasm', 'js'];

function mass(img: Uint8Array, i = 0): number {
  let s = 0;
  for (let k = 0; k < 784; k++) s += img[i * 784 + k];
  return s;
}

test('everything off, rotation by 0 and elastic alpha 0 are the identity', () => {
  const src = digits(50);
  for (const spec of [OFF, { ...OFF, rotateDeg: 0 }, { ...OFF, elasticAlpha: 0, elasticSigmaPx: 2 }]) {
    const out = new Uint8Array(src.length);
    augmentInto(out, src, 50, spec, new Rng(3));
    assert.deepEqual(out, new Uint8Array(src));
  }
  // The resampling path itself (not the copy shortcut) is exact at angle 0 and zero displacement:
  // an elastic field of vanishing alpha changes nothing.
  const out = new Uint8Array(src.length);
  augmentInto(out, src, 50, { ...OFF, elasticAlpha: 1e-9 }, new Rng(3));
  assert.deepEqual(out, new Uint8Array(src));
});

test('a shift moves the ink by exactly one pixel in one of four directions (or not at all)', () => {
  const src = digits(1);
  const seen = new Set<string>();
  const a = new Augmenter({ ...OFF, shiftPx: 1 });
  const rng = new Rng(7);
  const out = new Uint8Array(784);
  const expected = new Uint8Array(784);
  for (let t = 0; t < 60; t++) {
    a.transform(out, 0, src, 0, rng);
    const match = [
      [0, 0],
      [0, -1],
      [0, 1],
      [-1, 0],
      [1, 0],
    ].find(([sx, sy]) => {
      shiftCopy(expected, 0, src, 0, sx, sy);
      return out.every((v, i) => v === expected[i]);
    });
    assert.ok(match, 'output is not the image shifted by one pixel');
    seen.add(match.join(','));
  }
  assert.equal(seen.size, 5, `expected all five choices in 60 draws, saw ${[...seen].join(' ')}`);
  // Concretely: shifting right by one moves the ink's leftmost column from c to c + 1.
  const left = (img: Uint8Array) => Math.min(...[...img.keys()].filter((i) => img[i] > 0).map((i) => i % 28));
  shiftCopy(expected, 0, src, 0, 1, 0);
  assert.equal(left(expected), left(src) + 1);
  assert.equal(mass(expected), mass(src));
});

test('shift up to 3 pixels covers distances 1..3', () => {
  const src = digits(1);
  const a = new Augmenter({ ...OFF, shiftPx: 3 });
  const rng = new Rng(11);
  const out = new Uint8Array(784);
  const tmp = new Uint8Array(784);
  const dists = new Set<number>();
  for (let t = 0; t < 200; t++) {
    a.transform(out, 0, src, 0, rng);
    for (let d = 0; d <= 3; d++) {
      for (const [sx, sy] of [
        [d, 0],
        [-d, 0],
        [0, d],
        [0, -d],
      ]) {
        shiftCopy(tmp, 0, src, 0, sx, sy);
        if (tmp.every((v, i) => v === out[i])) dists.add(d);
      }
    }
  }
  assert.deepEqual([...dists].sort(), [0, 1, 2, 3]);
});

test('rotation keeps the ink mass within 5% per digit and 1.5% on average', () => {
  const n = 200;
  const src = digits(n);
  const out = new Uint8Array(src.length);
  augmentInto(out, src, n, { ...OFF, rotateDeg: 15 }, new Rng(5));
  let changed = 0;
  let ratioSum = 0;
  for (let i = 0; i < n; i++) {
    const r = mass(out, i) / mass(src, i);
    assert.ok(r > 0.95 && r < 1.05, `digit ${i}: mass ratio ${r.toFixed(3)}`);
    ratioSum += r;
    if (out.subarray(i * 784, i * 784 + 784).some((v, k) => v !== src[i * 784 + k])) changed++;
  }
  assert.ok(Math.abs(ratioSum / n - 1) < 0.015, `mean mass ratio ${ratioSum / n}`);
  assert.ok(changed > n * 0.9, `only ${changed} of ${n} digits changed`);
});

test('rotation turns the ink about the centre: its centre of mass barely moves', () => {
  const n = 100;
  const src = digits(n);
  const out = new Uint8Array(src.length);
  augmentInto(out, src, n, { ...OFF, rotateDeg: 15 }, new Rng(9));
  const com = (img: Uint8Array, i: number) => {
    let m = 0,
      x = 0,
      y = 0;
    for (let k = 0; k < 784; k++) {
      const v = img[i * 784 + k];
      m += v;
      x += v * (k % 28);
      y += v * Math.floor(k / 28);
    }
    return [x / m, y / m];
  };
  for (let i = 0; i < n; i++) {
    const [x0, y0] = com(src, i);
    const [x1, y1] = com(out, i);
    // A point at distance r from the centre moves by at most 2·r·sin(7.5°) ≈ 0.26·r.
    const r = Math.hypot(x0 - 13.5, y0 - 13.5);
    assert.ok(Math.hypot(x1 - x0, y1 - y0) <= 0.27 * r + 0.3, `digit ${i} centre of mass moved too far`);
  }
});

test('the same seed gives the same transforms; another seed gives others', () => {
  const spec: Augmentation = { rotateDeg: 15, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 4 };
  const src = digits(20);
  const a = new Uint8Array(src.length);
  const b = new Uint8Array(src.length);
  const c = new Uint8Array(src.length);
  augmentInto(a, src, 20, spec, new Rng(42));
  augmentInto(b, src, 20, spec, new Rng(42));
  augmentInto(c, src, 20, spec, new Rng(43));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  // Each image gets its own transform: two copies of one digit come out different.
  const twice = new Uint8Array(2 * 784);
  twice.set(src.subarray(0, 784));
  twice.set(src.subarray(0, 784), 784);
  const o = new Uint8Array(2 * 784);
  augmentInto(o, twice, 2, spec, new Rng(1));
  assert.notDeepEqual(o.subarray(0, 784), o.subarray(784));
});

test('transforming in place gives the same result as into another buffer', () => {
  for (const spec of [
    { ...OFF, shiftPx: 2 },
    { rotateDeg: 15, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 4 },
  ]) {
    for (const sampler of SAMPLERS) {
      const src = new Uint8Array(digits(30));
      const out = new Uint8Array(src.length);
      new Augmenter(spec, { sampler }).transformAll(out, src, 30, new Rng(4));
      new Augmenter(spec, { sampler }).transformAll(src, src, 30, new Rng(4));
      assert.deepEqual(src, out, sampler);
    }
  }
});

test('the DCT spectrum reproduces the literal reflected Gaussian smoothing exactly', () => {
  for (const sigma of [1.5, 4, 9]) {
    const rng = new Rng(2);
    const u = new Float64Array(784).map(() => 2 * rng.uniform() - 1);
    const literal = Float64Array.from(u);
    gaussianSmoothReference(literal, 28, sigma);
    // S = Φᵀ Λ Φ U Φᵀ Λ Φ with all 28 modes.
    const phi = dctBasis();
    const lam = smoothingSpectrum(sigma);
    const g = new Float64Array(784); // G = Φᵀ Λ Φ
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        let s = 0;
        for (let m = 0; m < 28; m++) s += phi[m * 28 + y] * lam[m] * phi[m * 28 + x];
        g[y * 28 + x] = s;
      }
    const gu = new Float64Array(784);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        let s = 0;
        for (let k = 0; k < 28; k++) s += g[y * 28 + k] * u[k * 28 + x];
        gu[y * 28 + x] = s;
      }
    let maxErr = 0;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        let s = 0;
        for (let k = 0; k < 28; k++) s += gu[y * 28 + k] * g[x * 28 + k];
        maxErr = Math.max(maxErr, Math.abs(s - literal[y * 28 + x]));
      }
    assert.ok(maxErr < 1e-12, `sigma ${sigma}: max error ${maxErr}`);
  }
  assert.equal(elasticModes(4), 7);
  assert.equal(controlPoints(4), 10);
  assert.equal(controlPoints(1), 28);
});

/**
 * Displacement statistics read off a transformed gradient image: src(x, y) = 8x + 10, so a pixel
 * that sampled the source at qx reads 8·qx + 10 (bilinear is exact on a linear ramp).
 */
function displacementStats(run: (out: Uint8Array, src: Uint8Array, rng: Rng) => void, draws: number) {
  const src = new Uint8Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) src[y * 28 + x] = 8 * x + 10;
  const out = new Uint8Array(784);
  const rng = new Rng(123);
  let sq = 0,
    n = 0,
    lagProd = 0,
    lagN = 0;
  for (let t = 0; t < draws; t++) {
    run(out, src, rng);
    const d = (x: number, y: number) => (out[y * 28 + x] - 10) / 8 - x;
    for (let y = 8; y < 20; y++)
      for (let x = 8; x < 20; x++) {
        sq += d(x, y) ** 2;
        n++;
        if (x + 4 < 20) {
          lagProd += d(x, y) * d(x + 4, y);
          lagN++;
        }
      }
  }
  const variance = sq / n;
  return { rms: Math.sqrt(variance), lag4Correlation: lagProd / lagN / variance };
}

test('the fast elastic field matches the literal recipe in size and smoothness', () => {
  const spec: Augmentation = { ...OFF, elasticAlpha: 34, elasticSigmaPx: 4 };
  const fast = new Augmenter(spec);
  const f = displacementStats((out, src, rng) => fast.transform(out, 0, src, 0, rng), 400);
  const r = displacementStats((out, src, rng) => augmentReference(out, src, spec, rng), 400);
  // The literal field's displacement is ~1.7 px rms at alpha 34, sigma 4.
  assert.ok(r.rms > 1.2 && r.rms < 2.2, `reference rms ${r.rms}`);
  assert.ok(Math.abs(f.rms / r.rms - 1) < 0.1, `fast rms ${f.rms} vs reference ${r.rms}`);
  assert.ok(Math.abs(f.lag4Correlation - r.lag4Correlation) < 0.1, `lag-4 correlation ${f.lag4Correlation} vs ${r.lag4Correlation}`);
  // And a sharper field (sigma 2) is rougher in both.
  const spec2 = { ...spec, elasticSigmaPx: 2 };
  const fast2 = new Augmenter(spec2);
  const f2 = displacementStats((out, src, rng) => fast2.transform(out, 0, src, 0, rng), 200);
  const r2 = displacementStats((out, src, rng) => augmentReference(out, src, spec2, rng), 200);
  assert.ok(f2.lag4Correlation < f.lag4Correlation - 0.2);
  assert.ok(Math.abs(f2.rms / r2.rms - 1) < 0.1, `sigma 2: fast rms ${f2.rms} vs reference ${r2.rms}`);
});

test('rotation + elastic changes the ink mass as the literal recipe does (same spread)', () => {
  // Elastic fields stretch and squeeze strokes, so mass is not kept; its spread should match.
  const spec: Augmentation = { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 };
  const n = 400;
  const src = digits(n);
  const fast = new Uint8Array(src.length);
  augmentInto(fast, src, n, spec, new Rng(8));
  const ref = new Uint8Array(784);
  const rng = new Rng(8);
  const rf: number[] = [];
  const rr: number[] = [];
  for (let i = 0; i < n; i++) {
    augmentReference(ref, src.subarray(i * 784, i * 784 + 784), spec, rng);
    rf.push(mass(fast, i) / mass(src, i));
    rr.push(mass(ref) / mass(src, i));
  }
  const summary = (r: number[]) => {
    r.sort((a, b) => a - b);
    return { mean: r.reduce((a, b) => a + b) / r.length, p10: r[Math.floor(r.length * 0.1)], p90: r[Math.floor(r.length * 0.9)] };
  };
  const f = summary(rf);
  const r = summary(rr);
  assert.ok(Math.abs(f.mean - r.mean) < 0.03, `mean mass ratio ${f.mean} vs ${r.mean}`);
  assert.ok(Math.abs(f.p10 - r.p10) < 0.05 && Math.abs(f.p90 - r.p90) < 0.05, `spread ${f.p10}..${f.p90} vs ${r.p10}..${r.p90}`);
  assert.ok(r.p90 - r.p10 > 0.1, 'the distortion should visibly change some digits');
});

test('the fast transform equals its shortcut-free reference byte for byte, wherever the ink is', () => {
  // Digits as they are, digits pushed against each edge, a full ramp, single pixels, blank images:
  // the ink's box and the skipped cells must never drop a pixel the plain loop would compute.
  const n = 120;
  const imgs = new Uint8Array(digits(n));
  for (let i = 0; i < n; i += 4) {
    const img = imgs.subarray(i * 784, (i + 1) * 784);
    const copy = new Uint8Array(img);
    const [dx, dy] = [
      [5, 0],
      [-5, 0],
      [0, 5],
      [0, -5],
    ][(i / 4) % 4];
    shiftCopy(img, 0, copy, 0, dx, dy);
  }
  for (let i = 1; i < n; i += 10) for (let p = 0; p < 784; p++) imgs[i * 784 + p] = 8 * (p % 28) + 10;
  for (let i = 2; i < n; i += 10) {
    imgs.fill(0, i * 784, (i + 1) * 784);
    imgs[i * 784 + ((i * 97) % 784)] = 255;
  }
  for (let i = 3; i < n; i += 10) imgs.fill(0, i * 784, (i + 1) * 784);
  // The same images one byte off word alignment, to take the byte-by-byte copy.
  const unaligned = new Uint8Array(imgs.length + 1).subarray(1);
  unaligned.set(imgs);
  const specs: Augmentation[] = [
    { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 },
    { rotateDeg: 10, shiftPx: 2, elasticAlpha: 60, elasticSigmaPx: 2 },
    { rotateDeg: 0, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 6 },
    { rotateDeg: 90, shiftPx: 3, elasticAlpha: 0, elasticSigmaPx: 4 },
    // Samples far outside the frame on every side (the wasm sampler clamps them to its edge).
    { rotateDeg: 180, shiftPx: 3, elasticAlpha: 400, elasticSigmaPx: 3 },
  ];
  for (const spec of specs) {
    const want = new Uint8Array(imgs.length);
    const reference = new Augmenter(spec);
    const rng = new Rng(17);
    for (let i = 0; i < n; i++) transformReference(reference, want, i * 784, imgs, i * 784, rng);
    for (const sampler of SAMPLERS) {
      for (const src of [imgs, unaligned]) {
        const got = new Uint8Array(imgs.length);
        new Augmenter(spec, { sampler }).transformAll(got, src, n, new Rng(17));
        let differ = 0;
        for (let p = 0; p < got.length; p++) if (got[p] !== want[p]) differ++;
        assert.equal(differ, 0, `${JSON.stringify(spec)}, ${sampler}${src === unaligned ? ', unaligned' : ''}: ${differ} bytes differ`);
      }
    }
    assert.ok(
      want.some((v, p) => v !== imgs[p]),
      'the transform should change something',
    );
  }
});

test('the WebAssembly sampler runs here by default, and its draws and sampling map equal the JavaScript ones to the bit', () => {
  // Bytes hide a last-bit difference in the map unless a sample lands on a rounding edge, so the
  // map itself is compared: the wasm fieldMap (at most 8 modes) and the JavaScript one behind it.
  const src = new Uint8Array(digits(40));
  const specs: Augmentation[] = [
    { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 },
    { rotateDeg: 30, shiftPx: 2, elasticAlpha: 8, elasticSigmaPx: 6 },
    { rotateDeg: 0, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 2.5 },
  ];
  for (const spec of specs) {
    const wasm = new Augmenter(spec);
    const js = new Augmenter(spec, { sampler: 'js' });
    assert.equal(wasm.sampler, 'wasm');
    assert.equal(js.sampler, 'js');
    const [rw, rj] = [new Rng(9), new Rng(9)];
    const scratch = new Uint8Array(784);
    for (let i = 0; i < 40; i++) {
      assert.equal(wasm.drawMap(scratch, 0, src, i * 784, rw, true), js.drawMap(scratch, 0, src, i * 784, rj, true));
      for (let c = 0; c < wasm.qx.length; c++) {
        if (wasm.qx[c] !== js.qx[c] || wasm.qy[c] !== js.qy[c]) {
          assert.fail(`${JSON.stringify(spec)}, image ${i}, point ${c}: (${wasm.qx[c]}, ${wasm.qy[c]}) against (${js.qx[c]}, ${js.qy[c]})`);
        }
      }
    }
    // The wasm field draws its coefficients itself: the generator ends where the JavaScript one does.
    assert.deepEqual(rw.state(), rj.state());
  }
});

test('augmentInto refuses arrays that are too short', () => {
  assert.throws(() => augmentInto(new Uint8Array(784), new Uint8Array(784), 2, OFF, new Rng(1)), /need 2×784 bytes/);
});

// ---- expanding a dataset to files, and the preview sheet ----

test('expandDataset writes originals plus transformed copies as gzipped IDX, with progress', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-expand-'));
  try {
    const split = firstN(mnist.train, 2500);
    const spec: Augmentation = { ...OFF, shiftPx: 1, rotateDeg: 10 };
    const progress: number[] = [];
    const out = join(dir, 'expanded-images-idx3-ubyte.gz');
    const r = await expandDataset(split, spec, 2, out, (p) => {
      assert.equal(p.imagesTotal, 7500);
      progress.push(p.imagesDone);
    });
    assert.equal(r.count, 7500);
    assert.equal(r.labelsPath, join(dir, 'expanded-labels-idx1-ubyte.gz'));
    assert.deepEqual(progress, [1500, 3000, 4500, 6000, 7500]);
    const back = await loadIdxPair(r.imagesPath, r.labelsPath);
    assert.equal(back.count, 7500);
    for (const i of [0, 1, 2499]) {
      assert.deepEqual(back.images.subarray(3 * i * 784, (3 * i + 1) * 784), split.images.subarray(i * 784, (i + 1) * 784));
      assert.deepEqual([...back.labels.subarray(3 * i, 3 * i + 3)], [split.labels[i], split.labels[i], split.labels[i]]);
    }
    const copy = back.images.subarray(784, 2 * 784);
    assert.notDeepEqual(copy, split.images.subarray(0, 784));
    // No temporary files left behind; the same seed writes the same bytes.
    assert.deepEqual(readdirSync(dir).sort(), ['expanded-images-idx3-ubyte.gz', 'expanded-labels-idx1-ubyte.gz']);
    const again = join(dir, 'again.gz');
    await expandDataset(split, spec, 2, again);
    const a = await loadIdxPair(again, labelsPathFor(again));
    assert.deepEqual(a.images, back.images);
    assert.ok(readFileSync(labelsPathFor(again)).length > 0);
    assert.equal(labelsPathFor('/x/train.gz'), '/x/train.labels.gz');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('expandDataset refuses a missing folder and bad copy counts, leaving nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-expand-'));
  try {
    const split = firstN(mnist.train, 10);
    await assert.rejects(
      expandDataset(split, OFF, 1, join(dir, 'nope', 'x.gz')),
      (e) => e instanceof ExpandError && /folder .*nope does not exist/.test(e.message),
    );
    await assert.rejects(expandDataset(split, OFF, 0, join(dir, 'x.gz')), /copies must be a whole number from 1 to 50, got 0/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the preview is a PNG grid: the digit and its transforms, enlarged', async () => {
  const digit = mnist.test.images.subarray(0, 784);
  const spec: Augmentation = { rotateDeg: 15, shiftPx: 0, elasticAlpha: 34, elasticSigmaPx: 4 };
  const png = await augmentPreviewPng(digit, spec, 8, 1);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  // 9 tiles in 3×3, 28 px each with 2 px gaps, ×3.
  assert.deepEqual([info.width, info.height], [88 * 3, 88 * 3]);
  const tile = (t: number) => {
    const ox = (t % 3) * 30,
      oy = Math.floor(t / 3) * 30;
    const px: number[] = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) px.push(data[((oy + y) * 3 * info.width + (ox + x) * 3) * info.channels]);
    return px;
  };
  assert.deepEqual(tile(0), [...digit]);
  assert.notDeepEqual(tile(1), tile(0));
  assert.notDeepEqual(tile(1), tile(2));
  assert.deepEqual(await augmentPreviewPng(digit, spec, 8, 1), png);
  await assert.rejects(augmentPreviewPng(digit.subarray(0, 100), spec, 8, 1), /784 bytes/);
});
