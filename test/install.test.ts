// A fresh clone on a machine that cannot reach Electron's release server: the engine without its
// generated kernel module falls back to the reference kernels with one line, and the install step
// turns a failed Electron download into one line instead of a failed `npm install`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('without the generated kernel module the engine says so in one line and trains with the reference kernels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-nowasm-'));
  try {
    for (const part of ['engine', 'shared'])
      cpSync(join('src', part), join(dir, part), { recursive: true, filter: (p) => !p.endsWith('kernels.generated.ts') });
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const script = `
      const { getBackend } = await import(${JSON.stringify(join(dir, 'engine/backend.ts'))});
      console.log('backend=' + getBackend().name);
      getBackend();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /backend=reference/);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /reference kernels: .*kernels\.generated\.ts is missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm install denies Electron's own download script and runs its own, which never fails the install", () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(pkg.allowScripts.electron, false, "electron's postinstall must not be able to fail npm install");
  assert.equal(pkg.scripts.postinstall, 'node scripts/postinstall.mjs');
  assert.equal(pkg.scripts.prepare, 'node scripts/build-wasm.mjs');
  assert.deepEqual(
    Object.keys(pkg.scripts).filter((s) => s.startsWith('pre') && s.slice(3) in pkg.scripts),
    [],
    'one build step: no pre* hooks',
  );
  // The download, pointed at an address nothing answers: one line on stderr, exit 0.
  const r = spawnSync(process.execPath, ['scripts/postinstall.mjs'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '',
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: mkdtempSync(join(tmpdir(), 'nnlab-ecache-')),
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^nnlab: Electron's binary could not be downloaded \(.*ECONNREFUSED.*\); npm start will open the lab in browser mode instead\.$/);
});
