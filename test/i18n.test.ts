// The UI's one translation layer (issue 15): every key the renderer uses is in every catalogue,
// no catalogue holds a key nothing uses, the catalogues agree on their placeholders, the book's
// presets are translated, and the book's terms are the glossary's (../shared/GLOSSARY.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../src/shared/experiments';
import { SWEEP_PRESETS } from '../src/shared/sweep';
import { pickLanguage } from '../src/shared/language';
import { MESSAGES, TEXT_FIELDS } from '../src/shared/errors';

const root = join(import.meta.dirname, '..');
const locales = join(root, 'src/shared/locales');
const catalogue = (code: string) => JSON.parse(readFileSync(join(locales, `${code}.json`), 'utf8')) as Record<string, string>;
const en = catalogue('en');
const others = { zh: catalogue('zh'), ko: catalogue('ko') };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'locales' ? [] : sources(p);
    return /\.(svelte|ts)$/.test(f) ? [readFileSync(p, 'utf8')] : [];
  });
}
const code = sources(join(root, 'src/renderer/src')).join('\n');

/** Keys used: t('literal'), literals that are keys (handed to t later), and t(`prefix.${…}`) prefixes. */
function usedKeys(): { literal: Set<string>; prefixes: Set<string> } {
  const literal = new Set<string>();
  for (const m of code.matchAll(/\b(?:t|tr)\(\s*'([^']+)'/g)) literal.add(m[1]);
  for (const m of code.matchAll(/'([a-z]+\.[A-Za-z0-9.-]+)'/g)) if (m[1] in en) literal.add(m[1]);
  const prefixes = new Set<string>();
  for (const m of code.matchAll(/\b(?:t|tr)\(\s*`([a-zA-Z.]+)\.\$\{/g)) prefixes.add(m[1] + '.');
  return { literal, prefixes };
}

test('every key the UI uses is in the English catalogue, and every English key is used', () => {
  const { literal, prefixes } = usedKeys();
  const missing = [...literal].filter((k) => !(k in en));
  assert.deepEqual(missing, [], `keys used but missing from en.json: ${missing.join(', ')}`);
  const unused = Object.keys(en).filter((k) => !literal.has(k) && ![...prefixes].some((p) => k.startsWith(p)));
  assert.deepEqual(unused, [], `keys in en.json that nothing uses: ${unused.join(', ')}`);
  for (const p of prefixes)
    if (p !== 'preset.' && p !== 'sweepPreset.' && p !== 'error.what.')
      assert.ok(
        Object.keys(en).some((k) => k.startsWith(p)),
        `t(\`${p}…\`) has keys`,
      );
});

test('Chinese and Korean have every English key, nothing more, and the same placeholders', () => {
  const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
  for (const [name, cat] of Object.entries(others)) {
    const keys = Object.keys(cat).filter((k) => !k.startsWith('preset.') && !k.startsWith('sweepPreset.') && !onlyTranslated(k));
    assert.deepEqual(
      keys.filter((k) => !(k in en)),
      [],
      `${name}: keys English does not have`,
    );
    assert.deepEqual(
      Object.keys(en).filter((k) => !(k in cat)),
      [],
      `${name}: missing keys`,
    );
    for (const k of keys) assert.deepEqual(vars(cat[k]), vars(en[k]), `${name} ${k}: placeholders`);
    for (const k of keys) assert.ok(cat[k].trim().length > 0, `${name} ${k} is empty`);
  }
});

/** Keys whose English is not in en.json but elsewhere: error messages (src/shared/errors.ts). */
function onlyTranslated(k: string): boolean {
  return k.startsWith('error.') && !(k in en);
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

test('every error message a user can meet is in Chinese and Korean, with the same placeholders, and nothing else is', () => {
  const codes = Object.keys(MESSAGES) as (keyof typeof MESSAGES)[];
  for (const [name, cat] of Object.entries(others)) {
    for (const code of codes) {
      const text = cat[`error.${code}`];
      assert.ok(text?.trim(), `${name}: no text for the error ${code} ("${MESSAGES[code]}")`);
      assert.deepEqual(placeholders(text), placeholders(MESSAGES[code]), `${name} error.${code}: placeholders`);
    }
    for (const what of TEXT_FIELDS) assert.ok(cat[`error.what.${what}`], `${name}: error.what.${what}`);
    const known = new Set([...codes.map((c) => `error.${c}`), ...TEXT_FIELDS.map((w) => `error.what.${w}`)]);
    const stray = Object.keys(cat).filter((k) => onlyTranslated(k) && !known.has(k));
    assert.deepEqual(stray, [], `${name}: error texts for no error`);
  }
});

test('every error code is thrown somewhere', () => {
  const all = ['src/engine', 'src/main', 'src/shared', 'src/renderer/src', 'src/server']
    .flatMap((d) => allSources(join(root, d)))
    .filter((f) => !f.endsWith('errors.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = Object.keys(MESSAGES).filter((code) => !all.includes(`'${code}'`));
  assert.deepEqual(unused, [], 'codes in src/shared/errors.ts that nothing throws');
});

function allSources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return allSources(p);
    return /\.(svelte|ts)$/.test(f) ? [p] : [];
  });
}

test('the book’s presets are translated (English comes from the one catalogue of experiments)', () => {
  for (const [name, cat] of Object.entries(others)) {
    for (const p of PRESETS) {
      assert.ok(cat[`preset.${p.id}.name`], `${name}: preset ${p.id} name`);
      assert.ok(cat[`preset.${p.id}.book`], `${name}: preset ${p.id} book line`);
    }
    const ids = new Set(PRESETS.map((p) => p.id));
    for (const k of Object.keys(cat).filter((k) => k.startsWith('preset.')))
      assert.ok(ids.has(k.split('.').slice(1, -1).join('.')), `${name}: ${k} is no preset`);
  }
  assert.equal(Object.keys(en).filter((k) => k.startsWith('preset.')).length, 0);
  for (const [name, cat] of Object.entries(others))
    for (const p of SWEEP_PRESETS) assert.ok(cat[`sweepPreset.${p.id}.name`] && cat[`sweepPreset.${p.id}.book`], `${name}: sweep recipe ${p.id}`);
});

test('the book’s terms are the glossary’s', () => {
  const glossary = readFileSync(join(root, '../shared/GLOSSARY.md'), 'utf8');
  const rows = glossary.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| English') && !l.startsWith('|---'));
  const term = (english: string, col: 1 | 2) => {
    const row = rows.find((r) => r.split('|')[1].trim().startsWith(english))!;
    return row.split('|')[col + 1].trim();
  };
  // Each pair: a catalogue key and the glossary term its text must contain (the first word of the cell).
  const checks: [string, string, 1 | 2][] = [
    ['form.crossEntropy', 'cross-entropy', 1],
    ['form.quadratic', 'quadratic cost', 1],
    ['form.eta', 'learning rate η', 1],
    ['form.momentum', 'momentum', 1],
    ['form.epochs', 'epoch', 1],
    ['form.init', 'weight initialization', 1],
    ['form.crossEntropy', 'cross-entropy', 2],
    ['form.eta', 'learning rate η', 2],
    ['form.init', 'weight initialization', 2],
    ['form.momentum', 'momentum', 2],
  ];
  for (const [key, english, col] of checks) {
    const want = term(english, col).split(/[ /(（]/)[0];
    const cat = col === 1 ? others.zh : others.ko;
    assert.ok(cat[key].includes(want), `${col === 1 ? 'zh' : 'ko'} ${key} = ${cat[key]} should use the glossary's ${want}`);
  }
});

test('the language follows the system: the first of the user’s languages the lab speaks, else English', () => {
  assert.equal(pickLanguage(['zh-CN', 'en']), 'zh');
  assert.equal(pickLanguage(['zh-Hans-CN']), 'zh');
  assert.equal(pickLanguage(['ko-KR']), 'ko');
  assert.equal(pickLanguage(['fr-FR', 'ko']), 'ko');
  assert.equal(pickLanguage(['de']), 'en');
});
