// The command line end to end: train, evaluate and predict as DESIGN.md specifies, and every
// bad input refused with one line on stderr, a non-zero exit, no stack trace, nothing half-written.
// Most cases run the command line in-process (runCli); one runs it as `npm run` does, in a subprocess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadMnist } from '../src/main/datasets';
import { cliInProcess } from './helpers';

const TSX = join('node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'nnlab-cli-'));

function subprocess(...args: string[]) {
  const r = spawnSync(TSX, ['src/cli/index.ts', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = cliInProcess;

async function refused(args: string[], re: RegExp): Promise<void> {
  const r = await cli(...args);
  assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr for ${args.join(' ')}, got:\n${r.stderr}`);
  assert.match(lines[0], re, args.join(' '));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

const small = ['--sizes', '784,12,10', '--train-size', '1000', '--epochs', '2', '--batch', '10', '--eta', '0.5', '--seed', '3'];

test('train --json prints one object per epoch and a summary, and --save writes a loadable model', async () => {
  const model = join(dir, 'm.json');
  const r = await cli('train', ...small, '--lambda', '1', '--monitor', 'eval-accuracy,eval-cost,train-accuracy,train-cost', '--save', model, '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  for (const [i, e] of lines.slice(0, 2).entries()) {
    assert.equal(e.epoch, i + 1);
    for (const k of ['seconds', 'eta', 'trainCost', 'trainAccuracy', 'evalCost', 'evalAccuracy']) assert.equal(typeof e[k], 'number', k);
    assert.ok(e.evalAccuracy > 0.5 && e.evalAccuracy <= 1);
  }
  const s = lines[2];
  assert.equal(s.done, true);
  assert.equal(s.stoppedBecause, 'epochs');
  assert.ok([1, 2].includes(s.bestEpoch));
  assert.equal(s.bestEvalAccuracy, Math.max(lines[0].evalAccuracy, lines[1].evalAccuracy));
  assert.ok(s.secondsPerEpoch > 0);
  const saved = JSON.parse(readFileSync(model, 'utf8'));
  assert.deepEqual(saved.sizes, [784, 12, 10]);
  assert.equal(saved.cost, 'CrossEntropyCost');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );

  const ev = await cli('evaluate', model, '--data', 'validation', '--json');
  assert.equal(ev.status, 0, ev.stderr);
  const e = JSON.parse(ev.stdout);
  assert.equal(e.n, 10_000);
  assert.equal(e.accuracy, lines[1].evalAccuracy);
  assert.equal(typeof e.cost, 'number');
});

test('the same seed gives the same run through the CLI', async () => {
  const a = await cli('train', ...small, '--json');
  const b = await cli('train', ...small, '--json');
  const strip = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => {
        const o = JSON.parse(l);
        delete o.seconds;
        delete o.secondsPerEpoch;
        return o;
      });
  assert.deepEqual(strip(a.stdout), strip(b.stdout));
});

test('train without --json prints what network2.py prints (as a subprocess, as npm run runs it)', () => {
  const r = subprocess('train', ...small, '--monitor', 'eval-accuracy,train-cost', '--eval', 'test');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Epoch 0 training complete\nCost on training data: [0-9.]+\nAccuracy on evaluation data: \d+ \/ 10000\n\nEpoch 1 training complete/);
});

test(
  'predict reads PNG and JPEG digits of any size and polarity',
  { skip: existsSync('resources/models/default.json') ? false : 'no bundled default model yet' },
  async () => {
    const mnist = await loadMnist();
    const files: string[] = [];
    const labels: number[] = [];
    for (const i of [0, 1, 2, 3]) {
      const raw = Buffer.from(mnist.test.images.subarray(i * 784, (i + 1) * 784));
      // Dark ink on white, enlarged and off-centre, as a photo or a drawing would be.
      const inverted = Buffer.from(raw.map((v) => 255 - v));
      const big = await sharp(inverted, { raw: { width: 28, height: 28, channels: 1 } })
        .resize(140, 140)
        .extend({ top: 10, left: 60, right: 5, bottom: 40, background: '#ffffff' });
      const f = join(dir, `digit${i}.${i % 2 ? 'jpg' : 'png'}`);
      await (i % 2 ? big.jpeg({ quality: 92 }) : big.png()).toFile(f);
      files.push(f);
      labels.push(mnist.test.labels[i]);
    }
    const r = await cli('predict', ...files, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      out.map((o) => o.file),
      files,
    );
    assert.deepEqual(
      out.map((o) => o.digit),
      labels,
    );
    for (const o of out) {
      assert.equal(o.probabilities.length, 10);
      assert.ok(Math.abs(o.probabilities.reduce((s: number, p: number) => s + p, 0) - 1) < 1e-6);
    }
  },
);

test('bad options are refused with one line', async () => {
  await refused(['train', '--sizes', '784,0,10'], /sizes\[1\] must be a positive integer/);
  await refused(['train', '--sizes', '784,-5,10'], /sizes/);
  await refused(['train', '--sizes', '784,abc,10'], /--sizes must be comma-separated integers/);
  await refused(['train', '--batch', '0'], /--batch/);
  await refused(['train', '--batch', '-3'], /--batch/);
  await refused(['train', '--eta', '0'], /--eta/);
  await refused(['train', '--eta', '-1'], /--eta/);
  await refused(['train', '--train-size', '0'], /--train-size/);
  await refused(['train', '--train-size', '-10'], /--train-size/);
  await refused(['train', '--dropout', '1'], /--dropout/);
  await refused(['train', '--dropout', '-0.1'], /--dropout/);
  await refused(['train', '--cost', 'hinge'], /unknown cost "hinge"/);
  await refused(['train', '--activation', 'gelu'], /unknown --activation "gelu"/);
  await refused(['train', '--eta'], /--eta needs a value/);
  await refused(['train', '--eta', '0x10'], /--eta must be a number, got "0x10"/);
  await refused(['train', '--frobnicate', '3'], /unknown option --frobnicate/);
  await refused(['train', '--augment', 'spin:3'], /--augment: cannot read "spin:3"/);
  await refused(['train', '--augment', 'elastic:34'], /--augment: elastic needs ALPHA\/SIGMA/);
  await refused(['train', '--schedule', 'halve'], /--schedule must be halve:N/);
  await refused(['train', '--save', join(dir, 'missing', 'm.json')], /--save: .*: folder .* does not exist/);
  await refused(['frobnicate'], /unknown command "frobnicate"/);
});

test('bad model files are refused with one line naming the file', async () => {
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const tiny = readFileSync('test/fixtures/network2-tiny.json', 'utf8');
  await refused(['evaluate', join(dir, 'nope.json')], /cannot read model file .*nope\.json: no such file/);
  await refused(['evaluate', write('empty.json', '')], /empty\.json: model file is empty/);
  await refused(['evaluate', write('trunc.json', tiny.slice(0, tiny.length / 2))], /trunc\.json: model file is not valid JSON/);
  await refused(['evaluate', write('text.json', 'hello')], /text\.json: model file is not valid JSON/);
  await refused(['evaluate', write('array.json', '[]')], /array\.json: model file must hold a JSON object/);
  await refused(
    ['evaluate', write('ragged.json', tiny.replace('[[0.0], [1.0]', '[[0.0, 5], [1.0]'))],
    /ragged\.json: weights\[1\]\[0\] has 2 numbers, expected 1/,
  );
  await refused(
    ['evaluate', write('ragged-bias.json', tiny.replace('[[-1.0]]', '[[-1.0, 5]]'))],
    /ragged-bias\.json: biases\[0\]\[0\] has 2 numbers, expected 1/,
  );
  await refused(['evaluate', write('null.json', tiny.replace('[[-1.0]]', '[[null]]'))], /null\.json: biases\[0\]\[0\]\[0\] is null/);
  await refused(['evaluate', write('cost.json', tiny.replace('QuadraticCost', 'HingeCost'))], /cost\.json: unknown cost "HingeCost"/);
  await refused(['evaluate', write('shape.json', tiny.replace('[784, 1, 10]', '[784, 2, 10]'))], /shape\.json: weights\[0\] has 1 rows, expected 2/);
  await refused(['evaluate', dir], /is not a file/);
  await refused(['evaluate'], /evaluate needs exactly one model file/);
});

test(
  'bad images are refused with one line naming the file',
  { skip: existsSync('resources/models/default.json') ? false : 'no bundled default model yet' },
  async () => {
    const notImage = join(dir, 'notes.png');
    writeFileSync(notImage, 'this is not a PNG');
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    await refused(['predict', notImage], /notes\.png/);
    await refused(['predict', empty], /empty\.png/);
    await refused(['predict', join(dir, 'missing.png')], /missing\.png/);
    await refused(['predict'], /predict needs at least one image/);
  },
);

test('expand writes the training set with transformed copies as IDX files that load back', async () => {
  const out = join(dir, 'expanded-images-idx3-ubyte.gz');
  const r = await cli('expand', out, '--augment', 'shift:1', '--copies', '1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.count, 100_000);
  const { loadIdxPair } = await import('../src/main/datasets');
  const expanded = await loadIdxPair(result.imagesPath, result.labelsPath);
  const mnist = await loadMnist();
  assert.equal(expanded.count, 100_000);
  // Each original followed by its copy, labels alongside.
  assert.deepEqual(expanded.images.subarray(0, 784), mnist.train.images.subarray(0, 784));
  assert.deepEqual(expanded.images.subarray(2 * 784, 3 * 784), mnist.train.images.subarray(784, 2 * 784));
  assert.equal(expanded.labels[1], mnist.train.labels[0]);
  assert.equal(expanded.labels[99_999], mnist.train.labels[49_999]);
  await refused(['expand', join(dir, 'missing', 'x.gz')], /folder .* does not exist/);
  await refused(['expand', join(dir, 'x.gz'), '--copies', '0'], /copies must be a whole number from 1 to 50/);
  await refused(['expand', join(dir, 'x.gz'), '--augment', 'twist:3'], /--augment: cannot read "twist:3"/);
});

test('--preset starts from the catalogue experiment, other flags change it; rules across fields are one line', async () => {
  const model = join(dir, 'preset.json');
  const r = await cli('train', '--preset', 'ch3-softmax', '--sizes', '784,8,10', '--train-size', '500', '--epochs', '1', '--save', model, '--json');
  assert.equal(r.status, 0, r.stderr);
  const hp = JSON.parse(readFileSync(model, 'utf8')).meta.hyperparams;
  assert.deepEqual([hp.cost, hp.init, hp.evalSet, hp.lambda, hp.sizes, hp.epochs], ['log-likelihood', 'large', 'test', 5, [784, 8, 10], 1]);
  await refused(['train', '--preset', 'ch9-convnet'], /unknown preset "ch9-convnet" \(one of ch1-30, /);
  await refused(['train', '--preset'], /--preset needs a value/);
  await refused(['train', '--eval', 'none', '--early-stop', '3'], /^error: --early-stop and --schedule need evaluation data: --eval validation or test$/);
});

test('the command line as a subprocess: one line on stderr and exit 1 for an unknown command', () => {
  const r = subprocess('frobnicate');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'error: unknown command "frobnicate"\n');
});

test('--save-best saves the best epoch (early stopping went past it); the line says which was saved', async () => {
  const model = join(dir, 'best.json');
  const args = ['train', '--sizes', '784,12,10', '--train-size', '1000', '--eta', '0.5', '--seed', '3', '--epochs', '12', '--early-stop', '2', '--save', model];
  const last = await cli(...args, '--json');
  assert.equal(last.status, 0, last.stderr);
  const s = JSON.parse(last.stdout.trim().split('\n').at(-1)!);
  assert.equal(s.saved, 'last');
  assert.equal(s.savedEpoch, s.epochs);
  const best = await cli(...args, '--save-best', '--json');
  const b = JSON.parse(best.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual([b.saved, b.savedEpoch], ['best', b.bestEpoch]);
  assert.ok(b.bestEpoch < b.epochs, `the run went on past its best epoch (${b.bestEpoch} of ${b.epochs})`);
  const saved = JSON.parse(readFileSync(model, 'utf8'));
  assert.equal(saved.meta.history.length, b.bestEpoch);
  const ev = await cli('evaluate', model, '--data', 'validation', '--json');
  assert.equal(JSON.parse(ev.stdout).accuracy, b.bestEvalAccuracy, 'the saved weights are the best epoch’s');
  const text = await cli(...args);
  assert.match(text.stdout, /Saved the last epoch's weights \(epoch \d+\) to .*best\.json( \(the best was epoch \d+: --save-best saves that one\))?\n/);
  await refused(['train', '--save-best'], /--save-best needs --save FILE/);
});

test('choosing the epoch by the test data is refused, the same in the CLI and the API', async () => {
  await refused(
    ['train', '--eval', 'test', '--early-stop', '3'],
    /--early-stop and --schedule choose the epoch by the evaluation data, so --eval must be validation/,
  );
  await refused(['train', '--eval', 'test', '--schedule', 'halve:3'], /so --eval must be validation/);
  const { validateHyperparams } = await import('../src/engine/hyperparams');
  assert.throws(() => validateHyperparams({ evalSet: 'test', halveAfter: 2 }), /must be "validation": choosing by the test data overfits it/);
});

test('the CLI reads only regular files, bounds a model file before parsing, and never echoes control characters', async () => {
  await refused(['predict', '/dev/zero'], /\/dev\/zero: is not a regular file/);
  await refused(['evaluate', '/dev/zero'], /\/dev\/zero is not a file/);
  const fifo = join(dir, 'fifo.png');
  spawnSync('mkfifo', [fifo]);
  if (existsSync(fifo)) await refused(['predict', fifo], /fifo\.png: is not a regular file/);
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const t0 = performance.now();
  await refused(['evaluate', write('objects.json', `[${'{},'.repeat(1_200_000)}{}]`)], /objects\.json: model file holds more than 1000000 objects/);
  await refused(['evaluate', write('deep.json', '['.repeat(200_000) + ']'.repeat(200_000))], /deep\.json: model file is nested deeper than 16 levels/);
  assert.ok(performance.now() - t0 < 30_000);
  const r = await cli('evaluate', write('escape.json', '\u001b[31mred\u0007'));
  assert.equal(r.status, 1);
  assert.ok(![...r.stderr.trimEnd()].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127), 'no raw control characters');
  assert.match(r.stderr, /\\x1b/);
});

test('--digits trains and evaluates on those digits only; --from starts from a saved model', async () => {
  const model = join(dir, 'zero-one.json');
  const r = await cli('train', '--sizes', '784,10,10', '--train-size', '2000', '--digits', '1,0', '--epochs', '2', '--save', model, '--json');
  assert.equal(r.status, 0, r.stderr);
  const epochs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(epochs[1].evalAccuracy > 0.97, `0 against 1: ${epochs[1].evalAccuracy}`);
  assert.deepEqual(JSON.parse(readFileSync(model, 'utf8')).meta.hyperparams.digits, [0, 1]);
  const text = await cli('train', '--sizes', '784,10,10', '--train-size', '2000', '--digits', '0,1', '--epochs', '1');
  // Of the first 2,000 training images, 0s and 1s; of the 10,000 validation images, 0s and 1s.
  assert.match(text.stdout, /Accuracy on evaluation data: \d+ \/ (20\d\d|21\d\d)\n/);
  await refused(['train', '--digits', '0,x'], /--digits must be digits 0-9 separated by commas/);
  await refused(['train', '--digits', '3,3'], /--digits lists a digit twice/);
  await refused(['train', '--digits', ''], /--digits/);

  // --from: one more epoch from the saved weights starts where they left off, far above a fresh start.
  const fresh = await cli('train', '--sizes', '784,10,10', '--train-size', '2000', '--digits', '0,1', '--epochs', '1', '--eta', '1e-9', '--json');
  const cont = await cli(
    'train',
    '--sizes',
    '784,10,10',
    '--train-size',
    '2000',
    '--digits',
    '0,1',
    '--epochs',
    '1',
    '--eta',
    '1e-9',
    '--from',
    model,
    '--json',
  );
  assert.equal(cont.status, 0, cont.stderr);
  const first = (s: string) => JSON.parse(s.trim().split('\n')[0]).evalAccuracy;
  assert.equal(first(cont.stdout), epochs[1].evalAccuracy, 'the saved weights, unchanged by a step of 1e-9');
  assert.ok(first(fresh.stdout) < first(cont.stdout));
  await refused(['train', '--sizes', '784,30,10', '--from', model], /--from: .*zero-one\.json is a 784-10-10 network, not the 784-30-10 of --sizes/);
  await refused(['train', '--from', join(dir, 'nope.json')], /nope\.json: no such file/);
});

test('train prints the share of saturated hidden neurons, before training and after each epoch; --monitor without inside drops it', async () => {
  const r = await cliInProcess('train', '--sizes', '784,30,10', '--init', 'large', '--epochs', '1', '--train-size', '1000');
  assert.equal(r.status, 0, r.stderr);
  const start = /Saturated hidden neurons before training: layer 2 (\d+\.\d)%/.exec(r.stdout);
  assert.ok(start && Number(start[1]) > 50, r.stdout);
  assert.match(r.stdout, /\nSaturated hidden neurons: layer 2 \d+\.\d%\n/);
  const json = await cliInProcess('train', '--sizes', '784,30,10', '--epochs', '1', '--train-size', '1000', '--json');
  const epoch = JSON.parse(json.stdout.split('\n')[0]);
  assert.equal(epoch.inside.layers[0].neurons, 30);
  const off = await cliInProcess('train', '--sizes', '784,30,10', '--epochs', '1', '--train-size', '1000', '--monitor', 'eval-accuracy');
  assert.doesNotMatch(off.stdout, /Saturated/);
});

test('--help (or -h) after any command prints its usage instead of an error', async () => {
  for (const command of ['train', 'evaluate', 'predict', 'sweep', 'worker', 'baseline']) {
    for (const flag of ['--help', '-h']) {
      const r = await cli(command, flag);
      assert.equal(r.status, 0, `${command} ${flag}: ${r.stderr}`);
      assert.ok(r.stdout.startsWith(`usage: npm run ${command} `), `${command} ${flag}: ${r.stdout}`);
    }
  }
  assert.match((await cli('train', '--help')).stdout, /--monitor eval-accuracy,eval-cost,train-accuracy,train-cost,inside/);
});
