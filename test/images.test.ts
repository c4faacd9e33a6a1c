// Image decoding and encoding through sharp, on fixtures made in the test: PNG and JPEG, both
// polarities, transparency, and every kind of non-image refused with one line naming the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MAX_IMAGE_INPUT_PIXELS as MAX_INPUT_PIXELS } from '../src/shared/limits';
import { ImageError, decodeImageBuffer, decodeImageFile, encodePng } from '../src/main/images';
import { normalizeGrayImage } from '../src/engine/digit-normalize';
import { loadMnistSync } from '../src/main/datasets';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-images-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A W×H gray canvas with a bar of ink. */
function bar(W: number, H: number, ink: number, bg: number): Buffer {
  const b = Buffer.alloc(W * H, bg);
  for (let y = Math.floor(H * 0.2); y < Math.floor(H * 0.8); y++) for (let x = Math.floor(W * 0.45); x < Math.floor(W * 0.55); x++) b[y * W + x] = ink;
  return b;
}

function refused(e: unknown, pattern: RegExp): boolean {
  assert.ok(e instanceof ImageError, `expected ImageError, got ${e}`);
  assert.ok(!e.message.includes('\n'), `more than one line: ${e.message}`);
  assert.match(e.message, pattern);
  return true;
}

test('a gray PNG decodes to exactly its pixels', async () => {
  const raw = bar(40, 30, 255, 0);
  const png = await sharp(raw, { raw: { width: 40, height: 30, channels: 1 } })
    .png()
    .toBuffer();
  const path = join(dir, 'bar.png');
  writeFileSync(path, png);
  const g = await decodeImageFile(path);
  assert.equal(g.width, 40);
  assert.equal(g.height, 30);
  assert.deepEqual(g.pixels, [...raw]);
});

test('a colour JPEG of a real MNIST digit, dark on light, predicts-ready after normalization', async () => {
  const digit = loadMnistSync().test.images.subarray(0, 784);
  const rgb = Buffer.alloc(784 * 3);
  for (let i = 0; i < 784; i++) {
    const v = 255 - digit[i];
    rgb[3 * i] = v;
    rgb[3 * i + 1] = v;
    rgb[3 * i + 2] = Math.min(255, v + 20);
  }
  const jpeg = await sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } })
    .resize(112, 112)
    .jpeg({ quality: 90 })
    .toBuffer();
  const path = join(dir, 'seven.jpg');
  writeFileSync(path, jpeg);
  const g = await decodeImageFile(path);
  assert.deepEqual([g.width, g.height], [112, 112]);
  assert.ok(g.pixels[0] > 200, 'background should be light');
  const n = normalizeGrayImage(g);
  assert.equal(n.inverted, true);
  let diff = 0;
  for (let i = 0; i < 784; i++) diff += Math.abs(n.input[i] - digit[i] / 255);
  assert.ok(diff / 784 < 0.06, `mean |difference| from the MNIST original ${diff / 784}`);
});

test('a dark-on-light PNG keeps its polarity for the normalizer to detect', async () => {
  const png = await sharp(bar(50, 50, 20, 240), { raw: { width: 50, height: 50, channels: 1 } })
    .png()
    .toBuffer();
  const g = await decodeImageBuffer(png, 'dark.png');
  assert.equal(g.pixels[0], 240);
  assert.equal(normalizeGrayImage(g).inverted, true);
});

test('transparency: dark strokes land on white, light strokes on black', async () => {
  for (const [ink, expectBg] of [
    [0, 255],
    [255, 0],
  ] as const) {
    const rgba = Buffer.alloc(30 * 30 * 4, 0);
    for (let y = 5; y < 25; y++) for (let x = 13; x < 17; x++) rgba.set([ink, ink, ink, 255], (y * 30 + x) * 4);
    const png = await sharp(rgba, { raw: { width: 30, height: 30, channels: 4 } })
      .png()
      .toBuffer();
    const g = await decodeImageBuffer(png, 'alpha.png');
    assert.equal(g.pixels[0], expectBg, `ink ${ink}: background`);
    assert.equal(g.pixels[10 * 30 + 14], ink, `ink ${ink}: stroke`);
    const n = normalizeGrayImage(g);
    assert.ok(Math.max(...n.input) > 0.9, 'the stroke survives normalization');
  }
});

test('not images, empty files, folders and missing files are refused with one line naming the file', async () => {
  const text = join(dir, 'notes.png');
  writeFileSync(text, 'this is not a picture\n');
  await assert.rejects(decodeImageFile(text), (e) => refused(e, /notes\.png: not an image/));
  const empty = join(dir, 'empty.jpg');
  writeFileSync(empty, '');
  await assert.rejects(decodeImageFile(empty), (e) => refused(e, /empty\.jpg: empty file/));
  await assert.rejects(decodeImageFile(join(dir, 'missing.png')), (e) => refused(e, /missing\.png: no such file/));
  mkdirSync(join(dir, 'folder.png'));
  await assert.rejects(decodeImageFile(join(dir, 'folder.png')), (e) => refused(e, /folder\.png: is a folder/));
  // A truncated PNG: the header is fine, the pixel data is cut short.
  const png = await sharp(bar(64, 64, 255, 0), { raw: { width: 64, height: 64, channels: 1 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  await assert.rejects(decodeImageBuffer(png.subarray(0, png.length >> 1), 'cut.png'), (e) => refused(e, /^cut\.png: /));
  // SVG is an image sharp could render, but not one we accept.
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>');
  await assert.rejects(decodeImageBuffer(svg, 'drawing.svg'), (e) => refused(e, /drawing\.svg: unsupported format svg/));
});

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

test('a decompression bomb (huge dimensions in a tiny file) is refused before decoding', async () => {
  const png = Buffer.from(
    await sharp(Buffer.alloc(16), { raw: { width: 4, height: 4, channels: 1 } })
      .png()
      .toBuffer(),
  );
  // IHDR starts at byte 8: length(4) "IHDR"(4) width(4) height(4) ...; then its CRC over type+data.
  png.writeUInt32BE(60_000, 16);
  png.writeUInt32BE(60_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  await assert.rejects(decodeImageBuffer(png, 'bomb.png'), (e) => refused(e, /bomb\.png: 60000×60000 pixels is more than the limit of 25 megapixels/));
  assert.equal(MAX_INPUT_PIXELS, 25_000_000);
});

test('encodePng round-trips a gray image, optionally enlarged', async () => {
  const gray = { width: 3, height: 2, pixels: [0, 128, 255, 10, 20, 300] };
  const png = await encodePng(gray);
  const back = await decodeImageBuffer(png, 'x.png');
  assert.deepEqual(back.pixels, [0, 128, 255, 10, 20, 255]);
  const big = await decodeImageBuffer(await encodePng(gray, 4), 'big.png');
  assert.deepEqual([big.width, big.height], [12, 8]);
  assert.equal(big.pixels[4 * 12 + 11], 255);
  await assert.rejects(encodePng({ width: 2, height: 2, pixels: [1] }), /2×2 image has 1 pixels/);
});

test('a large photo is shrunk while decoding, keeping its aspect ratio', async () => {
  const W = 3000,
    H = 1500;
  const png = await sharp(bar(W, H, 0, 230), { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toBuffer();
  const g = await decodeImageBuffer(png, 'photo.png');
  assert.deepEqual([g.width, g.height], [1024, 512]);
  assert.equal(g.pixels.length, 1024 * 512);
  assert.equal(normalizeGrayImage(g).inverted, true);
});
