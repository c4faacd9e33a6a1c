// The IDX parser and writer on small hand-made files: round trip, and every malformed file refused
// with one line that names the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdxError, checkPair, encodeIdxImages, encodeIdxLabels, parseIdxImages, parseIdxLabels } from '../src/engine/idx';

function oneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IdxError, `expected IdxError, got ${e}`);
    assert.ok(!e.message.includes('\n'), `message is more than one line: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('images and labels round-trip through the writer and the parser', () => {
  const pixels = new Uint8Array(3 * 2 * 4).map((_, i) => i * 7);
  const file = encodeIdxImages(pixels, 3, 2, 4);
  assert.deepEqual([...file.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4]);
  const img = parseIdxImages(file, 'x');
  assert.equal(img.count, 3);
  assert.equal(img.rows, 2);
  assert.equal(img.cols, 4);
  assert.deepEqual([...img.pixels], [...pixels]);
  const labels = parseIdxLabels(encodeIdxLabels(Uint8Array.of(0, 9, 3)), 'y');
  assert.deepEqual([...labels], [0, 9, 3]);
  checkPair(img, labels, 'x', 'y');
});

test('parser returns a view of the input, not a copy', () => {
  const file = encodeIdxImages(new Uint8Array(4), 1, 2, 2);
  const img = parseIdxImages(file);
  assert.equal(img.pixels.buffer, file.buffer);
  assert.equal(img.pixels.byteOffset, 16);
});

test('wrong magic is refused, naming what the file is', () => {
  const labels = encodeIdxLabels(Uint8Array.of(1, 2));
  oneLine(() => parseIdxImages(labels, 'a.idx'), /^a\.idx: wrong magic number 0x00000801 \(an IDX labels file\), expected 0x00000803/);
  const images = encodeIdxImages(new Uint8Array(4), 1, 2, 2);
  oneLine(() => parseIdxLabels(images, 'b.idx'), /^b\.idx: wrong magic .*0x00000801/);
  oneLine(() => parseIdxImages(new TextEncoder().encode('<html>hello</html>'), 'c'), /^c: wrong magic/);
});

test('empty, truncated and overlong files are refused', () => {
  oneLine(() => parseIdxImages(new Uint8Array(0), 'e'), /^e: empty file/);
  oneLine(() => parseIdxImages(Uint8Array.of(0, 0, 8), 'e'), /truncated IDX header/);
  oneLine(() => parseIdxImages(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1, 0, 0), 'e'), /truncated IDX header \(10 of 16 bytes\)/);
  const full = encodeIdxImages(new Uint8Array(2 * 28 * 28), 2, 28, 28);
  oneLine(() => parseIdxImages(full.subarray(0, full.length - 1), 't'), /^t: truncated: header promises 2×28×28 = 1568 data bytes, file has 1567/);
  const longer = new Uint8Array(full.length + 3);
  longer.set(full);
  oneLine(() => parseIdxImages(longer, 't'), /3 unexpected bytes after/);
});

test('bad dimensions and labels are refused', () => {
  oneLine(() => parseIdxImages(encodeIdxImages(new Uint8Array(0), 0, 28, 28), 'z'), /holds no images/);
  oneLine(() => parseIdxImages(encodeIdxImages(new Uint8Array(32 * 32), 1, 32, 32), 'm', 28), /32×32 pixels, expected 28×28/);
  oneLine(() => parseIdxLabels(encodeIdxLabels(Uint8Array.of(3, 10)), 'l'), /^l: label 1 is 10, expected 0\.\.9/);
  // A header promising billions of bytes is refused before anything is allocated.
  const huge = Uint8Array.of(0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28);
  oneLine(() => parseIdxImages(huge, 'h'), /larger than the limit/);
});

test('an images/labels count mismatch is refused', () => {
  const img = parseIdxImages(encodeIdxImages(new Uint8Array(3 * 4), 3, 2, 2));
  oneLine(() => checkPair(img, Uint8Array.of(1, 2), 'imgs', 'labs'), /^imgs has 3 images but labs has 2 labels$/);
});

test('the writer refuses pixels that do not match the dimensions', () => {
  oneLine(() => encodeIdxImages(new Uint8Array(5), 1, 2, 2), /5 bytes is not 1×2×2/);
});
