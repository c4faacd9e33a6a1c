// Atomic file writes: write a temporary file beside the target, flush it to disk, rename it over
// the target. A crash at any moment leaves either the old file or the new one, never half of one.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/** A fresh temporary name beside `path`. */
export function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Temporary files being written now; removed if the process is told to stop (see below). */
export const pendingTemporaryFiles = new Set<string>();

let signalsHandled = false;

/**
 * On SIGINT or SIGTERM, removes the temporary files being written and exits (128 + the signal's
 * number), so a stopped command leaves nothing half-written behind. A synchronous write finishes
 * (and renames) before a signal's handler can run.
 */
export function removeTemporaryFilesOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      for (const f of pendingTemporaryFiles) rmSync(f, { force: true });
      process.exit(code);
    });
  }
}

/**
 * Checks, before any work, that `path` can be written: its folder exists, it is not a folder
 * itself, and a file can be created beside it (not a read-only or full file system). One line if not.
 */
export function checkWritable(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${path}: folder ${dir} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${path} is a folder, not a file`);
  const probe = tempName(path);
  try {
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, Buffer.alloc(4096));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  } finally {
    rmSync(probe, { force: true });
  }
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
