// The MNIST loader against the facts in ../shared/mnist/README.md, the book's split, views that do
// not copy, and bad files in a temporary folder each refused with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_IDX_BYTES } from '../src/shared/limits';
import { IdxError, firstN, loadIdxPair, loadMnist, loadMnistSync, readIdxBytes, readIdxBytesSync, splitFromIdx } from '../src/main/datasets';
import { mnistDir, modelsDir, repoRoot, resourcesDir } from '../src/main/paths';
import { encodeIdxImages, encodeIdxLabels } from '../src/engine/idx';
import type { DataSplit } from '../src/engine/data';

function perDigit(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

function meanPixel(...splits: DataSplit[]): number {
  let sum = 0;
  let n = 0;
  for (const s of splits) {
    for (const v of s.images) sum += v;
    n += s.images.length;
  }
  return sum / n;
}

test('bundled MNIST matches the README facts and the book split', () => {
  const m = loadMnistSync();
  assert.equal(m.train.count, 50_000);
  assert.equal(m.validation.count, 10_000);
  assert.equal(m.test.count, 10_000);
  assert.equal(m.train.images.length, 50_000 * 784);
  assert.equal(m.validation.labels.length, 10_000);
  const trainAll = perDigit(m.train.labels).map((c, d) => c + perDigit(m.validation.labels)[d]);
  assert.deepEqual(trainAll, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(perDigit(m.test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(meanPixel(m.train, m.validation).toFixed(3), '33.318');
  assert.equal(meanPixel(m.test).toFixed(3), '33.791');
  // The first training image is a 5, the first test image a 7 (as in the book).
  assert.equal(m.train.labels[0], 5);
  assert.equal(m.test.labels[0], 7);
});

test('the bundled files are byte-identical to the official ones (md5 from the README)', () => {
  const md5: Record<string, string> = {
    'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
  };
  for (const [name, sum] of Object.entries(md5)) {
    assert.equal(
      createHash('md5')
        .update(readFileSync(join(mnistDir(), name)))
        .digest('hex'),
      sum,
      name,
    );
  }
});

test('splits live in SharedArrayBuffers; validation is a view after train; loads are cached', async () => {
  const m = loadMnistSync();
  assert.ok(m.train.images.buffer instanceof SharedArrayBuffer);
  assert.ok(m.train.labels.buffer instanceof SharedArrayBuffer);
  assert.ok(m.test.images.buffer instanceof SharedArrayBuffer);
  assert.equal(m.validation.images.buffer, m.train.images.buffer);
  assert.equal(m.validation.images.byteOffset, 50_000 * 784);
  assert.equal(loadMnistSync(), m);
  assert.equal(await loadMnist(mnistDir()), m);
});

test('firstN gives views of the first n images', () => {
  const m = loadMnistSync();
  const f = firstN(m.train, 1000);
  assert.equal(f.count, 1000);
  assert.equal(f.images.length, 784_000);
  assert.equal(f.images.buffer, m.train.images.buffer);
  assert.equal(f.labels[999], m.train.labels[999]);
  assert.throws(() => firstN(m.train, 0), /1\.\.50000/);
  assert.throws(() => firstN(m.train, 50_001), /got 50001/);
});

function tinyMnist(dir: string, opts: { trainCount?: number; trainLabels?: number; gzip?: boolean } = {}): void {
  const n = opts.trainCount ?? 60_000;
  const z = (b: Uint8Array) => (opts.gzip === false ? b : gzipSync(b));
  const ext = opts.gzip === false ? '' : '.gz';
  writeFileSync(join(dir, 'train-images-idx3-ubyte' + ext), z(encodeIdxImages(new Uint8Array(n * 784), n)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte' + ext), z(encodeIdxLabels(new Uint8Array(opts.trainLabels ?? n))));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte' + ext), z(encodeIdxImages(new Uint8Array(5 * 784), 5)));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte' + ext), z(encodeIdxLabels(new Uint8Array(5))));
}

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IdxError, `expected IdxError, got ${e}`);
    assert.ok(!e.message.includes('\n'), `more than one line: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('raw (not gzipped) IDX folders load too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-idx-'));
  try {
    tinyMnist(dir, { gzip: false });
    const m = loadMnistSync(dir);
    assert.equal(m.train.count, 50_000);
    assert.equal(m.test.count, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad MNIST folders and files are refused with one line naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-idx-'));
  try {
    refused(() => loadMnistSync(dir), /train-images-idx3-ubyte\.gz: no such file/);
    await assert.rejects(loadMnist(dir), /no such file/);

    tinyMnist(dir, { trainCount: 100 });
    refused(() => loadMnistSync(dir), /training files hold 100 images, the book's split needs 60000/);

    tinyMnist(dir, { trainCount: 100, trainLabels: 99 });
    refused(() => loadIdxPairSync(dir), /train-images-idx3-ubyte\.gz has 100 images but .*train-labels-idx1-ubyte\.gz has 99 labels/);

    // Wrong magic: the labels file where the images should be.
    copyFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), join(dir, 'train-images-idx3-ubyte.gz'));
    refused(() => loadMnistSync(dir), /train-images-idx3-ubyte\.gz: wrong magic number 0x00000801/);

    // Truncated gzip stream.
    const gz = gzipSync(encodeIdxImages(new Uint8Array(100 * 784), 100));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length >> 1));
    refused(() => readIdxBytesSync(join(dir, 'train-images-idx3-ubyte.gz')), /corrupt gzip data/);
    await assert.rejects(loadIdxPair(join(dir, 'train-images-idx3-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz')), /corrupt gzip data/);

    // Truncated IDX inside a good gzip stream.
    const idx = encodeIdxImages(new Uint8Array(100 * 784), 100);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx.subarray(0, idx.length - 10)));
    refused(() => loadMnistSync(dir), /truncated: header promises 100×28×28/);

    refused(() => readIdxBytesSync(dir), /is a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The count check itself is synchronous, in splitFromIdx.
function loadIdxPairSync(dir: string): DataSplit {
  const i = join(dir, 'train-images-idx3-ubyte.gz');
  const l = join(dir, 'train-labels-idx1-ubyte.gz');
  return splitFromIdx(readIdxBytesSync(i), readIdxBytesSync(l), i, l);
}

test('resource paths: the repository copy by default, NNLAB_RESOURCES overrides', () => {
  const before = process.env.NNLAB_RESOURCES;
  try {
    delete process.env.NNLAB_RESOURCES;
    assert.ok(existsSync(join(mnistDir(), 't10k-labels-idx1-ubyte.gz')), `bundled MNIST not found in ${mnistDir()}`);
    assert.equal(resourcesDir(), join(repoRoot(), 'resources'));
    assert.equal(modelsDir(), join(repoRoot(), 'resources', 'models'));
    process.env.NNLAB_RESOURCES = '/somewhere/else';
    assert.equal(mnistDir(), '/somewhere/else/mnist');
    assert.equal(modelsDir(), '/somewhere/else/models');
  } finally {
    if (before === undefined) delete process.env.NNLAB_RESOURCES;
    else process.env.NNLAB_RESOURCES = before;
  }
});

test('a gzip bomb is refused before it fills memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-bomb-'));
  const path = join(dir, 'train-images-idx3-ubyte.gz');
  // A few hundred kilobytes that would inflate past the limit: gzip members of 64 MiB of zeros, concatenated.
  const member = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  writeFileSync(path, Buffer.concat(Array(Math.floor(MAX_IDX_BYTES / (64 * 1024 * 1024)) + 1).fill(member)));
  assert.throws(
    () => readIdxBytesSync(path),
    (e: Error) => e instanceof IdxError && /decompresses to more than \d+ bytes, refused/.test(e.message) && e.message.includes(path),
  );
  await assert.rejects(readIdxBytes(path), /decompresses to more than/);
  rmSync(dir, { recursive: true });
});
