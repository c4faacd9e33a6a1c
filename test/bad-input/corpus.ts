// The bad-input corpus: every malformed model file, IDX file, image and API payload the lab must
// refuse, each with a pattern the one-line refusal must match. Files are generated here (small, in
// a temporary folder) rather than committed; bad-input.test.ts feeds each through the real boundary.
import { deflateSync, gzipSync } from 'node:zlib';
import { encodeIdxImages, encodeIdxLabels } from '../../src/engine/idx';

export interface Case<T> {
  name: string;
  input: T;
  /** What the one-line refusal must say. */
  expect: RegExp;
}

// ---------------------------------------------------------------- model files (network2.py JSON)

/** A valid 784-2-10 model in network2.py's format. */
export function goodModel(): { sizes: number[]; weights: number[][][]; biases: number[][][]; cost: string; meta?: unknown } {
  const row = (n: number, v: number) => Array.from({ length: n }, (_, i) => v * ((i % 7) - 3));
  return {
    sizes: [784, 2, 10],
    weights: [Array.from({ length: 2 }, (_, j) => row(784, 0.01 * (j + 1))), Array.from({ length: 10 }, (_, j) => row(2, 0.1 * (j + 1)))],
    biases: [[[0.1], [-0.1]], Array.from({ length: 10 }, (_, j) => [j / 10])],
    cost: 'CrossEntropyCost',
  };
}

type Model = ReturnType<typeof goodModel>;

function variant(f: (m: Model & Record<string, unknown>) => void): string {
  const m = goodModel() as Model & Record<string, unknown>;
  f(m);
  return JSON.stringify(m);
}

export function badModelTexts(): Case<string>[] {
  const good = JSON.stringify(goodModel());
  return [
    { name: 'empty file', input: '', expect: /empty/ },
    { name: 'only whitespace', input: ' \n\t ', expect: /empty/ },
    { name: 'truncated in the middle', input: good.slice(0, good.length >> 1), expect: /not valid JSON/ },
    { name: 'truncated by one byte', input: good.slice(0, -1), expect: /not valid JSON/ },
    { name: 'binary garbage', input: String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256)), expect: /not valid JSON/ },
    { name: 'a JSON list', input: '[784, 30, 10]', expect: /must hold a JSON object, got a list/ },
    { name: 'a JSON string', input: '"model"', expect: /must hold a JSON object/ },
    { name: 'a JSON number', input: '42', expect: /must hold a JSON object, got 42/ },
    { name: 'JSON null', input: 'null', expect: /must hold a JSON object, got null/ },
    { name: 'deeply nested lists', input: '['.repeat(200_000) + ']'.repeat(200_000), expect: /is nested deeper than 16 levels/ },
    { name: 'no sizes', input: variant((m) => delete (m as Partial<Model>).sizes), expect: /no "sizes"/ },
    { name: 'no biases', input: variant((m) => delete (m as Partial<Model>).biases), expect: /no "biases"/ },
    { name: 'no cost', input: variant((m) => delete (m as Partial<Model>).cost), expect: /no "cost"/ },
    { name: 'sizes is a string', input: variant((m) => ((m as Record<string, unknown>).sizes = '784,2,10')), expect: /sizes must be a list/ },
    { name: 'sizes has one layer', input: variant((m) => (m.sizes = [784])), expect: /sizes must be a list of at least two/ },
    { name: 'size as a string', input: variant((m) => ((m.sizes as unknown[])[1] = '2')), expect: /sizes\[1\] must be a positive integer, got "2"/ },
    { name: 'fractional size', input: variant((m) => (m.sizes[1] = 2.5)), expect: /sizes\[1\] must be a positive integer, got 2.5/ },
    { name: 'negative size', input: variant((m) => (m.sizes[1] = -2)), expect: /sizes\[1\] must be a positive integer/ },
    { name: 'a billion neurons', input: variant((m) => (m.sizes[1] = 1_000_000_000)), expect: /sizes\[1\] = 1000000000 is larger than the limit/ },
    {
      name: '1e400 neurons (Infinity after parsing)',
      input: good.replace('[784,2,10]', '[784,1e400,10]'),
      expect: /sizes\[1\] must be a positive integer, got null/,
    },
    { name: 'too many parameters in total', input: variant((m) => (m.sizes = [784, 100_000, 100_000, 10])), expect: /parameters, more than the limit/ },
    { name: 'wrong input size', input: variant((m) => (m.sizes[0] = 783)), expect: /must start with 784 inputs/ },
    { name: 'wrong output size', input: variant((m) => (m.sizes[2] = 9)), expect: /must end with 10 outputs/ },
    { name: 'sizes disagree with weights', input: variant((m) => (m.sizes = [784, 3, 10])), expect: /weights\[0\] has 2 rows, expected 3/ },
    { name: 'an extra layer of weights', input: variant((m) => m.weights.push(m.weights[1])), expect: /weights has 3 layers, but sizes 784,2,10 needs 2/ },
    { name: 'weights null', input: variant((m) => ((m as Record<string, unknown>).weights = null)), expect: /weights must be a list of 2 layers, got null/ },
    {
      name: 'a layer of weights null',
      input: variant((m) => ((m.weights as unknown[])[1] = null)),
      expect: /weights\[1\] must be a list of 10 rows, got null/,
    },
    { name: 'ragged weight row', input: variant((m) => m.weights[0][1].pop()), expect: /weights\[0\]\[1\] has 783 numbers, expected 784/ },
    { name: 'ragged bias row', input: variant((m) => m.biases[1][4].push(0)), expect: /biases\[1\]\[4\] has 2 numbers, expected 1/ },
    {
      name: 'biases flat instead of n × 1',
      input: variant((m) => ((m.biases as unknown[])[0] = [0.1, -0.1])),
      expect: /biases\[0\]\[0\] must be a list of 1 numbers, got 0.1/,
    },
    {
      name: 'weights nested one level too deep',
      input: variant((m) => ((m.weights[1] as unknown[])[0] = [[1], [2]])),
      expect: /weights\[1\]\[0\]\[0\] is a list of 1, expected a finite number/,
    },
    {
      name: 'null weight',
      input: variant((m) => ((m.weights[0][0] as unknown[])[10] = null)),
      expect: /weights\[0\]\[0\]\[10\] is null, expected a finite number/,
    },
    { name: '"NaN" as a string', input: variant((m) => ((m.weights[1][2] as unknown[])[1] = 'NaN')), expect: /weights\[1\]\[2\]\[1\] is "NaN"/ },
    { name: 'NaN literal (not JSON)', input: good.replace('[0.1],', '[NaN],'), expect: /not valid JSON/ },
    { name: 'Infinity literal (not JSON)', input: good.replace('[0.1],', '[Infinity],'), expect: /not valid JSON/ },
    {
      name: '1e400 weight (Infinity after parsing)',
      input: good.replace('[0.1],', '[1e400],'),
      expect: /biases\[0\]\[0\]\[0\] is null|biases\[0\]\[0\]\[0\] is Infinity/,
    },
    { name: 'weight beyond float32', input: variant((m) => (m.biases[0][1][0] = 1e39)), expect: /does not fit in a 32-bit float/ },
    { name: 'boolean weight', input: variant((m) => ((m.biases[0][1] as unknown[])[0] = true)), expect: /biases\[0\]\[1\]\[0\] is boolean/ },
    { name: 'unknown cost name', input: variant((m) => (m.cost = 'HingeCost')), expect: /unknown cost "HingeCost"/ },
    { name: 'cost named like a built-in', input: variant((m) => (m.cost = 'toString')), expect: /unknown cost "toString"/ },
    { name: 'cost as a number', input: variant((m) => ((m as Record<string, unknown>).cost = 3)), expect: /unknown cost 3/ },
    { name: 'unknown activation in meta', input: variant((m) => (m.meta = { activation: 'swish' })), expect: /unknown activation "swish"/ },
    { name: 'unknown cost in meta', input: variant((m) => (m.meta = { cost: 'hinge' })), expect: /unknown cost "hinge" in meta/ },
    { name: 'meta is a list', input: variant((m) => (m.meta = [])), expect: /meta must be an object, got a list/ },
    { name: 'meta.hyperparams out of range', input: variant((m) => (m.meta = { hyperparams: { eta: -1 } })), expect: /meta\.hyperparams: eta must be in/ },
    {
      name: 'meta.hyperparams with an unknown name',
      input: variant((m) => (m.meta = { hyperparams: { etaa: 1 } })),
      expect: /meta\.hyperparams: unknown hyperparameter "etaa"/,
    },
  ];
}

// ---------------------------------------------------------------- IDX files

function u32(...v: number[]): Uint8Array {
  const b = new Uint8Array(4 * v.length);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(4 * i, x));
  return b;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface IdxPair {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Pairs of (images, labels) file bytes, each wrong in one way. */
export function badIdxPairs(): Case<IdxPair>[] {
  const n = 20;
  const images = encodeIdxImages(new Uint8Array(n * 784).fill(7), n);
  const labels = encodeIdxLabels(Uint8Array.from({ length: n }, (_, i) => i % 10));
  const pair = (over: Partial<IdxPair>): IdxPair => ({ images, labels, ...over });
  return [
    { name: 'empty images file', input: pair({ images: new Uint8Array(0) }), expect: /images.*(empty|too short|truncated)/i },
    { name: 'labels where images belong (wrong magic)', input: pair({ images: labels }), expect: /wrong magic number 0x00000801/ },
    { name: 'random magic', input: pair({ images: cat(u32(0xdeadbeef), images.subarray(4)) }), expect: /wrong magic number 0xdeadbeef/ },
    {
      name: 'float data type instead of unsigned bytes',
      input: pair({ images: cat(Uint8Array.of(0, 0, 0x0d, 3), images.subarray(4)) }),
      expect: /magic|type/i,
    },
    { name: 'header cut after 3 bytes', input: pair({ images: images.subarray(0, 3) }), expect: /images/ },
    { name: 'header cut inside the dimensions', input: pair({ images: images.subarray(0, 10) }), expect: /images/ },
    { name: 'pixels truncated', input: pair({ images: images.subarray(0, images.length - 100) }), expect: /truncated: header promises 20×28×28/ },
    { name: 'trailing bytes after the pixels', input: pair({ images: cat(images, new Uint8Array(5)) }), expect: /images/ },
    {
      name: 'header claims 4 billion images',
      input: pair({ images: cat(u32(0x803, 0xffffffff, 28, 28), images.subarray(16)) }),
      expect: /larger than the limit|truncated/,
    },
    {
      name: 'images of 27×28 pixels',
      input: pair({ images: encodeIdxImages(new Uint8Array(n * 27 * 28), n, 27, 28) }),
      expect: /27×28 pixels, expected 28×28/,
    },
    { name: 'zero images', input: pair({ images: cat(u32(0x803, 0, 28, 28)) }), expect: /holds no images/ },
    {
      name: 'count mismatch: 19 labels for 20 images',
      input: pair({ labels: encodeIdxLabels(new Uint8Array(19)) }),
      expect: /has 20 images but .* has 19 labels/,
    },
    {
      name: 'label 10',
      input: pair({ labels: encodeIdxLabels(Uint8Array.from({ length: n }, (_, i) => (i === 5 ? 10 : 1))) }),
      expect: /label 5 is 10, expected 0\.\.9/,
    },
    { name: 'labels truncated', input: pair({ labels: labels.subarray(0, labels.length - 3) }), expect: /labels/ },
    { name: 'gzip stream cut in half', input: pair({ images: gzipSync(images).subarray(0, 40) }), expect: /corrupt gzip data/ },
    {
      name: 'gzip magic followed by garbage',
      input: pair({ images: cat(Uint8Array.of(0x1f, 0x8b), new Uint8Array(50).fill(0x55)) }),
      expect: /corrupt gzip data/,
    },
    { name: 'valid gzip of a truncated IDX', input: pair({ images: gzipSync(images.subarray(0, 500)) }), expect: /truncated/ },
  ];
}

// ---------------------------------------------------------------- images

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const t = Uint8Array.from(type, (ch) => ch.charCodeAt(0));
  return cat(u32(data.length), t, data, u32(crc32(cat(t, data))));
}

const PNG_SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** A structurally valid gray PNG header claiming width × height, with a tiny IDAT (a decompression bomb's shape). */
export function pngClaiming(width: number, height: number): Uint8Array {
  const ihdr = cat(u32(width, height), Uint8Array.of(8, 0, 0, 0, 0));
  return cat(PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(new Uint8Array(64))), pngChunk('IEND', new Uint8Array(0)));
}

/** Bad image bytes; `validPng` is a real small PNG to cut and corrupt. */
export function badImages(validPng: Uint8Array): Case<Uint8Array>[] {
  const corrupt = validPng.slice();
  for (let i = 40; i < corrupt.length - 12; i++) corrupt[i] ^= 0xa5;
  return [
    { name: 'empty file', input: new Uint8Array(0), expect: /empty file, not an image/ },
    { name: 'text', input: Uint8Array.from('this is not an image', (c) => c.charCodeAt(0)), expect: /not an image/ },
    { name: 'PNG signature only', input: PNG_SIGNATURE, expect: /not an image|cannot decode/ },
    { name: 'PNG cut in half', input: validPng.subarray(0, validPng.length >> 1), expect: /not an image|cannot decode/ },
    { name: 'PNG with corrupted pixel data', input: corrupt, expect: /not an image|cannot decode/ },
    {
      name: 'PNG header claiming 100000×100000 (decompression bomb)',
      input: pngClaiming(100_000, 100_000),
      expect: /100000×100000 pixels is more than the limit/,
    },
    { name: 'PNG header claiming 6000×6000', input: pngClaiming(6000, 6000), expect: /6000×6000 pixels is more than the limit/ },
    { name: 'PNG header claiming 0×10', input: pngClaiming(0, 10), expect: /not an image|no pixels/ },
    { name: 'JPEG start-of-image marker and nothing else', input: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16), expect: /not an image|cannot decode/ },
    {
      name: 'SVG (not an accepted format)',
      input: Uint8Array.from('<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><rect width="28" height="28"/></svg>', (c) => c.charCodeAt(0)),
      expect: /unsupported format|not an image/,
    },
  ];
}
