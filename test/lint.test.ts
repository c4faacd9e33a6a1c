// The formatter and the linter as part of `npm test`: Prettier owns the layout, ESLint
// (typescript-eslint, eslint-plugin-svelte) the rest. `npm run format` fixes what they report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = (name: string) => join('node_modules', '.bin', name);

test('prettier finds every file formatted', () => {
  const r = spawnSync(bin('prettier'), ['--check', '--log-level', 'warn', '.'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run format would change these files:\n${r.stdout}${r.stderr}`);
});

test('eslint finds no problems', () => {
  const r = spawnSync(bin('eslint'), ['--max-warnings', '0', '.'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
