// Sweeps through Redis (issue 12): a real redis-server on 127.0.0.1 and two `npm run worker`
// processes; one worker is killed mid-point, and the other finishes that point from its last
// checkpoint (carried in Redis). The results are the same, bit for bit, as the same sweep trained
// on this machine without Redis.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/main/paths';
import { cliInProcess } from './helpers';

const REDIS = ['/usr/bin/redis-server', 'redis-server'].find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
const skip = REDIS ? false : 'redis-server is not installed (apt-get install redis-server)';
const dir = mkdtempSync(join(tmpdir(), 'nnlab-redis-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a child and resolves once a line of its output matches. */
function startChild(cmd: string, args: string[], ready: RegExp, onLine: (line: string) => void = () => {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let buf = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${buf.slice(-500)}`)), 60_000);
    const read = (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        onLine(line);
        if (!started && ready.test(line)) {
          started = true;
          clearTimeout(timer);
          resolve(child);
        }
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      if (!started) reject(new Error(`${cmd} exited with ${code}: ${buf.slice(-500)}`));
    });
  });
}

const worker = (url: string, onLine: (line: string) => void) =>
  startChild(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'worker', '--redis', url, '--lock-seconds', '2'],
    /^worker: training sweep points/,
    onLine,
  );

test('a sweep across two workers through Redis: one killed mid-point, its point finished by the other, results equal to a local run', { skip }, async () => {
  const port = await freePort();
  await startChild(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
  const url = `redis://127.0.0.1:${port}`;
  // Points that take a few epochs of a second or so each: long enough to kill a worker mid-point.
  const spec = join(dir, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      name: 'redis test',
      base: { hyperparams: { sizes: [784, 100, 10], epochs: 3, trainSize: 30_000, monitor: { evalAccuracy: true, trainCost: true, inside: false } } },
      axes: [{ param: 'eta', values: [0.1, 0.5, 1, 2] }],
      seeds: 1,
    }),
  );
  let killed: string | null = null;
  let victim: ChildProcess | null = null;
  victim = await worker(url, (line) => {
    // The moment worker A has checkpointed a point's first epoch, it dies (as a machine would).
    const m = /^(run-[a-z0-9-]+): epoch 1 done$/.exec(line);
    if (m && !killed && victim) {
      killed = m[1];
      victim.kill('SIGKILL');
    }
  });
  await worker(url, () => {});
  const runsDir = join(dir, 'runs');
  const viaRedis = await cliInProcess('sweep', spec, '--redis', url, '--json', '--runs-dir', runsDir);
  assert.equal(viaRedis.status, 0, viaRedis.stderr);
  assert.ok(killed, 'worker A was killed mid-point');
  const points = viaRedis.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((o) => 'point' in o);
  assert.equal(points.length, 4);
  assert.ok(points.every((p) => p.state === 'done'));
  const resumed = points.filter((p) => p.resumedFrom !== null);
  assert.ok(
    resumed.length >= 1 && resumed.every((p) => p.resumedFrom >= 1),
    `a point resumed from its checkpoint: ${JSON.stringify(points.map((p) => [p.resumedFrom, p.worker]))}`,
  );
  // The run folders hold the collected runs with their final weights.
  const sweepFile = readFileSync(join(runsDir, 'sweeps', `${JSON.parse(viaRedis.stdout.trim().split('\n').at(-1)!).sweep}.json`), 'utf8');
  for (const p of JSON.parse(sweepFile).points) {
    assert.ok(existsSync(join(runsDir, p.runId, 'checkpoint.bin')), `weights of ${p.runId}`);
    assert.equal(JSON.parse(readFileSync(join(runsDir, p.runId, 'run.json'), 'utf8')).state, 'finished');
  }
  const local = await cliInProcess('sweep', spec, '--json');
  assert.equal(local.status, 0, local.stderr);
  const localPoints = local.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((o) => 'point' in o);
  const key = (p: { point: number; bestEvalAccuracy: number; bestEpoch: number; evalAccuracy: number[]; finalTrainCost: number }) => [
    p.point,
    p.bestEvalAccuracy,
    p.bestEpoch,
    p.evalAccuracy,
    p.finalTrainCost,
  ];
  assert.deepEqual(points.map(key).sort(), localPoints.map(key).sort(), 'the same table, bit for bit');
});
