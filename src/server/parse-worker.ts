// The browser-mode server's parser for large WebSocket messages (a model file's text): decoding,
// JSON.parse, the one validation and, for loadModelJson, the model's own parse all run here, so
// no client's big message holds the thread that answers the other clients.
import { parentPort } from 'node:worker_threads';
import { parseModelJson } from '../engine/model-json';
import { oneLine } from '../shared/one-line';
import { checkCall, isLabMethod } from '../shared/validate';
import type { FromParser, ToParser } from './large-messages';

if (!parentPort) throw new Error('parse-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', ({ job, bytes }: ToParser) => {
  let id: unknown = null;
  try {
    const msg: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('message must be an object {id, method, args}');
    const m = msg as Record<string, unknown>;
    id = Number.isSafeInteger(m.id) ? m.id : null;
    if (id === null) throw new Error('message id must be an integer');
    if (!isLabMethod(m.method)) throw new Error(`unknown method ${JSON.stringify(m.method)?.slice(0, 60)}`);
    const args = m.args ?? [];
    if (!Array.isArray(args)) throw new Error(`${m.method}: arguments must be a list`);
    if (m.method === 'loadModelJson') {
      const [text, name] = checkCall('loadModelJson', args);
      const { network, meta } = parseModelJson(text);
      const params = network.params;
      const reply: FromParser = { job, id: id as number, model: { spec: network.spec, params, meta, name } };
      port.postMessage(reply, [params.buffer as ArrayBuffer]);
    } else {
      const reply: FromParser = { job, id: id as number, method: m.method, args: checkCall(m.method, args) };
      port.postMessage(reply);
    }
  } catch (e) {
    const reply: FromParser = { job, id: id as number | null, error: oneLine(e) };
    port.postMessage(reply);
  }
});
