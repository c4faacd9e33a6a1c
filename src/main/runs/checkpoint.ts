// Checkpoint files: the trainer's complete state (plain data plus typed arrays: weights,
// velocities, best weights, RNG state, schedule position, history) in one binary file, so a run
// continues bit for bit. Layout: "NNLCKPT1", u32 header length, u32 CRC-32 of everything after
// the first 16 bytes, the JSON header, padding to 8, then the arrays' raw bytes (little-endian).
// Typed arrays become {"$ta": kind, "o": byteOffset, "n": length} in the header; non-finite
// numbers become {"$num": "NaN" | "Infinity" | "-Infinity"} (JSON has no NaN).
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomicSync } from './atomic';

const MAGIC = 'NNLCKPT1';
const PREFIX = 16;

type Kind = 'f32' | 'f64' | 'u32' | 'i32' | 'u8' | 'u16';
type AnyTyped = Float32Array | Float64Array | Uint32Array | Int32Array | Uint8Array | Uint16Array;
const CTORS: Record<Kind, { new (buf: ArrayBuffer, off: number, n: number): AnyTyped; BYTES_PER_ELEMENT: number }> = {
  f32: Float32Array,
  f64: Float64Array,
  u32: Uint32Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
};

function kindOf(v: unknown): Kind | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Uint32Array) return 'u32';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Uint16Array) return 'u16';
  return null;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Encodes a checkpoint object into the parts of one file (header, then the arrays' bytes). */
export function encodeCheckpoint(state: unknown): Uint8Array[] {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (v === null || typeof v !== 'object') return v;
    const kind = kindOf(v);
    if (kind) {
      const ta = v as AnyTyped;
      const bytes = new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
      const ref = { $ta: kind, o: offset, n: ta.length };
      blobs.push(bytes);
      const pad = (8 - (bytes.length % 8)) % 8;
      if (pad) blobs.push(new Uint8Array(pad));
      offset += bytes.length + pad;
      return ref;
    }
    if (ArrayBuffer.isView(v)) throw new CheckpointError(`checkpoint: unsupported array type ${v.constructor.name}`);
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = walk(x);
    return out;
  };
  const header = Buffer.from(JSON.stringify(walk(state)), 'utf8');
  const headerPad = (8 - ((PREFIX + header.length) % 8)) % 8;
  const parts = [header, new Uint8Array(headerPad), ...blobs];
  let crc = 0;
  for (const p of parts) crc = crc32(p, crc);
  const prefix = Buffer.alloc(PREFIX);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  prefix.writeUInt32LE(crc >>> 0, 12);
  return [prefix, ...parts];
}

/** Decodes a checkpoint file's bytes; typed arrays come back as fresh, aligned copies. */
export function decodeCheckpoint(bytes: Uint8Array, name = 'checkpoint'): unknown {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${name}: ${msg}`);
  };
  if (bytes.length < PREFIX) fail(`truncated (${bytes.length} bytes)`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, 8) !== MAGIC) fail('not a checkpoint file (wrong magic)');
  const headerLen = buf.readUInt32LE(8);
  const crcWant = buf.readUInt32LE(12);
  if (PREFIX + headerLen > buf.length) fail(`truncated header (${headerLen} bytes promised, ${buf.length - PREFIX} present)`);
  if ((crc32(buf.subarray(PREFIX)) >>> 0) !== crcWant) fail('checksum mismatch (the file is corrupt or truncated)');
  const dataStart = PREFIX + headerLen + ((8 - ((PREFIX + headerLen) % 8)) % 8);
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', PREFIX, PREFIX + headerLen));
  } catch (e) {
    fail(`bad header (${(e as Error).message})`);
  }
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const o = v as Record<string, unknown>;
    if (typeof o.$num === 'string') return Number(o.$num);
    if (typeof o.$ta === 'string') {
      const ctor = CTORS[o.$ta as Kind];
      const off = o.o as number;
      const n = o.n as number;
      if (!ctor || !Number.isInteger(off) || !Number.isInteger(n) || off < 0 || n < 0) fail(`bad array reference ${JSON.stringify(o)}`);
      const byteLen = n * ctor.BYTES_PER_ELEMENT;
      if (dataStart + off + byteLen > buf.length) fail(`array at ${off} (${byteLen} bytes) runs past the end of the file`);
      const copy = new ArrayBuffer(byteLen);
      new Uint8Array(copy).set(buf.subarray(dataStart + off, dataStart + off + byteLen));
      return new ctor(copy, 0, n);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x);
    return out;
  };
  return walk(header);
}

export function writeCheckpoint(path: string, state: unknown): void {
  writeFileAtomicSync(path, encodeCheckpoint(state));
}

export function readCheckpoint(path: string): unknown {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CheckpointError(err.code === 'ENOENT' ? `${path}: no checkpoint` : `${path}: cannot read (${err.message})`);
  }
  return decodeCheckpoint(bytes, path);
}
