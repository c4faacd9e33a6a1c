// `npm start`: the Electron window where Electron can run; otherwise the same lab in browser mode
// (the URL with its token printed, the system browser opened if there is one), with one line saying why.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

/** Why Electron cannot open a window here, or null when it can. */
function electronUnavailable() {
  let binary;
  try {
    binary = require('electron'); // the binary's path; throws when the download never happened
  } catch {
    return "Electron's binary was not downloaded (npm install could not reach its release server)";
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return `Electron's binary is missing at ${binary}`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (r.error || r.status !== 0)
    return `Electron's binary does not start (${(r.error?.message ?? r.stderr ?? '').split('\n')[0].trim() || `exit ${r.status}`})`;
  return null;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

function browserMode(why) {
  process.stderr.write(`nnlab: opening the lab in browser mode: ${why}.\n`);
  return run(bin('tsx'), [join(root, 'src/cli/index.ts'), 'serve', '--open', ...process.argv.slice(2)]);
}

const why = electronUnavailable();
let result;
if (why) result = await browserMode(why);
else {
  result = await run(bin('electron-vite'), ['build']);
  if (result.code !== 0) process.exit(result.code ?? 1);
  const started = Date.now();
  result = await run(bin('electron-vite'), ['preview', '--skipBuild']);
  // A window that could not even start (a missing library, no GPU process) falls back too; a window
  // the user closed, or that ran for a while, does not.
  if (result.code !== 0 && result.signal === null && Date.now() - started < 30_000) {
    result = await browserMode(`Electron exited with code ${result.code} at start`);
  }
}
process.exit(result.code ?? 0);
