// The lab's face in Chromium, against the real browser-mode server and services: drawing digits,
// running a preset and watching its curve grow, pause/resume/stop, saving and loading a model,
// the renderer staying responsive while two runs train, and no console errors throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { chromiumMissing, openLab, type Lab } from './lab';
import { repoRoot } from '../../src/main/paths';
import { defaultHyperparams } from '../../src/engine/hyperparams';

const skip = chromiumMissing();

// The page's side, typed just enough: this file is checked without the DOM library.
type LongTask = { at: number; ms: number };
type PageGlobals = { longTasks: LongTask[] };
type Canvas = { toDataURL(): string };
type Select = { options: ArrayLike<{ textContent: string | null }>; selectedIndex: number };
const STROKES = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/strokes.json'), 'utf8')) as Record<string, number[][][]>;
let lab: Lab;

before(async () => {
  if (skip) return;
  lab = await openLab();
  // Collect long tasks from the start; the responsiveness test reads them.
  await lab.page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) });
    }).observe({ type: 'longtask' as 'mark', buffered: true });
  });
});

after(async () => {
  if (lab) await lab.close();
});

/** Draws a fixture digit with the mouse, optionally scaled about the pad's centre and moved (pad pixels). */
async function drawDigit(page: Page, digit: string, size = 1, dx = 0, dy = 0): Promise<string> {
  await page.getByRole('button', { name: 'Clear' }).click();
  const pad = page.getByRole('img', { name: 'Drawing pad' });
  const box = (await pad.boundingBox())!;
  const border = 2;
  const scale = (box.width - 2 * border) / 280;
  const at = (p: number[]) => [box.x + border + (140 + (p[0] - 140) * size + dx) * scale, box.y + border + (140 + (p[1] - 140) * size + dy) * scale] as const;
  for (const stroke of STROKES[digit]) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 1 });
    await page.mouse.up();
  }
  // The prediction is the drawing's once no request is out or queued (the panel's aria-busy).
  await page.locator('[data-testid="prediction"][aria-busy="false"]').waitFor();
  return ((await page.getByTestId('predicted-digit').textContent()) ?? '').trim();
}

async function normalizationMissing(): Promise<string | false> {
  try {
    await lab.api.predict({ kind: 'default' }, { width: 1, height: 1, pixels: [0] });
    return false;
  } catch (e) {
    const m = (e as Error).message;
    return /not available/.test(m) ? `the services cannot predict yet: ${m}` : false;
  }
}

test('digits drawn with the mouse, centred, small and off-centre or large, get the right predictions from the bundled default model', { skip }, async (t) => {
  if (!existsSync(join(repoRoot(), 'resources/models/default.json'))) return t.skip('resources/models/default.json is not committed yet');
  const missing = await normalizationMissing();
  if (missing) return t.skip(missing);
  const page = lab.page;
  await page.getByRole('tab', { name: 'Draw' }).click();
  for (const digit of ['1', '0', '7']) {
    assert.equal(await drawDigit(page, digit), digit, `drew a ${digit}`);
  }
  // Small in a corner, or large: the normalization makes them look like MNIST digits again.
  // The pad's pen is never fatter than MNIST's strokes for the digit's size: a small 5 stays a 5.
  for (const [size, dx, dy] of [
    [0.25, 60, 50],
    [0.35, 80, 80],
    [0.5, -60, -60],
    [1.2, -10, 0],
  ]) {
    for (const digit of ['0', '1', '2', '3', '4', '5', '7']) {
      assert.equal(await drawDigit(page, digit, size, dx, dy), digit, `drew a ${digit} at ${size}× moved by (${dx}, ${dy})`);
    }
  }
  // The hidden layer's activations for the drawing, beside the prediction (ConvNetJS shows them too).
  const hidden = page.getByRole('group', { name: 'Hidden layer activations for this drawing' });
  assert.equal(await hidden.locator('rect').count(), 100);
  // The normalization stages are shown small.
  for (const name of ['Raw drawing', 'Cropped to the ink', 'Fitted into 20×20', 'Centred in 28×28 by mass']) {
    assert.ok(await page.getByRole('img', { name }).isVisible(), name);
  }
  await page.getByRole('tab', { name: 'Train' }).click();
});

async function startRun(page: Page, preset: string, epochs: number, trainSize: number, name: string) {
  await page.getByRole('button', { name: `Edit preset: ${preset}` }).click();
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await form.getByLabel('Training images', { exact: true }).fill(String(trainSize));
  await form.getByRole('button', { name: 'Start run' }).click();
  const row = page.locator('tr', { has: page.getByText(name, { exact: true }) });
  await row.waitFor();
  return row;
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000) {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > timeoutMs) {
      const runs = (await lab.api.listRuns()).map((r) => `${r.name}: ${r.state} ${r.epochsDone}/${r.hyperparams.epochs} (${r.stoppedBecause ?? ''})`);
      throw new Error(`timed out waiting for ${what}; runs: ${runs.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('a preset, shortened in the builder, trains and its curve grows in the chart', { skip }, async () => {
  const page = lab.page;
  const row = await startRun(page, 'Ch. 3: 784-30-10, cross-entropy, η = 0.5', 5, 10_000, 'short ch3');
  const chart = page.getByRole('img', { name: 'Chart: Classification accuracy' });
  // Snapshot the chart in the page as soon as an epoch has arrived but the run is not yet done.
  const early = await page.waitForFunction(
    (name) => {
      const doc = (
        globalThis as unknown as {
          document: {
            querySelectorAll(q: string): ArrayLike<{ textContent: string | null; querySelectorAll(q: string): ArrayLike<{ textContent: string | null }> }>;
            querySelector(q: string): unknown;
          };
        }
      ).document;
      const tr = Array.from(doc.querySelectorAll('tr[data-run-id]')).find((r) => r.textContent?.includes(name));
      const epoch = Number((tr?.querySelectorAll('td')[3]?.textContent ?? '0').split('/')[0]);
      const canvas = doc.querySelector('canvas[aria-label="Chart: Classification accuracy"]') as Canvas | null;
      return epoch >= 1 && epoch < 5 && canvas ? { epoch, png: canvas.toDataURL() } : null;
    },
    'short ch3',
    { polling: 20, timeout: 60_000 },
  );
  const { png: earlyPng } = (await early.jsonValue())!;
  await waitFor('the run to finish', async () => (await row.getAttribute('data-state')) === 'finished');
  const late = await chart.evaluate((c) => (c as unknown as Canvas).toDataURL());
  assert.notEqual(late, earlyPng, 'the accuracy chart grew with the later epochs');
  const best = (await row.locator('td.best').textContent()) ?? '';
  assert.match(best, /^\d+\.\d\d% @\d$/, `best accuracy shown: ${best}`);
  assert.ok(Number.parseFloat(best) > 85, `5 epochs on 10,000 images reach more than 85%: ${best}`);
});

test('two runs train while the renderer stays responsive; pause, resume, change eta and stop', { skip }, async (t) => {
  const page = lab.page;
  const since = await page.evaluate(() => performance.now());
  const a = await startRun(page, 'Ch. 3: 784-30-10, λ = 5 on 50,000 images', 400, 20_000, 'run A');
  const b = await startRun(page, 'Ch. 3: 784-100-10, λ = 5', 400, 20_000, 'run B');
  await waitFor('both runs to report an epoch', async () => {
    const ea = (await a.locator('td').nth(3).textContent()) ?? '';
    const eb = (await b.locator('td').nth(3).textContent()) ?? '';
    return !ea.startsWith('0/') && !eb.startsWith('0/');
  });
  // Watch the live view in 3-second windows while both train. The build machine is shared with
  // other people's test suites (load 4-6 on 2 cores), which now and then stretches a frame past
  // 50 ms however little the page does (traces show a starved GC helper or compositor thread):
  // so ask for one clean window out of up to five, and never a freeze (a task over 250 ms).
  const windows: LongTask[][] = [];
  let start = since;
  for (let w = 0; w < 5; w++) {
    await page.waitForTimeout(3000);
    const end = await page.evaluate(() => performance.now());
    const all = await page.evaluate(() => (globalThis as unknown as PageGlobals).longTasks);
    windows.push(all.filter((x) => x.at >= start && x.at < end));
    start = end;
    if (windows[w].every((x) => x.ms <= 50)) break;
  }
  const seen = windows.flat();
  t.diagnostic(`renderer long tasks while two runs trained, per 3 s window: ${JSON.stringify(windows)}`);
  assert.ok(
    windows.some((w) => w.every((x) => x.ms <= 50)),
    `no 3 s window free of tasks over 50 ms: ${JSON.stringify(windows)}`,
  );
  assert.deepEqual(
    seen.filter((x) => x.ms > 250),
    [],
    'no freeze while two runs train',
  );
  const runsNow = await lab.api.listRuns();
  assert.equal(runsNow.filter((r) => r.state === 'running').length, 2, 'both runs were still training while measured');

  await a.getByRole('button', { name: 'Pause run A' }).click();
  await waitFor('run A paused', async () => (await a.getAttribute('data-state')) === 'paused', 20_000);
  await a.getByRole('button', { name: 'Resume run A' }).click();
  await waitFor('run A running again', async () => (await a.getAttribute('data-state')) === 'running', 20_000);
  await a.getByLabel('New learning rate for run A').fill('0.25');
  await a.getByRole('button', { name: 'Set the learning rate of run A' }).click();
  await waitFor('run A to use the new learning rate', async () => (await lab.api.listRuns()).find((r) => r.name === 'run A')?.currentEta === 0.25, 20_000);
  for (const [row, name] of [
    [a, 'run A'],
    [b, 'run B'],
  ] as const) {
    await row.getByRole('button', { name: `Stop ${name}` }).click();
    await waitFor(`${name} stopped`, async () => (await row.getAttribute('data-state')) === 'stopped', 20_000);
    assert.equal((await row.locator('td.state').textContent())?.trim(), 'stopped', 'the state says stopped once, not "stopped (stopped)"');
  }
});

test('a model is saved (downloaded) and loaded back (uploaded)', { skip }, async () => {
  const page = lab.page;
  const select = page.getByRole('combobox', { name: 'Model for the pad and analysis' });
  const index = await select.evaluate((s) => Array.from((s as unknown as Select).options).findIndex((o) => o.textContent?.includes('short ch3')));
  assert.ok(index >= 0, 'the finished run is offered as a model');
  await select.selectOption(String(index));
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save model…' }).click();
  const file = await (await download).path();
  const json = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(json.sizes, [784, 30, 10]);
  assert.equal(json.cost, 'CrossEntropyCost');
  assert.equal(json.weights[0].length, 30);
  assert.equal(json.weights[0][0].length, 784);

  await page
    .locator('input[type=file][aria-label="Model file to load"]')
    .setInputFiles({ name: 'saved-short.json', mimeType: 'application/json', buffer: readFileSync(file) });
  await page.getByRole('status').filter({ hasText: 'Loaded' }).waitFor();
  const selected = await page.getByRole('combobox', { name: 'Model for the pad and analysis' }).evaluate((s) => {
    const sel = s as unknown as Select;
    return sel.options[sel.selectedIndex]?.textContent ?? '';
  });
  assert.match(selected, /saved-short/);

  // A bad file is refused with one line and changes nothing.
  await page
    .locator('input[type=file][aria-label="Model file to load"]')
    .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"sizes": [784, 10]') });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.doesNotMatch((await alert.textContent()) ?? '', /\n/);
});

test('an image file opened or dropped on the pad is classified like a drawing', { skip }, async (t) => {
  const missing = await normalizationMissing();
  if (missing) return t.skip(missing);
  const page = lab.page;
  await page.getByRole('tab', { name: 'Draw' }).click();
  // A dark "1" on white paper, off-centre and small, as a photo or scan would give it.
  const w = 120;
  const h = 90;
  const pixels = Buffer.alloc(w * h, 255);
  for (let y = 20; y < 70; y++) for (let x = 80; x < 86; x++) pixels[y * w + x + Math.round((70 - y) / 12)] = 20;
  const png = await sharp(pixels, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
  await page.locator('input[type=file][aria-label="Image file to classify"]').setInputFiles({ name: 'one.png', mimeType: 'image/png', buffer: png });
  await page.getByText('Image: one.png').waitFor();
  await waitFor('a prediction for the file', async () => ((await page.getByTestId('predicted-digit').textContent()) ?? '').trim() === '1', 15_000);
  // The same file dropped on the pad.
  await page.getByRole('button', { name: 'Clear' }).click();
  const drop = await page.evaluateHandle((b64) => {
    const g = globalThis as unknown as {
      DataTransfer: new () => { items: { add(f: unknown): void } };
      File: new (parts: unknown[], name: string, o: { type: string }) => unknown;
      Uint8Array: typeof Uint8Array;
      atob(s: string): string;
    };
    const bytes = g.Uint8Array.from(g.atob(b64), (c) => c.charCodeAt(0));
    const dt = new g.DataTransfer();
    dt.items.add(new g.File([bytes], 'dropped.png', { type: 'image/png' }));
    return dt;
  }, png.toString('base64'));
  await page.getByRole('img', { name: 'Drawing pad' }).dispatchEvent('drop', { dataTransfer: drop });
  await page.getByText('Image: dropped.png').waitFor();
  await waitFor('a prediction for the dropped file', async () => ((await page.getByTestId('predicted-digit').textContent()) ?? '').trim() === '1', 15_000);
  // A light "1" on a transparent PNG: the pad decodes files with the lab's one decoder (as the CLI
  // does), which lays transparency on a background opposite to the ink, so it is not read as blank.
  const side = 120;
  const rgba = Buffer.alloc(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) rgba.set([255, 255, 255, Math.abs(x - 60) < 9 && y > 15 && y < 105 ? 255 : 0], 4 * (y * side + x));
  const light = await sharp(rgba, { raw: { width: side, height: side, channels: 4 } })
    .png()
    .toBuffer();
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator('input[type=file][aria-label="Image file to classify"]').setInputFiles({ name: 'light.png', mimeType: 'image/png', buffer: light });
  await page.getByText('Image: light.png').waitFor();
  await page.locator('[data-testid="prediction"][aria-busy="false"]').waitFor();
  assert.equal(((await page.getByTestId('predicted-digit').textContent()) ?? '').trim(), '1');
  // A blank image, then a file that is no image: the last prediction does not stay on screen.
  const blank = await sharp(Buffer.alloc(64 * 64, 255), { raw: { width: 64, height: 64, channels: 1 } })
    .png()
    .toBuffer();
  for (const [name, buffer] of [
    ['blank.png', blank],
    ['notes.png', Buffer.from('these are not pixels')],
  ] as const) {
    await page.locator('input[type=file][aria-label="Image file to classify"]').setInputFiles({ name, mimeType: 'image/png', buffer });
    await page.getByText(`Image: ${name}`).waitFor();
    await page.getByRole('alert').first().waitFor();
    await waitFor(`no prediction shown for ${name}`, async () => (await page.getByTestId('predicted-digit').count()) === 0, 15_000);
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
  await page.getByRole('tab', { name: 'Train' }).click();
});

test("analysis: confusion matrix, a cell's gallery with top-3 probabilities, receptive fields, augmentation preview", { skip }, async () => {
  const page = lab.page;
  const select = page.getByRole('combobox', { name: 'Model for the pad and analysis' });
  await select.selectOption('0');
  await page.getByRole('tab', { name: 'Analyse' }).click();
  await page.getByRole('button', { name: 'Compute' }).click();
  const summary = page.getByText(/accuracy \d+\.\d\d% on 10,000 images/);
  await summary.waitFor({ timeout: 60_000 });
  const cells = page.getByRole('table', { name: /Confusion matrix/ }).getByRole('button');
  assert.equal(await cells.count(), 100);
  // Open the largest off-diagonal cell.
  const labels = await cells.evaluateAll((bs) => bs.map((b) => (b as unknown as { getAttribute(n: string): string }).getAttribute('aria-label')));
  const off = labels
    .map((l) => l.match(/^(\d+) images of (\d) predicted as (\d)$/)!)
    .filter((m) => m[2] !== m[3])
    .sort((a, b) => Number(b[1]) - Number(a[1]))[0];
  assert.ok(Number(off[1]) > 0, 'the default model makes some mistakes');
  await page.getByRole('button', { name: off[0] }).click();
  await page.getByRole('heading', { name: new RegExp(`^${off[2]} predicted as ${off[3]}`) }).waitFor();
  const items = page.getByRole('list', { name: 'Gallery' }).getByRole('listitem');
  await items.first().waitFor();
  assert.equal(await items.count(), Math.min(40, Number(off[1])));
  assert.match(((await items.first().textContent()) ?? '').trim(), new RegExp(`^${off[3]}: \\d+\\.\\d%`));
  // The default model's hidden neurons, one tile each.
  const tiles = page.getByRole('group', { name: 'Receptive fields of the hidden neurons' }).getByRole('img');
  await waitFor('receptive fields', async () => (await tiles.count()) > 0, 15_000);
  // Each tile has its neuron's index, and a scale says what black, grey and white mean.
  assert.equal(
    ((await page.getByRole('group', { name: 'Receptive fields of the hidden neurons' }).locator('figcaption').nth(7).textContent()) ?? '').trim(),
    '7',
  );
  await page.getByRole('group', { name: 'Colour scale' }).getByText('most negative weight').waitFor();
  // An image number out of range is refused in one line, before anything is asked of the lab.
  await page.getByLabel('Training image #').fill('60000');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('alert').getByText('Training image # must be a whole number from 0 to 49,999, got 60000').waitFor();
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByLabel('Training image #').fill('0');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('img', { name: /under 16 random transforms/ }).waitFor({ timeout: 15_000 });
  // Each tile is labelled with its transform (the augmentation's rotations here, within ±15°).
  const tileLabels = page.getByRole('list', { name: 'Each tile’s transform, in reading order' }).locator('li');
  assert.equal(await tileLabels.count(), 17);
  assert.equal(await tileLabels.first().textContent(), 'the digit itself');
  assert.match((await tileLabels.nth(1).textContent()) ?? '', /^[+-]\d+\.\d°/);
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('the charts export the overlaid runs as CSV and PNG, and the tabs answer the arrow keys', { skip }, async () => {
  const page = lab.page;
  const download = page.waitForEvent('download');
  await page.getByRole('toolbar', { name: 'Chart options' }).getByRole('button', { name: 'CSV' }).click();
  const text = readFileSync(await (await download).path(), 'utf8');
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'run,name,epoch,seconds,eta,trainCost,trainAccuracy,evalCost,evalAccuracy');
  assert.ok(
    lines.some((l) => l.includes(',short ch3,5,')),
    'the finished preset run is in the CSV',
  );
  const svgDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Accuracy SVG' }).click();
  const svgFile = await svgDownload;
  assert.equal(svgFile.suggestedFilename(), 'accuracy.svg');
  const svgText = readFileSync(await svgFile.path(), 'utf8');
  assert.match(svgText, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svgText.includes('short ch3: eval accuracy'), 'the run is in the SVG legend');
  const png = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Accuracy PNG' }).click();
  const pngFile = await png;
  assert.equal(pngFile.suggestedFilename(), 'accuracy.png');
  const bytes = readFileSync(await pngFile.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  const meta = await sharp(bytes).metadata();
  // Exported at twice the screen's pixels, for print and slides.
  const css = await page.getByRole('img', { name: 'Chart: Classification accuracy' }).boundingBox();
  assert.ok(
    meta.width! >= 2 * Math.floor(css!.width) - 2 && meta.height! >= 2 * Math.floor(css!.height) - 2,
    `${meta.width}x${meta.height} for a ${css!.width}x${css!.height} chart`,
  );
  await page.getByRole('tab', { name: 'Train' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Sweeps' }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByRole('tab', { name: 'Train' }).getAttribute('aria-selected'), 'true');
});

test('the builder refuses bad hyperparameters with one line before anything starts', { skip }, async () => {
  const page = lab.page;
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByRole('button', { name: 'Reset' }).click();
  const before = (await lab.api.listRuns()).length;
  await form.getByLabel('Layer sizes').fill('784,30,9');
  await form.getByRole('button', { name: 'Start run' }).click();
  await form.getByRole('alert').filter({ hasText: 'Layer sizes must end with 10 outputs' }).waitFor({ timeout: 5000 });
  assert.equal(await form.getByLabel('Layer sizes').getAttribute('aria-invalid'), 'true', 'the message is beside its field');
  await form.getByLabel('Layer sizes').fill('784,30,10');
  await form.getByLabel('Learning rate η').fill('-1');
  await form.getByRole('button', { name: 'Start run' }).click();
  // In the user's words, not the validator's ("eta must be in (0, 1000000], got -1").
  await form.getByRole('alert').getByText('η must be a positive number, not -1').waitFor({ timeout: 5000 });
  assert.equal(await form.getByLabel('Learning rate η').getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Learning rate η').fill('');
  await form.getByRole('button', { name: 'Start run' }).click();
  await form.getByRole('alert').getByText('η needs a number, not an empty field').waitFor({ timeout: 5000 });
  await form.getByLabel('Learning rate η').fill('0.5');
  // Before pressing Run: what the run will plot (and, once this machine has trained, how long it takes).
  assert.match((await page.getByTestId('form-preview').textContent()) ?? '', /plots validation accuracy, training cost/);
  assert.match(
    (await page.getByTestId('preset-preview').first().textContent()) ?? '',
    /^(about .* here|its time is known after a first run here); plots test accuracy, test cost, training cost$/,
  );
  assert.equal((await lab.api.listRuns()).length, before);
});

test('a preset runs in one click beside the book’s figure; a tanh model is flagged as unloadable by network2.py', { skip }, async () => {
  const page = lab.page;
  const name = 'Ch. 3: 1,000 images, 400 epochs, λ = 0.1';
  await page.getByRole('button', { name: `Run preset: ${name}` }).click();
  const row = page.locator('tr', { has: page.getByText(name, { exact: true }) });
  await row.waitFor();
  assert.equal((await row.locator('td').nth(6).textContent())?.trim(), '87.10%');
  await waitFor('an epoch of the preset', async () => !((await row.locator('td').nth(3).textContent()) ?? '').startsWith('0/'));
  await row.getByRole('button', { name: `Stop ${name}` }).click();
  await waitFor('the preset stopped', async () => (await row.getAttribute('data-state')) === 'stopped', 20_000);

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('Name', { exact: true }).fill('tanh run');
  await form.getByLabel('Hidden activation').selectOption('tanh');
  await form.getByLabel('Epochs', { exact: true }).fill('1');
  await form.getByLabel('Training images', { exact: true }).fill('1000');
  await form.getByRole('button', { name: 'Start run' }).click();
  const tanhRow = page.locator('tr', { has: page.getByText('tanh run', { exact: true }) });
  await tanhRow.waitFor();
  await waitFor('the tanh run to finish', async () => (await tanhRow.getAttribute('data-state')) === 'finished');
  await tanhRow.getByRole('button', { name: 'Use the current weights of tanh run in the pad' }).click();
  await page.getByRole('note').filter({ hasText: 'network2.py cannot load this model' }).waitFor();
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('the pad takes touch and pen as well as the mouse', { skip }, async (t) => {
  const missing = await normalizationMissing();
  if (missing) return t.skip(missing);
  const page = lab.page;
  await page.getByRole('tab', { name: 'Draw' }).click();
  const cdp = await lab.context.newCDPSession(page);
  const box = (await page.getByRole('img', { name: 'Drawing pad' }).boundingBox())!;
  const scale = (box.width - 4) / 280;
  const at = (p: number[]) => ({ x: box.x + 2 + p[0] * scale, y: box.y + 2 + p[1] * scale });
  const stroke = STROKES['1'][0];

  await page.getByRole('button', { name: 'Clear' }).click();
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(stroke[0])] });
  for (const p of stroke.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await waitFor(
    'a prediction from touch',
    async () =>
      (
        (await page
          .getByTestId('predicted-digit')
          .textContent({ timeout: 5000 })
          .catch(() => '')) ?? ''
      ).trim() === '1',
    15_000,
  );

  await page.getByRole('button', { name: 'Clear' }).click();
  const seven = STROKES['7'][0];
  const pen = (type: 'mousePressed' | 'mouseMoved' | 'mouseReleased', p: number[]) =>
    cdp.send('Input.dispatchMouseEvent', { type, ...at(p), button: 'left', buttons: type === 'mouseReleased' ? 0 : 1, clickCount: 1, pointerType: 'pen' });
  await pen('mousePressed', seven[0]);
  for (const p of seven.slice(1)) await pen('mouseMoved', p);
  await pen('mouseReleased', seven[seven.length - 1]);
  await waitFor(
    'a prediction from the pen',
    async () =>
      (
        (await page
          .getByTestId('predicted-digit')
          .textContent({ timeout: 5000 })
          .catch(() => '')) ?? ''
      ).trim() === '7',
    15_000,
  );
  await cdp.detach();
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('deleting a run removes it from the table and from the models', { skip }, async () => {
  const page = lab.page;
  const row = page.locator('tr', { has: page.getByText('tanh run', { exact: true }) });
  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Delete tanh run' }).click();
  await row.waitFor({ state: 'detached' });
  assert.ok(!(await lab.api.listRuns()).some((r) => r.name === 'tanh run'));
  const options = await page
    .getByRole('combobox', { name: 'Model for the pad and analysis' })
    .evaluate((s) => Array.from((s as unknown as Select).options).map((o) => o.textContent ?? ''));
  assert.ok(!options.some((o) => o.includes('tanh run')), JSON.stringify(options));
});

test("the one-neuron page shows chapter 3's learning slowdown from the book's two starts, with the engine's numbers", { skip }, async () => {
  const page = lab.page;
  await page.getByRole('tab', { name: 'Ch. 3 demos' }).click();
  const book = (cost: 'quadratic' | 'cross-entropy', w: number, b: number) => lab.api.neuron({ cost, w, b, x: 1, y: 0, eta: 0.15, epochs: 300 });
  for (const [start, w, b] of [
    ['Start at w = 2, b = 2 (output 0.98)', 2, 2],
    ['Start at w = 0.6, b = 0.9 (output 0.82)', 0.6, 0.9],
  ] as const) {
    await page.getByRole('button', { name: start }).click();
    // Once the animation has drawn all 300 epochs, the table shows the engine's epoch 300 of both costs.
    for (const cost of ['quadratic', 'cross-entropy'] as const) {
      const want = (await book(cost, w, b))[300].output.toFixed(3);
      const at300 = async () => (await page.getByTestId('neuron-epoch').textContent())?.startsWith('At epoch 300;') === true;
      await waitFor(
        `${cost} from w = ${w}, b = ${b} to reach ${want} at epoch 300`,
        async () => (await at300()) && (await page.getByTestId(`output-${cost}`).textContent()) === want,
        15_000,
      );
    }
  }
  // The slowdown itself: from output 0.98 the quadratic neuron is still near 0.98 at epoch 50 when
  // the cross-entropy one is below 0.5 (the book's figures), in the numbers the page draws.
  const [q, c] = [await book('quadratic', 2, 2), await book('cross-entropy', 2, 2)];
  assert.ok(q[50].output > 0.95 && c[50].output < 0.5);
  await expectCanvases(page, 2);
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('a run on a subset of digits from the builder: the form takes "0,1" and the run records it', { skip }, async () => {
  const page = lab.page;
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('Name', { exact: true }).fill('zeros and ones');
  await form.getByLabel('Layer sizes', { exact: true }).fill('784,10,10');
  await form.getByLabel('Epochs', { exact: true }).fill('1');
  await form.getByLabel('Training images', { exact: true }).fill('1000');
  await form.getByLabel('Digits', { exact: true }).fill('0,1');
  await form.getByRole('button', { name: 'Start run' }).click();
  await page.locator('tr', { has: page.getByText('zeros and ones', { exact: true }) }).waitFor();
  const run = (await lab.api.listRuns()).find((r) => r.name === 'zeros and ones')!;
  assert.deepEqual(run.hyperparams.digits, [0, 1]);
  await form.getByLabel('Digits', { exact: true }).fill('0,12');
  await form.getByRole('button', { name: 'Start run' }).click();
  await form.getByText(/Digits must hold digits 0-9, got 12/).waitFor();
  await form.getByLabel('Digits', { exact: true }).fill('');
});

test('the softmax demo: the activations sum to 1, rise and fall together, and give the log-likelihood cost', { skip }, async () => {
  const page = lab.page;
  await page.getByRole('tab', { name: 'Ch. 3 demos' }).click();
  const read = async (id: string) => Number(((await page.getByTestId(id).textContent()) ?? '').replace(/^.*= /, ''));
  const before = [await read('a1'), await read('a2'), await read('a3'), await read('a4')];
  assert.ok(Math.abs(before.reduce((s, v) => s + v, 0) - 1) < 0.003);
  // The book's starting point: z = (2.5, −1, 3.2, 0.5).
  const e = [2.5, -1, 3.2, 0.5].map(Math.exp);
  assert.equal(before[2].toFixed(3), (e[2] / e.reduce((s, v) => s + v, 0)).toFixed(3));
  await page.getByLabel('z1', { exact: true }).fill('5');
  const after = [await read('a1'), await read('a2'), await read('a3'), await read('a4')];
  assert.ok(after[0] > before[0], 'a1 rises with z1');
  for (const j of [1, 2, 3]) assert.ok(after[j] < before[j], `a${j + 1} falls`);
  assert.equal(await page.getByTestId('softmax-sum').textContent(), '1.000');
  await page.getByRole('combobox', { name: 'Target class' }).selectOption('0');
  assert.equal(await page.getByTestId('softmax-cost').textContent(), (-Math.log(after[0])).toFixed(3));
  await page.getByRole('tab', { name: 'Train' }).click();
});

async function expectCanvases(page: Page, n: number): Promise<void> {
  assert.equal(await page.locator('#view-neuron canvas').count(), n);
}

test("backpropagation step by step: a neuron's BP2 terms, BP3 and BP4 with the engine's numbers, and the gradient check", { skip }, async () => {
  const page = lab.page;
  await page.getByRole('tab', { name: 'Backprop' }).click();
  const summary = page.locator('#view-backprop p.summary');
  await summary.getByText(/^A 7; the network answers 7\. Target y = 7, cross-entropy cost/).waitFor({ timeout: 30_000 });
  // Select hidden neuron 5 of layer 2 by clicking its δ cell.
  await page.getByRole('group', { name: 'δ of layer 2' }).locator('rect[data-index="5"]').click();
  await page.getByRole('heading', { name: 'Neuron 5 of layer 2' }).waitFor();
  const want = await lab.api.backprop({
    model: { kind: 'default' },
    input: { kind: 'mnist', data: 'test', index: 0 },
    target: null,
    cost: null,
    select: { layer: 0, j: 5 },
    check: [],
  });
  const five = (x: number) => String(Number(x.toPrecision(5)));
  const eq = (name: string) => page.locator(`#view-backprop [data-eq="${name}"] strong:last-of-type`);
  await waitFor('BP3 to show δ of neuron 5', async () => (await eq('BP3').textContent()) === five(want.delta[0][5]));
  assert.equal(await eq('BP2').textContent(), five(want.delta[0][5]));
  assert.equal(await page.getByRole('table', { name: 'BP2 terms' }).locator('tbody tr').count(), 10);
  // BP4: the weight from pixel 300 (picked by clicking it on the input) into neuron 5.
  await page.getByRole('group', { name: 'Input pixels a¹' }).locator('rect[data-index="300"]').click();
  await waitFor('BP4 for input 300', async () => (await eq('BP4').textContent()) === five(want.a[0][300] * want.delta[0][5]));
  // The gradient check: the selected bias and weight, then 20 random parameters more.
  const rows = page.getByRole('table', { name: 'Gradient check results' }).locator('tbody tr');
  await waitFor('two checked parameters', async () => (await rows.count()) === 2);
  await page.getByRole('button', { name: 'Check 20 random parameters' }).click();
  await waitFor('22 checked parameters', async () => (await rows.count()) === 22);
  const worst = (await page.getByText(/^largest relative error /).textContent()) ?? '';
  assert.ok(Number(worst.replace('largest relative error ', '')) < 1e-4, worst);
  // From the analysis gallery: a misclassified image opens here.
  await page.getByRole('tab', { name: 'Analyse' }).click();
  await page.getByRole('button', { name: 'Compute' }).click();
  await page.getByRole('button', { name: /images of 4 predicted as 9/ }).click();
  const step = page.getByRole('button', { name: /^Step through backpropagation on image \d+$/ }).first();
  const index = Number(((await step.getAttribute('aria-label')) ?? '').replace(/\D+/g, ''));
  await step.click();
  await summary.getByText(/^A 4; the network answers 9\./).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByLabel('Image number').inputValue(), String(index));
  // The pad's drawing: a 3 drawn on the Draw tab, stepped through here with the network's answer as y.
  await page.getByRole('tab', { name: 'Draw' }).click();
  const drawn = await drawDigit(page, '3');
  await page.getByRole('tab', { name: 'Backprop' }).click();
  await page.getByRole('radio', { name: 'the drawing from the pad' }).check();
  await summary.getByText(new RegExp(`^The drawing; the network answers ${drawn}\\. Target y = ${drawn},`)).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Train' }).click();
});

test("inside the network: the book's two initializations, saturated from the start under N(0,1), not under N(0,1/n_in)", { skip }, async () => {
  const page = lab.page;
  for (const [id, name] of [
    ['ch3-init-old', 'old init (inside)'],
    ['ch3-init-new', 'new init (inside)'],
  ] as const) {
    const p = (await import('../../src/shared/experiments')).experimentById(id)!;
    await lab.api.startRun({ ...p.hyperparams, epochs: 2, trainSize: 2000 }, name, id);
  }
  await waitFor('both to finish', async () => (await lab.api.listRuns()).filter((r) => r.name.endsWith('(inside)') && r.state === 'finished').length === 2);
  await page.getByRole('tab', { name: 'Inside' }).click();
  await page.getByRole('combobox', { name: 'Run A' }).selectOption({ label: 'old init (inside)' });
  await page.getByRole('combobox', { name: 'Run B' }).selectOption({ label: 'new init (inside)' });
  await page.getByRole('slider', { name: 'Epoch of the histograms' }).fill('0');
  const table = page.getByRole('table', { name: 'Figures at this epoch' });
  const saturated = async (name: string) => {
    const row = table.locator('tbody tr', { hasText: name });
    assert.equal(await row.locator('td').nth(1).textContent(), '0');
    return Number.parseFloat((await row.locator('td').nth(2).textContent()) ?? '');
  };
  await waitFor('epoch 0 in the table', async () => (await table.locator('tbody tr').count()) === 2);
  const old = await saturated('old init (inside)');
  const neu = await saturated('new init (inside)');
  assert.ok(old > 50, `most hidden neurons saturated under N(0,1): ${old}%`);
  assert.ok(neu < 5, `few under N(0,1/n_in): ${neu}%`);
  for (const chart of ['Saturated hidden neurons', "Mean |w| of each layer's weights", 'Gradient norm ‖∂C/∂w‖ per layer'])
    assert.equal(await page.getByRole('img', { name: `Chart: ${chart}` }).count(), 1, chart);
  assert.equal(await page.getByRole('img', { name: /^Weighted inputs z of layer 2 \(epoch 0\)\. old init/ }).count(), 1);
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('train from these weights: the bundled model fills the form, and the run starts from it', { skip }, async () => {
  const page = lab.page;
  await page.getByRole('combobox', { name: 'Model for the pad and analysis' }).selectOption({ label: 'Default model (bundled) (784-100-10)' });
  await page.getByRole('button', { name: 'Train from these weights' }).click();
  const form = page.getByRole('form', { name: 'New run' });
  assert.equal(await form.getByLabel('Layer sizes', { exact: true }).inputValue(), '784,100,10');
  await form.getByLabel('Name', { exact: true }).fill('from the bundled');
  await form.getByLabel('Epochs', { exact: true }).fill('1');
  await form.getByLabel('Training images', { exact: true }).fill('1000');
  await form.getByRole('button', { name: 'Start run' }).click();
  const row = page.locator('tr[data-run-id]', { hasText: 'from the bundled' });
  await row.getByText('from the weights of Default model (bundled)').waitFor();
  await waitFor('the run to finish', async () => (await row.getAttribute('data-state')) === 'finished');
  const best = Number.parseFloat((await row.locator('td.best').textContent()) ?? '');
  assert.ok(best > 95, `a run from the trained weights starts where they are: ${best}%`);
  // A model of other sizes is refused with one line.
  await form.getByLabel('Layer sizes', { exact: true }).fill('784,30,10');
  await form.getByRole('button', { name: 'Start run' }).click();
  await page
    .getByRole('alert')
    .getByText(/cannot start from Default model \(bundled\): it is a 784-100-10 network, not the 784-30-10/)
    .waitFor();
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await form.getByRole('combobox', { name: 'Start from' }).selectOption({ label: 'random weights (the initialization below)' });
});

test("chapter 1's baselines from the analysis page: average darkness and a small SVM", { skip }, async () => {
  const page = lab.page;
  await page.getByRole('tab', { name: 'Analyse' }).click();
  await page.getByRole('button', { name: 'Average darkness' }).click();
  await page.getByTestId('darkness-result').getByText('2,225 of 10,000 test images (22.25%); the book: 2,225').waitFor();
  const panel = page.locator('.baselines');
  await panel.getByLabel('Training images').fill('300');
  await panel.getByLabel('Test images').fill('500');
  await panel.getByRole('button', { name: 'Train the SVM' }).click();
  const result = page.getByTestId('svm-result');
  const text = async () => ((await result.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  await waitFor('the SVM result', async () => /^\d+ of 500 test images \(\d+\.\d\d%\), trained on 300 images in \d+\.\d s/.test(await text()), 60_000);
  const want = (await lab.api.baseline({ method: 'svm', trainSize: 300, testSize: 500 })) as { correct: number };
  assert.ok((await text()).startsWith(`${want.correct} of 500`), await text());
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('a sweep defined as JSON runs from the Sweeps page: its heat map, its table, its runs; a one-axis η sweep gives the threshold', { skip }, async () => {
  const page = lab.page;
  await page.getByRole('tab', { name: 'Sweeps' }).click();
  const spec = (axes: unknown[], name: string) =>
    JSON.stringify({
      name,
      base: { hyperparams: { sizes: [784, 10, 10], epochs: 2, trainSize: 500, monitor: { evalAccuracy: true, trainCost: true, inside: false } } },
      axes,
      seeds: 1,
    });
  const box = page.getByLabel('Sweep (JSON)');
  await box.fill('{ "axes": [] }');
  await page.getByText('axes must be a list of 1 to 4 axes').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Run sweep' }).isDisabled(), true);
  await box.fill(
    spec(
      [
        { param: 'eta', values: [0.1, 1] },
        { param: 'lambda', values: [0, 1] },
      ],
      'ui grid',
    ),
  );
  await page.getByText(/^4 runs \(eta: 0\.1, 1 × lambda: 0, 1\)$/).waitFor();
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const status = page.getByTestId('sweep-status');
  await status.getByText('4 of 4 points, finished').waitFor({ timeout: 120_000 });
  assert.equal(await page.getByRole('table', { name: 'Heat map of the best accuracy' }).locator('tbody td').count(), 4);
  const rows = page.getByRole('table', { name: 'Sweep results' }).locator('tbody tr');
  assert.equal(await rows.count(), 4);
  const want = (await lab.api.listSweeps()).find((s) => s.spec.name === 'ui grid')!;
  const first = want.points[0];
  assert.match((await rows.first().textContent()) ?? '', new RegExp(`${(first.result!.bestEvalAccuracy! * 100).toFixed(2)}%`));
  // A row opens its run in the Train tab's charts and table.
  await page.getByRole('button', { name: 'Open the runs of eta 0.1, lambda 0' }).click();
  await page.locator(`tr[data-run-id="${first.runId}"]`).waitFor();
  assert.equal(await page.locator(`tr[data-run-id="${first.runId}"]`).isVisible(), true);
  await page.getByRole('tab', { name: 'Sweeps' }).click();
  await box.fill(spec([{ param: 'eta', values: [0.5, 3000] }], 'ui threshold'));
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await status.getByText('2 of 2 points, finished').waitFor({ timeout: 120_000 });
  await page
    .getByTestId('eta-threshold')
    .getByText(/^Learning-rate threshold: η = 0\.5,/)
    .waitFor();
  assert.equal(await page.getByRole('img', { name: 'Chart: Best accuracy against eta' }).count(), 1);
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('run colours, order and the shown runs survive a reload and a deletion', { skip }, async () => {
  const page = lab.page;
  const tiny = { ...(await import('../../src/engine/hyperparams')).defaultHyperparams(), sizes: [784, 10, 10], epochs: 1, trainSize: 500 };
  const a = await lab.api.startRun(tiny, 'colour A');
  const b = await lab.api.startRun(tiny, 'colour B');
  await lab.api.settled(a.id);
  await lab.api.settled(b.id);
  const rowOf = (id: string) => page.locator(`tr[data-run-id="${id}"]`);
  await rowOf(b.id).waitFor();
  // Show A, hide B.
  const box = (id: string) => rowOf(id).getByRole('checkbox');
  if (!(await box(a.id).isChecked())) await box(a.id).check();
  if (await box(b.id).isChecked()) await box(b.id).uncheck();
  const snapshot = async () =>
    page.locator('tr[data-run-id]:not([hidden])').evaluateAll((rows) =>
      rows.map((r) => {
        const el = r as unknown as { getAttribute(n: string): string; querySelector(q: string): { style: { background: string }; checked: boolean } };
        return [el.getAttribute('data-run-id'), el.querySelector('.swatch').style.background, el.querySelector('input[type=checkbox]').checked];
      }),
    );
  const before = await snapshot();
  assert.ok(before.findIndex((r) => r[0] === b.id) < before.findIndex((r) => r[0] === a.id), 'newest first');
  await page.reload();
  await page.getByRole('tab', { name: 'Train' }).waitFor();
  await rowOf(b.id).waitFor();
  assert.deepEqual(await snapshot(), before, 'the same order, colours and ticks after a reload');
  await lab.api.deleteRun(a.id);
  await rowOf(a.id).waitFor({ state: 'detached' });
  assert.deepEqual(
    await snapshot(),
    before.filter((r) => r[0] !== a.id),
    'deleting a run changes no other run’s colour',
  );
});

test('at 600 px wide no view is wider than the window', { skip }, async () => {
  const page = lab.page;
  await page.setViewportSize({ width: 600, height: 900 });
  try {
    for (const tab of ['Train', 'Sweeps', 'Draw', 'Analyse', 'Backprop', 'Inside', 'Ch. 3 demos']) {
      await page.getByRole('tab', { name: tab }).click();
      if (tab === 'Analyse') {
        await page.getByRole('button', { name: 'Compute' }).click();
        await page.getByText(/accuracy \d+\.\d+% on 10,000 images/).waitFor({ timeout: 60_000 });
      }
      await page.waitForTimeout(400);
      const { scroll, client } = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return { scroll: d.scrollWidth, client: d.clientWidth };
      });
      assert.ok(scroll <= client + 1, `${tab}: the page is ${scroll} px wide in a ${client} px window`);
    }
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByRole('tab', { name: 'Train' }).click();
  }
});

test('a model file dropped on the window is loaded and becomes the pad’s model', { skip }, async () => {
  const page = lab.page;
  const text = readFileSync(join(repoRoot(), 'test/fixtures/network2-tiny.json'), 'utf8');
  const drop = await page.evaluateHandle((t) => {
    const g = globalThis as unknown as {
      DataTransfer: new () => { items: { add(f: unknown): void } };
      File: new (parts: unknown[], name: string, o: { type: string }) => unknown;
    };
    const dt = new g.DataTransfer();
    dt.items.add(new g.File([t], 'dropped-model.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.locator('main').dispatchEvent('drop', { dataTransfer: drop });
  await page.getByText('Loaded dropped-model.json (dropped on the window).').waitFor();
  const select = page.getByRole('combobox', { name: 'Model for the pad and analysis' });
  assert.match((await select.locator('option:checked').textContent()) ?? '', /^dropped-model\.json/);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await select.selectOption({ label: 'Default model (bundled) (784-100-10)' });
});

test('a run is renamed with a note, and cloned into the form with its settings', { skip }, async () => {
  const page = lab.page;
  const tiny = { ...(await import('../../src/engine/hyperparams')).defaultHyperparams(), sizes: [784, 12, 10], epochs: 1, trainSize: 500, eta: 0.7 };
  const r = await lab.api.startRun(tiny, 'to be renamed', 'ch3-ce-30');
  await lab.api.settled(r.id);
  const row = page.locator(`tr[data-run-id="${r.id}"]`);
  await row.getByRole('button', { name: 'Rename to be renamed or add a note' }).click();
  await row.getByLabel('New name for to be renamed').fill('renamed run');
  await row.getByLabel('Note for to be renamed').fill('η = 0.7 to see it oscillate');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByText('renamed run', { exact: true }).waitFor();
  await row.getByText('η = 0.7 to see it oscillate').waitFor();
  assert.equal((await lab.api.listRuns()).find((x) => x.id === r.id)!.presetId, 'ch3-ce-30', 'the book reference stays');
  await row.getByRole('button', { name: 'Clone renamed run into the form' }).click();
  const form = page.getByRole('form', { name: 'New run' });
  assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), 'renamed run (copy)');
  assert.equal(await form.getByLabel('Layer sizes', { exact: true }).inputValue(), '784,12,10');
  assert.equal(await form.getByLabel('Learning rate η').inputValue(), '0.7');
});

test('the pad undoes and redoes strokes (buttons and Ctrl+Z / Ctrl+Shift+Z), and the pen width is adjustable', { skip }, async (t) => {
  const missing = await normalizationMissing();
  if (missing) return t.skip(missing);
  const page = lab.page;
  await page.getByRole('tab', { name: 'Draw' }).click();
  const digit = await drawDigit(page, '3');
  const undo = page.getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('button', { name: 'Redo' });
  assert.equal(await redo.isDisabled(), true);
  await page.getByRole('img', { name: 'Drawing pad' }).focus();
  await page.keyboard.press('Control+z');
  assert.equal(await redo.isDisabled(), false, 'Ctrl+Z took a stroke back');
  while (!(await undo.isDisabled())) await undo.click();
  await waitFor('no prediction for an empty pad', async () => (await page.getByTestId('predicted-digit').count()) === 0);
  await page.keyboard.press('Control+Shift+z');
  while (!(await redo.isDisabled())) await redo.click();
  await page.locator('[data-testid="prediction"][aria-busy="false"]').waitFor();
  await waitFor(
    'the same prediction after redoing every stroke',
    async () => ((await page.getByTestId('predicted-digit').textContent()) ?? '').trim() === digit,
  );
  await page.getByLabel('Pen width').fill('12');
  await page.locator('[data-testid="prediction"][aria-busy="false"]').waitFor();
  assert.equal(await undo.isDisabled(), false);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('tab', { name: 'Train' }).click();
});

test('no console errors along the way', { skip }, () => {
  assert.deepEqual(lab.errors, []);
});

test('when the server goes away the page says so plainly', { skip }, async () => {
  await lab.server.close();
  await lab.page.getByRole('alert').filter({ hasText: 'connection to the lab server was closed' }).waitFor({ timeout: 10_000 });
  // A call made after the close fails with the same words: the page still says it once.
  await lab.page.getByRole('tab', { name: 'Analyse' }).click();
  await lab.page.getByRole('button', { name: 'Compute' }).click();
  await lab.page.waitForTimeout(500);
  assert.equal(await lab.page.getByRole('alert').filter({ hasText: 'connection to the lab server was closed' }).count(), 1);
});

test(
  'a first start says the bundled model is ready; ? shows the shortcuts; Ctrl+N starts a new run; presentation mode enlarges the type',
  { skip },
  async () => {
    const fresh = await openLab();
    try {
      const page = fresh.page;
      await page
        .getByRole('status')
        .getByText(/^New here\? The bundled model/)
        .waitFor();
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      assert.match((await dialog.textContent()) ?? '', /Ctrl\+P.*pause or resume the latest run/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('tab', { name: 'Draw' }).click();
      await page.keyboard.press('Control+n');
      assert.equal(await page.getByRole('tab', { name: 'Train' }).getAttribute('aria-selected'), 'true');
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement.getAttribute(
            'placeholder',
          ),
        ),
        '(optional)',
      );
      const size = () =>
        page.evaluate(
          () =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string }; document: { documentElement: unknown } }).getComputedStyle(
              (globalThis as unknown as { document: { documentElement: unknown } }).document.documentElement,
            ).fontSize,
        );
      assert.equal(await size(), '14px');
      await page.getByRole('button', { name: 'Present' }).click();
      assert.equal(await size(), '18px');
      await page.reload();
      await page.getByRole('tab', { name: 'Train' }).waitFor();
      assert.equal(await size(), '18px', 'remembered');
      await page
        .getByRole('status')
        .getByText(/^New here/)
        .waitFor({ state: 'detached', timeout: 2000 })
        .catch(() => {});
      assert.equal(await page.getByText(/^New here\?/).count(), 0, 'the hint is given once');
    } finally {
      await fresh.close();
    }
  },
);

test('in 简体中文 and 한국어 no page holds English but the glossary’s kept terms', { skip }, async () => {
  const fresh = await openLab();
  try {
    const page = fresh.page;
    // A finished run, so the run table's rows (settings, state, why it ended) are read too.
    await fresh.api.startRun({ ...defaultHyperparams(), epochs: 1, trainSize: 1000, lambda: 1, halveAfter: 2 }, 'x1');
    await waitFor('the run to finish', async () => (await fresh.api.listRuns()).every((r) => r.state === 'finished'));
    // Words the glossary keeps in English, names of datasets, libraries and keys, units and file formats.
    const kept = new Set(
      'nnlab sigmoid softmax dropout relu tanh png svg csv json mini batch ctrl shift esc delete network in hinton simard english mnist svm libsvm rbf svc scikit learn float sgd ezj ezk'.split(
        ' ',
      ),
    );
    const tabs = {
      zh: ['训练', '扫描', '手写', '分析', '反向传播', '内部', '第 3 章演示'],
      ko: ['학습', '스윕', '그리기', '분석', '역전파', '내부', '3장 시연'],
    };
    for (const [code, name] of [
      ['zh', '简体中文'],
      ['ko', '한국어'],
    ] as const) {
      await page.getByRole('combobox', { name: /Language|语言|언어/ }).selectOption(code);
      // A notice shown before the switch follows it too (the first-start hint).
      await page
        .getByRole('status')
        .getByText(code === 'zh' ? /^初次使用？/ : /^처음이신가요\?/)
        .waitFor();
      if (code === 'zh') {
        // The form's errors are in the user's language too.
        const form = page.getByRole('form', { name: '新的运行' });
        await form.getByLabel('学习率 η').fill('-1');
        await form.getByRole('button', { name: '开始训练' }).click();
        await form.getByRole('alert').getByText('学习率 η 必须是正数，而不是 -1').waitFor();
        await form.getByLabel('学习率 η').fill('0.5');
        await form.getByRole('button', { name: '重置' }).click();
      }
      for (const [i, tab] of tabs[code].entries()) {
        await page.getByRole('tab', { name: tab, exact: true }).click();
        const id = ['train', 'sweeps', 'draw', 'analyse', 'backprop', 'inside', 'neuron'][i];
        if (id === 'backprop') await page.locator('#view-backprop p.summary').waitFor({ timeout: 30_000 });
        else await page.waitForTimeout(300);
        const text = await page.evaluate((view) => {
          const d = (globalThis as unknown as { document: { querySelector(q: string): { innerText: string } | null } }).document;
          const model = d.querySelector('header select[aria-label]')?.innerText ?? '';
          const json = d.querySelector('textarea')?.innerText ?? '';
          return (d.querySelector('header')!.innerText.replace(model, '') + '\n' + d.querySelector(`#view-${view}`)!.innerText.replace(json, '')).replace(
            /network2\.py/g,
            '',
          );
        }, id);
        const english = [...text.matchAll(/[A-Za-z][A-Za-z-]{2,}/g)]
          .map((m) => m[0])
          .filter((w) => !w.split('-').every((p) => kept.has(p.toLowerCase()) || p.length < 3));
        assert.deepEqual([...new Set(english)], [], `English left on the ${id} page in ${name}`);
      }
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang),
        code === 'zh' ? 'zh-CN' : 'ko',
      );
    }
    for (const code of ['zh', 'ko'] as const) {
      await page.getByRole('combobox', { name: /Language|语言|언어/ }).selectOption(code);
      // Refusals are in the user's language: one from the services, across the WebSocket (a model
      // file without weights, dropped on the window), and one from the sweep spec's validation.
      const badModel = await page.evaluateHandle(() => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: unknown): void } };
          File: new (parts: unknown[], name: string, o: { type: string }) => unknown;
        };
        const dt = new g.DataTransfer();
        dt.items.add(new g.File(['{"sizes": [784, 30, 10], "cost": "CrossEntropyCost"}'], 'no-weights.json', { type: 'application/json' }));
        return dt;
      });
      await page.locator('main').dispatchEvent('drop', { dataTransfer: badModel });
      await page
        .getByRole('alert')
        .getByText(code === 'zh' ? '模型文件缺少 "weights"' : '모델 파일에 "weights"이(가) 없습니다', { exact: true })
        .waitFor();
      await page.getByRole('button', { name: code === 'zh' ? '关闭提示' : '알림 닫기' }).click();
      await page.getByRole('tab', { name: tabs[code][1], exact: true }).click();
      const spec = page.getByRole('textbox', { name: code === 'zh' ? '扫描（JSON）' : '스윕 (JSON)' });
      const good = await spec.inputValue();
      await spec.fill('{"axes": [{"param": "eta", "values": [0.5]}], "seeds": 0}');
      await page
        .locator('#spec-status')
        .getByText(code === 'zh' ? 'seeds 必须是 1 到 100 的整数，而不是 0' : 'seeds는 1에서 100 사이의 정수여야 합니다. 입력값: 0', { exact: true })
        .waitFor();
      await spec.fill(good);
      await page.getByRole('tab', { name: tabs[code][0], exact: true }).click();
    }
    await page.reload();
    await page.getByRole('tab', { name: '학습' }).waitFor();
    await page.getByRole('combobox', { name: '언어' }).selectOption('en');
    await page.getByRole('tab', { name: 'Train' }).waitFor();
  } finally {
    await fresh.close();
  }
});
