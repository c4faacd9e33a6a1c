// MNIST-style digit normalization: polarity both ways, cropping, aspect ratio, centring, and a real
// MNIST digit scaled up, moved and inverted coming back close to itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigitError, normalizeDigit, type GrayImage } from '../src/engine/digit-normalize';
import { loadMnistSync } from '../src/main/datasets';

function com(img: GrayImage): [number, number] {
  let m = 0,
    sx = 0,
    sy = 0;
  img.pixels.forEach((v, i) => {
    m += v;
    sx += v * (i % img.width);
    sy += v * Math.floor(i / img.width);
  });
  return [sx / m, sy / m];
}

function bbox(img: GrayImage, threshold = 0): { w: number; h: number } {
  let x0 = Infinity,
    x1 = -1,
    y0 = Infinity,
    y1 = -1;
  img.pixels.forEach((v, i) => {
    if (v <= threshold) return;
    const x = i % img.width,
      y = Math.floor(i / img.width);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  });
  return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A w×h canvas with a filled rectangle of ink at (x, y, rw, rh). */
function canvas(w: number, h: number, rects: [number, number, number, number][], ink = 255, bg = 0): number[] {
  const p = new Array(w * h).fill(bg);
  for (const [x, y, rw, rh] of rects) for (let j = y; j < y + rh; j++) for (let i = x; i < x + rw; i++) p[j * w + i] = ink;
  return p;
}

test('an off-centre digit ends up with its centre of mass at (14, 14)', () => {
  // An "L": a tall bar and a foot, far in a corner of a 200×150 image.
  const px = canvas(200, 150, [
    [150, 10, 8, 60],
    [150, 62, 40, 8],
  ]);
  const r = normalizeDigit(px, 200, 150);
  const [cx, cy] = com(r.stages.centred);
  assert.ok(Math.abs(cx - 14) < 0.15 && Math.abs(cy - 14) < 0.15, `centre of mass ${cx}, ${cy}`);
  assert.equal(r.input.length, 784);
  assert.ok(r.input.every((v) => v >= 0 && v <= 1));
  assert.equal(r.inverted, false);
  assert.deepEqual([r.stages.cropped.width, r.stages.cropped.height], [40, 60]);
});

test('the aspect ratio is kept: the longer side becomes 20', () => {
  const tall = normalizeDigit(canvas(100, 100, [[40, 10, 10, 80]]), 100, 100);
  assert.deepEqual([tall.stages.fitted.width, tall.stages.fitted.height], [3, 20]);
  const wide = normalizeDigit(canvas(300, 100, [[20, 8, 240, 84]]), 300, 100);
  assert.deepEqual([wide.stages.fitted.width, wide.stages.fitted.height], [20, 7]);
  const b = bbox(wide.stages.centred, 64);
  assert.ok(b.w >= 19 && b.w <= 21 && b.h >= 6 && b.h <= 8, `centred ink box ${b.w}×${b.h}`);
});

test('a tiny drawing is scaled up with interpolation, not blocks', () => {
  const r = normalizeDigit(
    canvas(8, 8, [
      [2, 1, 2, 6],
      [4, 5, 2, 2],
    ]),
    8,
    8,
  );
  assert.equal(r.stages.fitted.height, 20);
  // Linear interpolation leaves intermediate grey levels at the edges of a 4×-enlarged stroke.
  const greys = r.stages.centred.pixels.filter((v) => v > 20 && v < 235).length;
  assert.ok(greys > 10, `only ${greys} grey pixels`);
});

test('polarity: dark ink on light paper and light ink on dark give the same input', () => {
  const light = canvas(
    120,
    90,
    [
      [30, 20, 12, 50],
      [42, 58, 30, 12],
    ],
    255,
    0,
  );
  const dark = light.map((v) => 255 - v);
  const a = normalizeDigit(light, 120, 90);
  const b = normalizeDigit(dark, 120, 90);
  assert.equal(a.inverted, false);
  assert.equal(b.inverted, true);
  assert.deepEqual([...b.input], [...a.input]);
  // A grey photo: pencil (90) on paper (200) still becomes full-contrast ink on black.
  const photo = canvas(
    120,
    90,
    [
      [30, 20, 12, 50],
      [42, 58, 30, 12],
    ],
    90,
    200,
  );
  const c = normalizeDigit(photo, 120, 90);
  assert.equal(c.inverted, true);
  assert.ok(Math.max(...c.input) > 0.99);
  assert.ok(Math.abs(c.input.reduce((s, v) => s + v, 0) - a.input.reduce((s, v) => s + v, 0)) < 1);
});

test('a real MNIST test digit, scaled ×3, moved off-centre and inverted, normalizes back close to itself', () => {
  const m = loadMnistSync();
  let total = 0;
  const n = 20;
  for (let d = 0; d < n; d++) {
    const orig = m.test.images.subarray(d * 784, d * 784 + 784);
    // Nearest-neighbour ×3 into a 150×120 white page at (50, 20), dark ink.
    const W = 150,
      H = 120;
    const page = new Array(W * H).fill(255);
    for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) page[(20 + y) * W + 50 + x] = 255 - orig[Math.floor(y / 3) * 28 + Math.floor(x / 3)];
    const r = normalizeDigit(page, W, H);
    assert.equal(r.inverted, true);
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(r.input[i] - orig[i] / 255);
    const meanDiff = diff / 784;
    total += meanDiff;
    assert.ok(meanDiff < 0.06, `test digit ${d}: mean |difference| ${meanDiff.toFixed(3)}`);
  }
  assert.ok(total / n < 0.035, `mean |difference| over ${n} digits ${(total / n).toFixed(3)}`);
});

test('a digit that is already MNIST-shaped comes back nearly unchanged', () => {
  const m = loadMnistSync();
  let total = 0;
  for (let d = 0; d < 20; d++) {
    const orig = m.test.images.subarray(d * 784, d * 784 + 784);
    const r = normalizeDigit(orig, 28, 28);
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(r.input[i] - orig[i] / 255);
    assert.ok(diff / 784 < 0.06, `test digit ${d}: mean |difference| ${diff / 784}`);
    total += diff / 784;
  }
  assert.ok(total / 20 < 0.035, `mean |difference| ${total / 20}`);
});

test('blank and malformed images are refused with one clear line', () => {
  const refused = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof DigitError && pattern.test(e.message) && !e.message.includes('\n'));
  refused(() => normalizeDigit(new Array(100).fill(0), 10, 10), /blank/);
  refused(() => normalizeDigit(new Array(100).fill(255), 10, 10), /blank/);
  refused(() => normalizeDigit(canvas(50, 50, [[10, 10, 5, 5]], 140, 128), 50, 50), /blank/);
  refused(() => normalizeDigit([1, 2, 3], 2, 2), /needs 4 pixels, got 3/);
  refused(() => normalizeDigit([], 0, 0), /positive whole pixels/);
  refused(() => normalizeDigit([0, NaN, 0, 0], 2, 2), /pixel 1 is not a number/);
});

test('a huge input keeps only a display-sized raw stage', () => {
  const r = normalizeDigit(canvas(1000, 800, [[400, 200, 60, 400]]), 1000, 800);
  assert.ok(r.stages.raw.width <= 280 && r.stages.raw.height <= 280);
  assert.equal(r.stages.raw.pixels.length, r.stages.raw.width * r.stages.raw.height);
});

test('a name given for messages prefixes the refusal', () => {
  assert.throws(
    () => normalizeDigit(new Array(16).fill(9), 4, 4, 'blank.png'),
    (e: unknown) => e instanceof DigitError && /^blank\.png: no digit found/.test(e.message),
  );
});
