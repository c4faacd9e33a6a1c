// The built renderer's files, for browser mode's HTTP server and Electron's app:// protocol alike:
// one way to turn a URL path into a file inside the served folder, and its content type.
import { realpathSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export type StaticFile = { file: string; contentType: string } | { status: 400 | 403 | 404; reason: string };

/**
 * The file a URL path names inside `root` (a real path), or why not. URL parsers resolve plain dot
 * segments, but encoded ones (..%2f) appear only once decoded: whatever the spelling, the file's
 * real path (dot segments and symlinks resolved) must be inside the folder.
 */
export function staticFile(root: string, urlPathname: string): StaticFile {
  let path: string;
  try {
    path = decodeURIComponent(urlPathname);
  } catch {
    return { status: 400, reason: 'bad request: malformed path' };
  }
  if (path.includes('\0')) return { status: 400, reason: 'bad request: malformed path' };
  if (path === '/' || path === '') path = '/index.html';
  let real: string;
  try {
    real = realpathSync(resolve(root, '.' + path));
  } catch {
    return { status: 404, reason: 'not found' };
  }
  if (!real.startsWith(root + sep)) return { status: 403, reason: 'forbidden: path outside the served folder' };
  if (!statSync(real).isFile()) return { status: 404, reason: 'not found' };
  return { file: real, contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}
