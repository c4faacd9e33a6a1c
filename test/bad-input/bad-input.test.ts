// Runs the bad-input corpus through the real boundaries: model files through the CLI's reader and
// the LabService, IDX files through datasets.ts, images through images.ts, API payloads of the
// wrong shape, type or range through createLabService, and the CLI options cli.test.ts does not
// cover. Each must be refused with one clear line; nothing crashes, nothing is half-written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readModelFile } from '../../src/cli/model-file';
import { MAX_IMAGE_FILE_BYTES as MAX_FILE_BYTES, MAX_MODEL_BYTES } from '../../src/shared/limits';
import { labCalls } from '../../src/shared/api-client';
import { dispatchCall } from '../../src/shared/validate';
import { cliInProcess } from '../helpers';
import { encodeIdxImages } from '../../src/engine/idx';
import { parseModelJson } from '../../src/engine/model-json';
import { loadIdxPair, readIdxBytesSync, splitFromIdx } from '../../src/main/datasets';
import { decodeImageBuffer, decodeImageFile } from '../../src/main/images';
import { createLabService } from '../../src/main/lab-service';
import { badIdxPairs, badImages, badModelTexts, goodModel } from './corpus';

const dir = mkdtempSync(join(tmpdir(), 'nnlab-bad-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The refusal is an Error with one non-empty line matching `re`, and no stack trace in it. */
function oneLine(e: unknown, re: RegExp, what: string): true {
  assert.ok(e instanceof Error, `${what}: threw ${String(e)}, not an Error`);
  assert.ok(!(e instanceof RangeError && /call stack|Invalid (typed )?array length/.test(e.message)), `${what}: crashed with ${e.message}`);
  assert.ok(e.message.trim() !== '', `${what}: empty message`);
  assert.ok(!e.message.includes('\n'), `${what}: message has several lines:\n${e.message}`);
  assert.match(e.message, re, what);
  return true;
}

async function refusedAsync(f: () => unknown, re: RegExp, what: string): Promise<void> {
  let threw = false;
  try {
    await f();
  } catch (e) {
    threw = oneLine(e, re, what);
  }
  assert.ok(threw, `${what}: was accepted`);
}

// ------------------------------------------------------------------------------ model files

test('bad model files are refused through the file reader, naming the file, with one line each', () => {
  const cases = badModelTexts();
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const path = join(dir, `model-${c.name.replace(/[^a-z0-9]+/gi, '-')}.json`);
    writeFileSync(path, c.input, 'latin1');
    assert.throws(
      () => readModelFile(path),
      (e) => oneLine(e, c.expect, c.name) && (e as Error).message.startsWith(path),
      c.name,
    );
  }
  // The good model the cases are cut from does load: the refusals are about the cuts.
  writeFileSync(join(dir, 'good.json'), JSON.stringify(goodModel()));
  assert.deepEqual(readModelFile(join(dir, 'good.json')).network.sizes, [784, 2, 10]);
});

test('a billion neurons is refused before any memory is taken for the weights', () => {
  const m = goodModel();
  m.sizes = [784, 1_000_000_000, 10];
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(
    () => parseModelJson(JSON.stringify(m)),
    (e) => oneLine(e, /larger than the limit of 100000 neurons/, 'billion'),
  );
  // A Float32Array for 784 billion weights would be a RangeError (or several GB); nothing near that was taken.
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
});

test('a tiny file claiming 60,000 or 18,000 hidden neurons is refused before their weights are allocated', () => {
  const text = JSON.stringify({ sizes: [784, 60_000, 10], weights: [[], []], biases: [[], []], cost: 'CrossEntropyCost' });
  assert.throws(
    () => parseModelJson(text),
    (e) => oneLine(e, /sizes 784,60000,10 has 47700010 parameters, more than the limit of/, '60,000 neurons'),
  );
  const fits = JSON.stringify({ sizes: [784, 18_000, 10], weights: [[], []], biases: [[], []], cost: 'CrossEntropyCost' });
  assert.throws(
    () => parseModelJson(fits),
    (e) => oneLine(e, /sizes 784,18000,10 need 14310010 numbers, more than a file of \d+ characters can hold/, '18,000 neurons'),
  );
});

test('a huge model file is refused by its size, before it is read', () => {
  const path = join(dir, 'huge.json');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, MAX_MODEL_BYTES + 1); // sparse: no disk or memory is used
  closeSync(fd);
  assert.throws(
    () => readModelFile(path),
    (e) => oneLine(e, /model file is \d+ bytes, larger than the limit/, 'huge file'),
  );
  assert.throws(
    () => readModelFile(dir),
    (e) => oneLine(e, /is not a file/, 'folder'),
  );
  assert.throws(
    () => readModelFile(join(dir, 'missing.json')),
    (e) => oneLine(e, /no such file/, 'missing'),
  );
});

// ------------------------------------------------------------------------------ API payloads

test('API messages of the wrong shape, type or range are refused by the one validation layer with one line', async () => {
  const runsDir = join(dir, 'runs');
  mkdirSync(runsDir);
  const service = createLabService({ runsDir });
  // What IPC and the WebSocket both do with an untrusted call.
  const lab = labCalls((method, ...args) => dispatchCall(service, method, args));
  try {
    const image = { width: 28, height: 28, pixels: new Array(784).fill(0) };
    const def = { kind: 'default' };
    const rid = 'run-20260101-120000-ab12cd';
    const cases: [string, () => unknown, RegExp][] = [
      // startRun: hyperparameters
      ['startRun(undefined)', () => lab.startRun(undefined as never), /hyperparameters must be an object/],
      ['startRun(null)', () => lab.startRun(null as never), /hyperparameters must be an object/],
      ['startRun([])', () => lab.startRun([] as never), /hyperparameters must be an object/],
      ['startRun("784,30,10")', () => lab.startRun('784,30,10' as never), /hyperparameters must be an object/],
      ['a billion hidden neurons', () => lab.startRun({ sizes: [784, 1e9, 10] } as never), /sizes\[1\] = 1000000000 is larger than the limit/],
      ['too many parameters', () => lab.startRun({ sizes: [784, 100_000, 100_000, 10] } as never), /more than the limit of/],
      ['sizes as a string', () => lab.startRun({ sizes: '784,30,10' } as never), /sizes must be a list/],
      ['sizes not 784 in', () => lab.startRun({ sizes: [100, 30, 10] } as never), /must start with 784/],
      ['eta negative', () => lab.startRun({ eta: -1 } as never), /eta must be in \(0, /],
      ['eta zero', () => lab.startRun({ eta: 0 } as never), /eta must be in \(0, /],
      ['eta as a string', () => lab.startRun({ eta: '0.5' } as never), /eta must be a finite number, got "0.5"/],
      ['eta null (NaN through JSON)', () => lab.startRun({ eta: null } as never), /eta must be a finite number, got null/],
      ['eta NaN', () => lab.startRun({ eta: NaN } as never), /eta must be a finite number/],
      ['eta Infinity', () => lab.startRun({ eta: Infinity } as never), /eta must be a finite number/],
      ['batch 0', () => lab.startRun({ batchSize: 0 } as never), /batchSize must be in \[1, /],
      ['batch 2.5', () => lab.startRun({ batchSize: 2.5 } as never), /batchSize must be an integer/],
      ['epochs a billion', () => lab.startRun({ epochs: 1e9 } as never), /epochs must be in/],
      ['dropout 1', () => lab.startRun({ dropout: 1 } as never), /dropout must be in \[0, 1\)/],
      ['momentum -0.5', () => lab.startRun({ momentum: -0.5 } as never), /momentum must be in/],
      ['trainSize 50001', () => lab.startRun({ trainSize: 50_001 } as never), /trainSize must be in \[1, 50000\]/],
      ['seed -1', () => lab.startRun({ seed: -1 } as never), /seed must be in/],
      ['unknown cost', () => lab.startRun({ cost: 'hinge' } as never), /unknown cost "hinge"/],
      ['unknown activation', () => lab.startRun({ activation: 'gelu' } as never), /unknown activation "gelu"/],
      ['evalSet train', () => lab.startRun({ evalSet: 'train' } as never), /unknown evalSet "train"/],
      ['monitor as a string', () => lab.startRun({ monitor: 'all' } as never), /monitor must be an object/],
      ['unknown monitor', () => lab.startRun({ monitor: { everything: true } } as never), /unknown monitor "everything"/],
      ['monitor named like a built-in', () => lab.startRun({ monitor: { constructor: true } } as never), /unknown monitor "constructor"/],
      ['monitor named toString', () => lab.startRun({ monitor: { toString: true } } as never), /unknown monitor "toString"/],
      ['monitor not boolean', () => lab.startRun({ monitor: { trainCost: 1 } } as never), /monitor.trainCost must be true or false/],
      ['augment a list', () => lab.startRun({ augment: [] } as never), /augment must be an object or null/],
      ['augment rotation 1000°', () => lab.startRun({ augment: { rotateDeg: 1000 } } as never), /rotateDeg must be in \[0, 180\]/],
      ['augment unknown field', () => lab.startRun({ augment: { blur: 2 } } as never), /unknown augment field "blur"/],
      ['unknown hyperparameter', () => lab.startRun({ learningRate: 0.5 } as never), /unknown hyperparameter "learningRate"/],
      ['__proto__ from JSON', () => lab.startRun(JSON.parse('{"__proto__": {"eta": 5}}')), /unknown hyperparameter "__proto__"/],
      ['run name a number', () => lab.startRun({} as never, 42 as never), /run name must be a string, got 42/],
      ['run name 10,000 characters', () => lab.startRun({} as never, 'x'.repeat(10_000)), /run name is 10000 characters, more than the limit/],
      // run ids
      ['pauseRun(undefined)', () => lab.pauseRun(undefined as never), /run id must be a string/],
      ['pauseRun(42)', () => lab.pauseRun(42 as never), /run id must be a string/],
      ['resumeRun("../../etc")', () => lab.resumeRun('../../etc'), /run id must be a string like/],
      ['deleteRun("/tmp")', () => lab.deleteRun('/tmp'), /run id must be a string like/],
      ['deleteRun(run id with a NUL)', () => lab.deleteRun('run-1\u0000'), /run id must be a string like/],
      ['stopRun(a 1,000-character id)', () => lab.stopRun('a'.repeat(1000)), /run id must be a string like/],
      ['stopRun(an unknown run)', () => lab.stopRun(rid), /no run with id/],
      ['runHistory({})', () => lab.runHistory({} as never), /run id must be a string, got an object|run id must be a string like/],
      ['runCsv(an unknown run)', () => lab.runCsv(rid), /no run with id/],
      ['setEta(-1)', () => lab.setEta(rid, -1), /eta must be a number in \(0, /],
      ['setEta("1")', () => lab.setEta(rid, '1' as never), /eta must be a number in \(0, /],
      ['setEta(1e7)', () => lab.setEta(rid, 1e7), /eta must be a number in \(0, 1000000\]/],
      ['setEta(an unknown run)', () => lab.setEta(rid, 0.1), /no run with id/],
      // model references
      ['predict(no model)', () => lab.predict(undefined as never, image as never), /model must be an object like/],
      [
        'predict(model kind "file")',
        () => lab.predict({ kind: 'file', path: '/etc/passwd' } as never, image as never),
        /model.kind must be "default", "run" or "loaded"/,
      ],
      [
        'predict(run model, which "worst")',
        () => lab.predict({ kind: 'run', runId: rid, which: 'worst' } as never, image as never),
        /model.which must be "current" or "best"/,
      ],
      [
        'predict(loaded model with a path as id)',
        () => lab.predict({ kind: 'loaded', id: '../m1' } as never, image as never),
        /model.id must be a loaded model's id/,
      ],
      ['predict(an unknown loaded model)', () => lab.predict({ kind: 'loaded', id: 'm999' }, image as never), /no loaded model with id "m999"/],
      ['modelJson(an unknown run)', () => lab.modelJson({ kind: 'run', runId: rid, which: 'best' }), /no run with id/],
      // images
      ['image null', () => lab.predict(def as never, null as never), /image must be an object/],
      ['image width 0', () => lab.predict(def as never, { ...image, width: 0 } as never), /image.width must be an integer in \[1, 1024\]/],
      [
        'image width a billion',
        () => lab.predict(def as never, { width: 1e9, height: 1e9, pixels: [] } as never),
        /image.width must be an integer in \[1, 1024\]/,
      ],
      ['image height 2.5', () => lab.predict(def as never, { ...image, height: 2.5 } as never), /image.height must be an integer/],
      ['pixels too few', () => lab.predict(def as never, { ...image, pixels: [1, 2, 3] } as never), /image.pixels has 3 values, expected width × height = 784/],
      [
        'pixels an array-like object',
        () => lab.predict(def as never, { ...image, pixels: { length: 784 } } as never),
        /image.pixels must be a list of numbers/,
      ],
      [
        'pixel 300',
        () => lab.predict(def as never, { ...image, pixels: image.pixels.map((v, i) => (i === 9 ? 300 : v)) } as never),
        /image.pixels\[9\] must be a number in \[0, 255\], got 300/,
      ],
      [
        'pixel NaN',
        () => lab.predict(def as never, { ...image, pixels: image.pixels.map((v, i) => (i === 3 ? NaN : v)) } as never),
        /image.pixels\[3\] must be a number in \[0, 255\]/,
      ],
      [
        'pixel "5"',
        () => lab.predict(def as never, { ...image, pixels: image.pixels.map((v, i) => (i === 0 ? '5' : v)) } as never),
        /image.pixels\[0\] must be a number/,
      ],
      // model text
      ['loadModelJson(42)', () => lab.loadModelJson(42 as never, 'x'), /model text must be a string, got 42/],
      ['loadModelJson(name {})', () => lab.loadModelJson('{}', {} as never), /model name must be a string/],
      ['loadModelJson(text not a model)', () => lab.loadModelJson('{"sizes": [784, 10]}', 'x'), /no "weights"/],
      [
        'loadModelJson(ragged)',
        () => lab.loadModelJson(badModelTexts().find((c) => c.name === 'ragged weight row')!.input, 'x'),
        /weights\[0\]\[1\] has 783 numbers/,
      ],
      // analysis
      ['confusion(data "train")', () => lab.confusion(def as never, 'train' as never), /data must be "validation" or "test", got "train"/],
      ['gallery(actual 10)', () => lab.gallery(def as never, 'test', 10, 0, 5), /actual must be an integer in \[0, 9\], got 10/],
      ['gallery(predicted -1)', () => lab.gallery(def as never, 'test', 0, -1, 5), /predicted must be an integer in \[0, 9\]/],
      ['gallery(limit a million)', () => lab.gallery(def as never, 'test', 0, 1, 1e6), /limit must be an integer in \[1, \d+\], got 1000000/],
      ['gallery(limit "5")', () => lab.gallery(def as never, 'test', 0, 1, '5' as never), /limit must be an integer/],
      ['receptiveFields(limit 0)', () => lab.receptiveFields(def as never, 0), /limit must be an integer in \[1, 10000\]/],
      ['augmentPreview(rotation -1)', () => lab.augmentPreview({ rotateDeg: -1 } as never, 0, 1, 1), /rotateDeg must be in \[0, 180\]/],
      ['augmentPreview(index 70000)', () => lab.augmentPreview({ rotateDeg: 5 } as never, 70_000, 1, 1), /index must be an integer in \[0, \d+\], got 70000/],
      ['augmentPreview(count 101)', () => lab.augmentPreview({ rotateDeg: 5 } as never, 0, 101, 1), /count must be an integer in \[1, 100\]/],
      ['augmentPreview(seed 2^32)', () => lab.augmentPreview({ rotateDeg: 5 } as never, 0, 1, 2 ** 32), /seed must be an integer in/],
    ];
    for (const [what, f, re] of cases) await refusedAsync(f, re, what);
    // The text limit: one character over is refused before parsing.
    await refusedAsync(() => lab.loadModelJson(' '.repeat(MAX_MODEL_BYTES + 1), 'big'), /more than the limit/, 'model text over the limit');
    // Nothing was started, loaded or written by any of it, and the service still answers.
    assert.deepEqual(await lab.listRuns(), []);
    assert.deepEqual(readdirSync(runsDir), []);
    assert.ok((await lab.listModels()).every((m) => m.ref.kind !== 'loaded'));
    const ok = await lab.loadModelJson(JSON.stringify(goodModel()), 'good');
    assert.equal(ok.ref.kind, 'loaded');
  } finally {
    await service.close();
  }
});

// ------------------------------------------------------------------------------ IDX files

test('bad IDX files are refused by the dataset readers with one line naming the file', async () => {
  for (const c of badIdxPairs()) {
    const slug = c.name.replace(/[^a-z0-9]+/gi, '-');
    const ip = join(dir, `${slug}-images-idx3-ubyte`);
    const lp = join(dir, `${slug}-labels-idx1-ubyte`);
    writeFileSync(ip, c.input.images);
    writeFileSync(lp, c.input.labels);
    assert.throws(
      () => splitFromIdx(readIdxBytesSync(ip), readIdxBytesSync(lp), ip, lp),
      (e) => oneLine(e, c.expect, c.name) && (e as Error).message.includes(slug),
      c.name,
    );
    await refusedAsync(() => loadIdxPair(ip, lp), c.expect, `${c.name} (async)`);
  }
  // The same files, well formed, load: the refusals are about the faults.
  writeFileSync(join(dir, 'good-images'), encodeIdxImages(new Uint8Array(784 * 20), 20));
  writeFileSync(join(dir, 'good-labels'), badIdxPairs()[0].input.labels);
  assert.equal((await loadIdxPair(join(dir, 'good-images'), join(dir, 'good-labels'))).count, 20);
  assert.throws(
    () => readIdxBytesSync(join(dir, 'no-such-idx')),
    (e) => oneLine(e, /no-such-idx: no such file/, 'missing'),
  );
  assert.throws(
    () => readIdxBytesSync(dir),
    (e) => oneLine(e, /is a folder/, 'folder'),
  );
});

// ------------------------------------------------------------------------------ images

test('bad images are refused by the image decoder with one line, bombs before any pixel is decoded', async () => {
  const validPng = new Uint8Array(
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer(),
  );
  assert.equal((await decodeImageBuffer(validPng, 'valid.png')).width, 40);
  for (const c of badImages(validPng)) {
    const name = `${c.name.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await refusedAsync(() => decodeImageBuffer(c.input, name), c.expect, c.name);
    writeFileSync(join(dir, name), c.input);
    await refusedAsync(() => decodeImageFile(join(dir, name)), new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), `${c.name} (file)`);
  }
  // A file larger than the limit is refused by its size, before it is read (sparse: costs nothing).
  const big = join(dir, 'big.png');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, MAX_FILE_BYTES + 1);
  closeSync(fd);
  await refusedAsync(() => decodeImageFile(big), /bytes is larger than the limit/, 'huge image file');
  await refusedAsync(() => decodeImageFile(dir), /is a folder, not an image/, 'folder');
});

// ------------------------------------------------------------------------------ CLI options

test('CLI options out of range or malformed (beyond cli.test.ts) are refused with one line', async () => {
  writeFileSync(join(dir, 'a-file'), 'x');
  writeFileSync(join(dir, 'good.json'), JSON.stringify(goodModel()));
  const commands: Record<string, (argv: string[]) => Promise<void>> = {
    train: (await import('../../src/cli/train')).trainMain,
    evaluate: (await import('../../src/cli/evaluate')).evaluateMain,
    predict: (await import('../../src/cli/predict')).predictMain,
    bench: (await import('../../bench/bench')).benchMain,
  };
  const cases: [string[], RegExp][] = [
    [['train', '--epochs', '0'], /epochs/],
    [['train', '--epochs', '1e9'], /epochs/],
    [['train', '--lambda', '-1'], /lambda/],
    [['train', '--l1', '-0.1'], /l1/],
    [['train', '--momentum', '1'], /momentum/],
    [['train', '--seed', '1.5'], /seed/],
    [['train', '--seed', '-1'], /seed/],
    [['train', '--eta', 'NaN'], /--eta must be a number/],
    [['train', '--eta', 'Infinity'], /--eta must be a number/],
    [['train', '--batch', '2.5'], /--batch must be an integer/],
    [['train', '--train-size', '50001'], /train-?[sS]ize/],
    [['train', '--sizes', '784,1000000000,10'], /larger than the limit/],
    [['train', '--sizes', '784,,10'], /sizes/],
    [['train', '--sizes', '30,10'], /must start with 784/],
    [['train', '--eval', 'train'], /eval/],
    [['train', '--monitor', 'everything'], /monitor/],
    [['train', '--init', 'huge'], /init/],
    [['train', '--early-stop', '-2'], /early/],
    [['train', '--augment', 'rotate:-5'], /augment|rotate/],
    [['train', '--backend', 'gpu'], /--backend must be wasm or reference/],
    [['train', '--json=yes'], /--json takes no value/],
    [['train', '--epochs', '1', '--epochs', '2'], /--epochs is given twice/],
    [['train', 'extra'], /no positional arguments/],
    [['train', '--save', join(dir, 'a-file', 'm.json')], /--save: .*: folder .* does not exist/],
    [['evaluate', join(dir, 'good.json'), '--data', 'train'], /--data must be test or validation/],
    [['evaluate', join(dir, 'good.json'), '--lambda', '-1'], /--lambda must be a number of at least 0/],
    [['evaluate', join(dir, 'good.json'), 'second.json'], /exactly one model file/],
    [['predict', 'x.png', '--model', join(dir, 'missing.json')], /missing\.json: no such file/],
    [['predict', 'x.png', '--model'], /--model needs a value/],
    [['bench', '--frobnicate', '3'], /unknown option --frobnicate/],
  ];
  // In process, through each command's own entry point (a spawn per case would cost a second each).
  for (const [[command, ...args], re] of cases) await refusedAsync(() => commands[command](args), re, `${command} ${args.join(' ')}`);
  // And a few through the whole command line: one line on stderr, a non-zero exit, no stack trace.
  const whole = [
    await cliInProcess('train', '--sizes', '784,1000000000,10'),
    await cliInProcess('train', '--momentum', '1'),
    await cliInProcess('evaluate', join(dir, 'good.json'), '--data', 'train'),
  ];
  for (const r of whole) {
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^error: /);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
});
