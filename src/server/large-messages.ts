// Large WebSocket messages go to a worker thread (parse-worker.ts) to be decoded, parsed and
// checked; the server's thread only hands over the bytes and gets back checked arguments (or, for
// a model file, its parsed network), so other clients' calls are answered meanwhile.
import { Worker } from 'node:worker_threads';
import type { NetworkSpec } from '../engine/network';
import type { ModelMeta } from '../engine/model-json';
import type { LabMethod } from '../shared/validate';
import { startWorker } from '../main/worker-start';

/** Messages larger than this are parsed off the server's thread. */
export const LARGE_MESSAGE_BYTES = 1024 * 1024;

export interface ParsedModel {
  spec: NetworkSpec;
  params: Float32Array;
  meta: ModelMeta;
  name: string;
}

export type ToParser = { job: number; bytes: Uint8Array };
export type FromParser =
  | { job: number; id: number; method: LabMethod; args: unknown[] }
  | { job: number; id: number; model: ParsedModel }
  | { job: number; id: number | null; error: string };

let worker: Worker | null = null;
let nextJob = 1;
const waiting = new Map<number, (reply: FromParser) => void>();

function parser(): Worker {
  if (worker) return worker;
  const w = startWorker(new URL('./parse-worker.ts', import.meta.url), { name: 'message parser' });
  w.on('message', (reply: FromParser) => {
    waiting.get(reply.job)?.(reply);
    waiting.delete(reply.job);
  });
  const fail = (why: string) => {
    for (const [job, resolve] of waiting) resolve({ job, id: null, error: `the message parser failed: ${why}` });
    waiting.clear();
    if (worker === w) worker = null;
  };
  w.on('error', (e) => fail(e.message));
  w.on('exit', (code) => fail(`exit code ${code}`));
  w.unref();
  worker = w;
  return w;
}

/** Parses and checks one message's bytes in the worker; the bytes are handed over, not copied. */
export function parseLarge(bytes: Buffer): Promise<FromParser> {
  const job = nextJob++;
  // A Buffer may share its memory with others: transfer only memory it owns alone.
  const own =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : Uint8Array.from(bytes);
  return new Promise((resolve) => {
    waiting.set(job, resolve);
    parser().postMessage({ job, bytes: own } satisfies ToParser, [own.buffer as ArrayBuffer]);
  });
}
