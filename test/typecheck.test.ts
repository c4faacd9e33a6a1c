// Everything type-checks in strict mode: the Node side (engine, services, CLI, server, Electron
// main and preload, tests) with tsc, and the renderer with svelte-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = (name: string) => join('node_modules', '.bin', name);

test('tsc --strict finds no errors in the Node side', () => {
  const r = spawnSync(bin('tsc'), ['-p', 'tsconfig.node.json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('svelte-check finds no errors in the renderer', () => {
  const r = spawnSync(bin('svelte-check'), ['--tsconfig', 'tsconfig.web.json', '--threshold', 'error', '--output', 'machine'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
