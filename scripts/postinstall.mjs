// npm install's last step: fetch Electron's binary where it can be had, and never fail the install
// where it cannot (no route to Electron's release server, a proxy, an unsupported platform). Electron's
// own install script is denied in package.json's allowScripts so that its failure cannot abort
// `npm install`; this runs the same script and turns a failure into one line. `npm start` then opens
// the lab in browser mode instead of the window.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The first line of the download error that says what went wrong ("getaddrinfo ENOTFOUND ..."). */
export function downloadFailure(stderr) {
  const lines = String(stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const hit = lines.find((l) => /error|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|not available/i.test(l) && !l.startsWith('at '));
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return (hit ?? lines[0] ?? 'no output').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}

function main() {
  let installScript;
  try {
    installScript = require.resolve('electron/install.js');
  } catch {
    return; // electron is not installed (a production install): nothing to fetch
  }
  const r = spawnSync(process.execPath, [installScript], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'], timeout: 15 * 60 * 1000 });
  if (r.status === 0) return;
  const why = r.error ? r.error.message : downloadFailure(r.stderr);
  process.stderr.write(`nnlab: Electron's binary could not be downloaded (${why}); npm start will open the lab in browser mode instead.\n`);
}

main();
