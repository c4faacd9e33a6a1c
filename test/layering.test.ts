// The layering of ../shared/DESIGN.md, read from the imports of every source file: the engine
// imports nothing from Node, Electron or the DOM (nor anything above it but the limits); only
// src/main/index.ts, src/main/ipc.ts and the preload import 'electron'; the renderer imports only
// src/shared (and its own packages); src/shared stays free of Node and of the layers above it;
// nothing in src/main imports src/server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';

const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every module specifier a file imports or re-exports, statically or dynamically. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Where a relative specifier points, as a path from the repository root; bare specifiers stay as they are. */
function target(file: string, spec: string): string {
  return spec.startsWith('.') ? normalize(join(dirname(file), spec)) : spec;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(dir + '/');
/** The two modules of src/shared the engine may import: plain data (limits, error messages), importing nothing. */
const ENGINE_LEAVES = new Set(['src/shared/limits', 'src/shared/errors']);
const ELECTRON_ALLOWED = new Set(['src/main/index.ts', 'src/main/ipc.ts', 'src/preload/index.ts']);

/** The layering violations in a tree given as path → source text; one line each. */
export function violations(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    for (const spec of importsOf(source)) {
      const to = target(file, spec);
      const bad = (why: string) => out.push(`${file} imports ${spec}: ${why}`);
      const bare = !spec.startsWith('.');
      if ((spec === 'electron' || spec.startsWith('electron/')) && !ELECTRON_ALLOWED.has(file))
        bad("only src/main/index.ts, src/main/ipc.ts and the preload import 'electron'");
      if (under(file, 'src/engine')) {
        if (NODE.has(spec)) bad('the engine imports nothing from Node');
        else if (bare) bad('the engine imports no packages (it runs in a worker, a browser and tests alike)');
        else if (!under(to, 'src/engine') && !ENGINE_LEAVES.has(to)) bad('the engine imports nothing above it but src/shared/limits and src/shared/errors');
      }
      if (ENGINE_LEAVES.has(file.replace(/\.ts$/, ''))) bad('src/shared/limits and src/shared/errors, which the engine imports, import nothing');
      if (under(file, 'src/shared')) {
        if (NODE.has(spec) || spec === 'electron') bad('src/shared is the contract: no Node, no Electron');
        else if (!bare && !under(to, 'src/shared') && !under(to, 'src/engine')) bad('src/shared imports only itself and the engine');
      }
      if (under(file, 'src/renderer')) {
        if (NODE.has(spec)) bad('the renderer imports nothing from Node');
        else if (!bare && !under(to, 'src/renderer') && !under(to, 'src/shared')) bad('the renderer imports only src/shared');
      }
      if (under(file, 'src/main') && under(to, 'src/server')) bad('nothing in src/main imports src/server');
    }
  }
  return out;
}

function sourceTree(dir: string, files = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceTree(p, files);
    else if (/\.(ts|svelte|mjs|js)$/.test(name)) files.set(relative('.', p), readFileSync(p, 'utf8'));
  }
  return files;
}

test('the source tree keeps the layering of DESIGN.md', () => {
  const files = sourceTree('src');
  assert.ok(files.size > 50, `read ${files.size} files`);
  assert.deepEqual(violations(files), []);
});

test('the layering check catches an engine file importing node:fs, a renderer file importing src/main, and the others', () => {
  const cases: [string, string, RegExp][] = [
    ['src/engine/trainer.ts', "import { readFileSync } from 'node:fs';", /the engine imports nothing from Node/],
    ['src/engine/x.ts', "import { join } from 'path';", /the engine imports nothing from Node/],
    ['src/engine/x.ts', "import sharp from 'sharp';", /no packages/],
    ['src/engine/x.ts', "import type { LabApi } from '../shared/api';", /nothing above it/],
    ['src/renderer/src/lib/x.ts', "import { createLabService } from '../../../main/lab-service';", /the renderer imports only src\/shared/],
    [
      'src/renderer/src/components/X.svelte',
      '<script lang="ts">\n  import { Trainer } from \'../../../engine/trainer\';\n</script>',
      /the renderer imports only src\/shared/,
    ],
    ['src/main/runs/pool.ts', "import { ipcMain } from 'electron';", /only src\/main\/index\.ts/],
    ['src/main/models.ts', "import { startLabServer } from '../server/index';", /nothing in src\/main imports src\/server/],
    ['src/shared/api.ts', "const fs = await import('node:fs');", /no Node/],
    ['src/shared/x.ts', "export { createLabService } from '../main/lab-service';", /only itself and the engine/],
    ['src/shared/errors.ts', "import { experimentById } from './experiments';", /import nothing/],
  ];
  for (const [file, source, re] of cases) {
    const found = violations(new Map([[file, source]]));
    assert.equal(found.length, 1, `${file}: ${source} → ${JSON.stringify(found)}`);
    assert.match(found[0], re);
  }
  // What is allowed stays allowed.
  const fine = new Map([
    ['src/engine/trainer.ts', "import { Rng } from './rng';\nimport { MAX_ETA } from '../shared/limits';\nimport { LabError } from '../shared/errors';"],
    ['src/renderer/src/App.svelte', "<script lang=\"ts\">import { Chart } from 'chart.js';\nimport type { LabApi } from '../../shared/api';</script>"],
    ['src/main/ipc.ts', "import { ipcMain } from 'electron';"],
  ]);
  assert.deepEqual(violations(fine), []);
});
