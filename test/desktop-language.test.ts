// The desktop shell in the system's language (issue 15), on the real main-process code with the
// recording stand-in for 'electron' answering app.getLocale() with "zh-CN": the menus, the open
// and save dialogs, and the error box for a model file that is refused (worded from the catalogues).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFakeElectron } from './e2e/fixtures/use-fake-electron';
import { until } from './helpers';
import { CHANNEL_OPEN_MODEL, CHANNEL_SAVE_MODEL } from '../src/shared/shell-api';

const root = join(import.meta.dirname, '..');
const fakeUrl = useFakeElectron({ modulePath: join(root, 'src/main/runs/worker.ts') });
type Fake = typeof import('./e2e/fixtures/fake-electron');
let fake: Fake;
const dir = mkdtempSync(join(tmpdir(), 'nnlab-desktop-zh-'));

before(async () => {
  fake = (await import(fakeUrl)) as Fake;
  fake.recorded.locale = 'zh-CN';
  await import('../src/main/index');
  for (let i = 0; i < 200 && fake.recorded.appEvents.get('second-instance') === undefined; i++) await new Promise((r) => setTimeout(r, 20));
});

test('in 简体中文 the menus, the dialogs and the error box are Chinese', async () => {
  const menu = (fake.recorded.menu as { template: { label?: string }[] }).template;
  assert.equal(menu[0].label, '文件(&F)');
  const sender = { sender: fake.recorded.windows[0].webContents, senderFrame: { url: 'app://nnlab/index.html' } };
  const handler = (channel: string) => fake.recorded.handlers.get(channel) as unknown as (e: unknown, ...a: unknown[]) => Promise<unknown>;
  await handler(CHANNEL_OPEN_MODEL)(sender);
  await handler(CHANNEL_SAVE_MODEL)(sender, { kind: 'default' });
  assert.deepEqual(
    fake.recorded.dialogs.map((d) => [d.title, d.filters?.[0].name]),
    [
      ['打开模型', '模型（network2.py 的 JSON）'],
      ['保存模型', '模型（network2.py 的 JSON）'],
    ],
  );
  // A model file without weights, opened by a second launch: its refusal in Chinese, one line.
  const bad = join(dir, 'no-weights.json');
  writeFileSync(bad, '{"sizes": [784, 30, 10], "cost": "CrossEntropyCost"}');
  const second = fake.recorded.appEvents.get('second-instance') as unknown as (e: unknown, argv: string[], cwd: string) => void;
  second({}, ['/usr/bin/nnlab', bad], dir);
  await until('the error box', () => fake.recorded.errorBoxes.length > 0);
  assert.deepEqual(fake.recorded.errorBoxes[0], ['nnlab 无法打开这个模型', `${bad}: 模型文件缺少 "weights"`]);
});
