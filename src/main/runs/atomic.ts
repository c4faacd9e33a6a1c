// Atomic file writes: write a temporary file beside the target, flush it to disk, rename it over
// the target. A crash at any moment leaves either the old file or the new one, never half of one.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes `data` to `path` atomically (synchronous: used from workers and for small files). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const tmp = tempName(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    const parts = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
    for (const part of parts) {
      let off = 0;
      while (off < part.length) off += writeSync(fd, part, off, part.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  syncFolder(dirname(path));
}

/** Flushes a folder's entry list, so the rename itself survives a power cut. Best effort: not every platform can. */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; some file systems refuse fsync on them. The file is written either way.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
