// Error messages as codes with parameters (src/shared/errors.ts): the English line stays what the
// CLI and scripts read, and the reason crosses a transport in that line for the UI to word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabError, englishOf, lineWithReason, locate, reasonOf, splitReason } from '../src/shared/errors';
import { validateHyperparams, defaultHyperparams, HyperparamError } from '../src/engine/hyperparams';
import { parseModelJson, ModelError } from '../src/engine/model-json';
import { validateSweepSpec } from '../src/shared/sweep';
import { oneLine } from '../src/shared/one-line';
import { errorLine } from '../src/main/shell-strings';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

test('a refusal keeps its English line and carries its reason as data', () => {
  const e = thrown(() => validateHyperparams({ ...defaultHyperparams(), eta: -1 }));
  assert.ok(e instanceof HyperparamError);
  assert.equal((e as Error).message, 'eta must be in (0, 1000000], got -1');
  assert.deepEqual(reasonOf(e), { code: 'hp.range', params: { field: 'eta', open: '(', lo: 0, hi: 1_000_000, close: ']', got: -1 } });
  assert.equal(englishOf(reasonOf(e)!), (e as Error).message);
});

test('a located refusal says where, outside in, and keeps its code', () => {
  const model = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/network2-tiny.json'), 'utf8')) as Record<string, unknown>;
  const e = thrown(() => parseModelJson(JSON.stringify({ ...model, meta: { hyperparams: { eta: 0 } } })));
  assert.ok(e instanceof ModelError);
  assert.equal((e as Error).message, 'meta.hyperparams: eta must be in (0, 1000000], got 0');
  assert.equal(reasonOf(e)?.at, 'meta.hyperparams');
  const meta = thrown(() => validateSweepSpec({ axes: [{ param: 'eta', values: [0.5] }], base: { hyperparams: { batchSize: 0 } } }));
  assert.equal((meta as Error).message, 'base: batchSize must be in [1, 60000], got 0');
  assert.deepEqual(reasonOf(meta), { code: 'hp.range', params: { field: 'batchSize', open: '[', lo: 1, hi: 60_000, close: ']', got: 0 }, at: 'base' });
  const twice = locate(meta, 'spec.json', (c, p, at) => new LabError(c, p, at));
  assert.equal(twice.message, 'spec.json: base: batchSize must be in [1, 60000], got 0');
  assert.equal(reasonOf(twice)?.at, 'spec.json: base');
  // An error without a reason stays a plain located line.
  assert.equal(locate(new Error('disk full'), 'run-1', (c, p, at) => new LabError(c, p, at)).message, 'run-1: disk full');
});

test('across a transport the reason rides in the line and comes back whole; a damaged one is dropped', () => {
  const e = new LabError('image.blank', { w: 28, h: 28 }, 'blank.png');
  const line = lineWithReason(oneLine(e), e);
  assert.ok(line.startsWith('blank.png: no digit found: the 28×28 image is blank'));
  const back = splitReason(`Error invoking remote method 'lab:decodeImage': Error: ${line}`.replace(/^Error invoking remote method '[^']+': Error: /, ''));
  assert.equal(back.text, e.message);
  assert.deepEqual(back.reason, e.reason);
  assert.deepEqual(splitReason(line.slice(0, -1)), { text: line.slice(0, -1), reason: null });
  assert.equal(splitReason(line.replace('image.blank', 'image.nonsense')).reason, null, 'an unknown code is no reason');
  assert.equal(lineWithReason('plain', new Error('plain')), 'plain');
});

test("the desktop shell's error box words a refusal in the system's language", () => {
  const e = new LabError('model.missingKey', { key: 'weights' }, 'broken.json');
  assert.equal(errorLine('zh', e), 'broken.json: 模型文件缺少 "weights"');
  assert.equal(errorLine('ko', e), 'broken.json: 모델 파일에 "weights"이(가) 없습니다');
  assert.equal(errorLine('en', e), 'broken.json: model file has no "weights"');
  assert.equal(errorLine('zh', new Error('EACCES: permission denied')), 'EACCES: permission denied');
});
