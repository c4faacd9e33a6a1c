// The desktop shell beyond its window (issue 13), on the real main-process code with the recording
// stand-in for 'electron': one instance, model files from a second launch (and Open Recent), the
// leading run's progress on the taskbar, a notification when a run ends in the background; and
// the packaging config's shape (electron-builder cannot download its tools here).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFakeElectron } from './e2e/fixtures/use-fake-electron';
import { until } from './helpers';
import { callChannel, CHANNEL_MENU } from '../src/shared/shell-api';
import { RecentModels, finishNotice, modelPathsFromArgv, taskbarProgress } from '../src/main/desktop';
import { defaultHyperparams } from '../src/engine/hyperparams';
import type { RunSummary } from '../src/shared/api';

const root = join(import.meta.dirname, '..');
const fakeUrl = useFakeElectron({ modulePath: join(root, 'src/main/runs/worker.ts') });
type Fake = typeof import('./e2e/fixtures/fake-electron');
let fake: Fake;
const dir = mkdtempSync(join(tmpdir(), 'nnlab-desktop-'));

before(async () => {
  fake = (await import(fakeUrl)) as Fake;
  await import('../src/main/index');
  for (let i = 0; i < 200 && fake.recorded.appEvents.get('second-instance') === undefined; i++) await new Promise((r) => setTimeout(r, 20));
});

const win = () => fake.recorded.windows[0];
const invoke = (method: string, ...args: unknown[]) =>
  (fake.recorded.handlers.get(callChannel(method)) as unknown as (e: unknown, ...a: unknown[]) => Promise<unknown>)(
    { sender: win().webContents, senderFrame: { url: 'app://nnlab/index.html' } },
    ...args,
  );
test('one instance: a second launch focuses the window and opens the model files it names, remembered in Open Recent', async () => {
  assert.equal(fake.recorded.singleInstanceLock, 1, 'the single-instance lock is asked for');
  const model = join(dir, 'tiny.json');
  writeFileSync(model, readFileSync(join(root, 'test/fixtures/network2-tiny.json')));
  const second = fake.recorded.appEvents.get('second-instance') as unknown as (e: unknown, argv: string[], cwd: string) => void;
  second({}, ['/usr/bin/nnlab', '--flag', 'tiny.json', 'missing.json'], dir);
  await until('the model to load', () => win().webContents.sent.some((m) => m[0] === CHANNEL_MENU && m[1] === 'models-changed'));
  const models = (await invoke('listModels')) as { label: string }[];
  assert.ok(models.some((m) => m.label === 'tiny.json'));
  assert.deepEqual(fake.recorded.recentDocuments, [model]);
  assert.deepEqual(JSON.parse(readFileSync(join(fake.recorded.userData, 'recent-models.json'), 'utf8')), [model]);
  const file = (fake.recorded.menu as { template: { label?: string; submenu?: { label?: string; submenu?: { label: string }[] }[] }[] }).template.find(
    (m) => m.label === '&File',
  )!;
  const recent = file.submenu!.find((m) => m.label === 'Open Recent')!;
  assert.deepEqual(
    recent.submenu!.map((m) => m.label),
    ['tiny.json'],
  );
  // A file that is no model: one line in a native error box, nothing loaded.
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"sizes": [784, 10]');
  second({}, ['/usr/bin/nnlab', bad], dir);
  await until('the error box', () => fake.recorded.errorBoxes.length > 0);
  assert.match(fake.recorded.errorBoxes[0][1], /bad\.json: .*JSON/);
  assert.equal(fake.recorded.errorBoxes[0][1].includes('\n'), false);
});

test('the leading run’s progress is on the taskbar, and a run that ends in the background is notified', async () => {
  fake.recorded.focused = false;
  const hp = { ...defaultHyperparams(), sizes: [784, 30, 10], epochs: 3, trainSize: 20_000, monitor: { ...defaultHyperparams().monitor, inside: false } };
  const run = (await invoke('startRun', hp, 'taskbar run')) as RunSummary;
  await until('the notification', () => fake.recorded.notifications.some((n) => n.body.startsWith('taskbar run')));
  const bar = win().progress;
  assert.ok(
    bar.some((v) => v > 0 && v < 1),
    `partial progress shown: ${bar.join(', ')}`,
  );
  assert.equal(bar.at(-1), -1, 'no bar once nothing trains');
  assert.match(fake.recorded.notifications.at(-1)!.body, /^taskbar run: best \d+\.\d\d% at epoch \d$/);
  assert.equal(fake.recorded.notifications.at(-1)!.title, 'Run finished');
  // With the window in front, no notification.
  fake.recorded.focused = true;
  const before = fake.recorded.notifications.length;
  const again = (await invoke('startRun', { ...hp, trainSize: 1000, epochs: 1 }, 'in front')) as RunSummary;
  for (let i = 0; i < 3000; i++) {
    const runs = (await invoke('listRuns')) as RunSummary[];
    if (runs.find((r) => r.id === again.id)?.state === 'finished') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 300));
  void run;
  assert.equal(fake.recorded.notifications.length, before);
});

test('desktop helpers: model paths from a launch, the recent list, the taskbar fraction, the notices', () => {
  const model = join(dir, 'm.json');
  writeFileSync(model, '{}');
  assert.deepEqual(modelPathsFromArgv(['/app', '--x', 'm.json', 'nope.json', 'notes.txt'], dir), [model]);
  const recent = new RecentModels(join(dir, 'recent.json'));
  for (let i = 0; i < 10; i++) {
    const p = join(dir, `r${i}.json`);
    writeFileSync(p, '{}');
    recent.add(p);
  }
  recent.add(join(dir, 'r3.json'));
  assert.equal(recent.list().length, RecentModels.MAX);
  assert.equal(recent.list()[0], join(dir, 'r3.json'));
  const run = { id: 'r', name: 'n', state: 'running', epochsDone: 1, hyperparams: { epochs: 4 }, sweepId: null } as unknown as RunSummary;
  assert.equal(
    taskbarProgress(
      [run],
      new Map([['r', { runId: 'r', epoch: 2, examplesDone: 50, examplesTotal: 100, examplesPerSecond: 1, batchCost: null, etaSeconds: 1 }]]),
    ),
    0.375,
  );
  assert.equal(taskbarProgress([{ ...run, state: 'finished' }], new Map()), -1);
  const done = { ...run, state: 'finished', bestEvalAccuracy: 0.9512, bestEpoch: 3 } as RunSummary;
  assert.deepEqual(finishNotice({ type: 'run', run: done }, new Map([['r', 'running']])), { title: 'Run finished', body: 'n: best 95.12% at epoch 3' });
  assert.equal(finishNotice({ type: 'run', run: done }, new Map([['r', 'finished']])), null, 'said once');
  assert.equal(finishNotice({ type: 'run', run: { ...done, sweepId: 'sweep-x' } }, new Map([['r', 'running']])), null, 'a sweep says it when the sweep ends');
});

test('the packaging config builds installers for Linux, Windows and macOS with the app icon and the model file association', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const b = pkg.build;
  assert.equal(b.appId, 'org.nnlab.lab');
  assert.deepEqual(b.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(b.win.target, ['nsis']);
  assert.deepEqual(b.mac.target, ['dmg']);
  assert.ok(existsSync(join(root, b.icon)), `icon ${b.icon}`);
  assert.ok(b.files.includes('out/**/*') && b.extraResources.some((r: { from: string }) => r.from === 'resources'));
  assert.deepEqual(
    b.fileAssociations.map((f: { ext: string }) => f.ext),
    ['json'],
  );
  assert.match(pkg.scripts.dist, /electron-vite build && electron-builder/);
});

test('the shell speaks the system’s language: menus and notices in 简体中文 and 한국어', async () => {
  const { menuTemplate } = await import('../src/main/index');
  const { shellStrings } = await import('../src/main/shell-strings');
  const zh = menuTemplate(false, ['/m/a.json'], () => {}, shellStrings('zh-CN'));
  assert.deepEqual(
    zh.map((m) => m.label ?? m.role),
    ['文件(&F)', 'editMenu', '训练(&R)', 'viewMenu', 'windowMenu'],
  );
  const file = zh[0].submenu as { label?: string }[];
  assert.deepEqual([file[0].label, file[1].label, file[2].label], ['打开模型…', '最近打开', '保存模型…']);
  assert.equal(shellStrings('ko-KR').newRun, '새 학습');
  assert.equal(shellStrings('fr-FR').newRun, 'New Run');
  const run = {
    id: 'r',
    name: 'n',
    state: 'finished',
    epochsDone: 3,
    bestEvalAccuracy: 0.95,
    bestEpoch: 3,
    hyperparams: { epochs: 3 },
    sweepId: null,
  } as unknown as RunSummary;
  assert.deepEqual(finishNotice({ type: 'run', run }, new Map([['r', 'running']]), shellStrings('ko')), {
    title: '학습 완료',
    body: 'n: 최고 95.00% (에포크 3)',
  });
});
