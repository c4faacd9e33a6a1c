// ONNX export: the exported bytes run in onnxruntime (onnxruntime-web's wasm backend, in node) and
// give the lab's own output activations within 1e-5 on real MNIST test images, for every hidden
// activation, both output layers and a deeper network; the CLI writes the same bytes atomically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { getBackend } from '../src/engine/backend';
import { bytesToFloats, Evaluator } from '../src/engine/evaluate';
import type { Hyperparams } from '../src/engine/hyperparams';
import { parseModelJson, toNetwork2Json } from '../src/engine/model-json';
import type { Network } from '../src/engine/network';
import { toOnnx } from '../src/engine/onnx';
import { Trainer } from '../src/engine/trainer';
import { firstN, loadMnistSync } from '../src/main/datasets';
import { hp } from './helpers';

ort.env.wasm.numThreads = 1;
const mnist = loadMnistSync();
const ROWS = 500;
const x = new Float32Array(ROWS * 784);
bytesToFloats(x, mnist.test.images, 0, ROWS);

/** A model trained one epoch on 5,000 real images, so its outputs are spread like a real model's. */
function trained(over: Partial<Hyperparams>): Network {
  const t = new Trainer(
    hp({
      trainSize: 5000,
      epochs: 1,
      evalSet: 'none',
      monitor: { evalAccuracy: false, evalCost: false, trainAccuracy: false, trainCost: false, inside: false },
      ...over,
    }),
    firstN(mnist.train, 5000),
    null,
  );
  t.runEpoch();
  // Through the model file, as the CLI exports it.
  return parseModelJson(toNetwork2Json(t.network)).network;
}

async function onnxOutputs(bytes: Uint8Array, input: Float32Array, rows: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(session.outputNames, ['probabilities']);
  const r = await session.run({ input: new ort.Tensor('float32', input, [rows, 784]) });
  const out = r.probabilities;
  assert.deepEqual(out.dims, [rows, 10]);
  await session.release();
  return out.data as Float32Array;
}

async function assertSameOutputs(net: Network, label: string): Promise<void> {
  const got = await onnxOutputs(toOnnx(net), x, ROWS);
  const evaluator = new Evaluator(net, getBackend());
  let worst = 0;
  let sumRow = 0;
  for (let r = 0; r < ROWS; r++) {
    const row = x.subarray(r * 784, (r + 1) * 784);
    const reference = net.feedforward(row);
    const fast = evaluator.predict(row);
    for (let j = 0; j < 10; j++) {
      worst = Math.max(worst, Math.abs(got[r * 10 + j] - reference[j]), Math.abs(got[r * 10 + j] - fast[j]));
      if (r === 0) sumRow += got[j];
    }
  }
  assert.ok(worst <= 1e-5, `${label}: largest difference from the lab's outputs is ${worst}`);
  if (net.softmax) assert.ok(Math.abs(sumRow - 1) < 1e-5, `${label}: softmax row sums to ${sumRow}`);
}

test("sigmoid hidden + sigmoid output (network2.py's network) matches the lab within 1e-5", async () => {
  await assertSameOutputs(trained({ sizes: [784, 30, 10], activation: 'sigmoid', cost: 'cross-entropy', seed: 1 }), 'sigmoid');
});

test('tanh hidden layers match within 1e-5', async () => {
  await assertSameOutputs(trained({ sizes: [784, 30, 10], activation: 'tanh', cost: 'cross-entropy', eta: 0.1, seed: 2 }), 'tanh');
});

test('relu hidden layers, two of them, match within 1e-5', async () => {
  await assertSameOutputs(trained({ sizes: [784, 40, 20, 10], activation: 'relu', cost: 'cross-entropy', eta: 0.05, seed: 3 }), 'relu');
});

test('softmax output (log-likelihood) matches within 1e-5 and rows sum to 1', async () => {
  await assertSameOutputs(trained({ sizes: [784, 30, 10], activation: 'sigmoid', cost: 'log-likelihood', seed: 4 }), 'softmax');
});

test('the bundled default model exports and predicts the same digits as evaluate on all 10,000 test images', async () => {
  const net = parseModelJson(readFileSync(join('resources', 'models', 'default.json'), 'utf8')).network;
  const all = new Float32Array(mnist.test.count * 784);
  bytesToFloats(all, mnist.test.images, 0, mnist.test.count);
  const got = await onnxOutputs(toOnnx(net), all, mnist.test.count);
  let correct = 0;
  let worst = 0;
  new Evaluator(net, getBackend()).evaluate(mnist.test, { lambda: 0, l1: 0 }, false, (out, start, rows) => {
    for (let i = 0; i < rows * 10; i++) worst = Math.max(worst, Math.abs(out[i] - got[start * 10 + i]));
  });
  for (let r = 0; r < mnist.test.count; r++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (got[r * 10 + j] > got[r * 10 + best]) best = j;
    if (best === mnist.test.labels[r]) correct++;
  }
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
  const lab = new Evaluator(net, getBackend()).evaluate(mnist.test, { lambda: 0, l1: 0 }, false);
  assert.equal(correct, lab.correct);
});

test("the ONNX file records the opset, ir_version and the model's description", () => {
  const net = trained({ sizes: [784, 10, 10], seed: 5 });
  const bytes = toOnnx(net);
  // ModelProto field 1 (ir_version) is the first record: key 0x08, then varint 8.
  assert.deepEqual(Array.from(bytes.subarray(0, 2)), [0x08, 8]);
  const text = Buffer.from(bytes).toString('latin1');
  for (const s of ['Gemm', 'transB', 'Sigmoid', 'probabilities', 'nnlab', '784,10,10']) assert.ok(text.includes(s), s);
  // Weights are stored bit for bit: the first weight's little-endian float32 bytes appear in the file.
  const w0 = Buffer.alloc(4);
  w0.writeFloatLE(net.weights[0][0]);
  assert.ok(Buffer.from(bytes).includes(Buffer.concat([w0, Buffer.from(new Float32Array([net.weights[0][1]]).buffer)])));
});

/** A python3 with the onnx package (Debian's python3-onnx), or null. */
function pythonWithOnnx(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}
const pyOnnx = pythonWithOnnx();

test(
  'the official onnx checker accepts the exports, infers their shapes and reads back the same weights',
  { skip: pyOnnx ? false : 'python3 with the onnx package is not installed (apt-get install python3-onnx)' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'nnlab-onnx-check-'));
    const nets: Record<string, Network> = {
      sigmoid: trained({ sizes: [784, 12, 10], seed: 7 }),
      tanh: trained({ sizes: [784, 12, 10], activation: 'tanh', eta: 0.1, seed: 8 }),
      relu: trained({ sizes: [784, 12, 9, 10], activation: 'relu', eta: 0.05, seed: 9 }),
      softmax: trained({ sizes: [784, 12, 10], cost: 'log-likelihood', seed: 10 }),
    };
    for (const [name, net] of Object.entries(nets)) {
      writeFileSync(join(dir, `${name}.onnx`), toOnnx(net));
      writeFileSync(
        join(dir, `${name}.json`),
        JSON.stringify({ weights: net.weights.map((w) => Array.from(w)), biases: net.biases.map((b) => Array.from(b)) }),
      );
    }
    const script = `
import json, sys, onnx, numpy as np
from onnx import numpy_helper
out = {}
for name in sys.argv[2:]:
    m = onnx.load(f"{sys.argv[1]}/{name}.onnx")
    onnx.checker.check_model(m, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    ref = json.load(open(f"{sys.argv[1]}/{name}.json"))
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    same = all(np.array_equal(inits[f"W{l}"].ravel(), np.array(w, dtype=np.float32)) and np.array_equal(inits[f"b{l}"], np.array(b, dtype=np.float32)) for l, (w, b) in enumerate(zip(ref["weights"], ref["biases"])))
    out[name] = {"ops": [n.op_type for n in m.graph.node], "ir": m.ir_version, "opset": m.opset_import[0].version,
                 "output": [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim], "same": bool(same)}
print(json.dumps(out))
`;
    const r = spawnSync(pyOnnx!, ['-c', script, dir, ...Object.keys(nets)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(got.sigmoid.ops, ['Gemm', 'Sigmoid', 'Gemm', 'Sigmoid']);
    assert.deepEqual(got.tanh.ops, ['Gemm', 'Tanh', 'Gemm', 'Sigmoid']);
    assert.deepEqual(got.relu.ops, ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Sigmoid']);
    assert.deepEqual(got.softmax.ops, ['Gemm', 'Sigmoid', 'Gemm', 'Softmax']);
    for (const name of Object.keys(nets)) {
      assert.equal(got[name].ir, 8);
      assert.equal(got[name].opset, 13);
      assert.deepEqual(got[name].output, ['N', 10]);
      assert.equal(got[name].same, true, `${name}: weights read back by onnx differ`);
    }
    rmSync(dir, { recursive: true, force: true });
  },
);

test('npm run export-onnx writes the file atomically and refuses bad arguments in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-onnx-'));
  const model = join(dir, 'm.json');
  const net = trained({ sizes: [784, 16, 10], activation: 'tanh', cost: 'log-likelihood', seed: 6 });
  writeFileSync(model, toNetwork2Json(net));
  const out = join(dir, 'm.onnx');
  const cli = (...args: string[]) => spawnSync(join('node_modules', '.bin', 'tsx'), ['src/cli/index.ts', 'export-onnx', ...args], { encoding: 'utf8' });
  const ok = cli(model, out, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).bytes, readFileSync(out).length);
  assert.deepEqual(new Uint8Array(readFileSync(out)), toOnnx(net, { docString: `exported by nnlab from ${model}` }));
  const got = await onnxOutputs(new Uint8Array(readFileSync(out)), x.subarray(0, 784), 1);
  const want = net.feedforward(x.subarray(0, 784));
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(got[j] - want[j]) <= 1e-5);
  for (const [args, re] of [
    [[model], /needs a model file and an output file/],
    [[model, join(dir, 'missing', 'x.onnx')], /folder .*missing does not exist/],
    [[join(dir, 'nope.json'), join(dir, 'y.onnx')], /no such file/],
    [[model, join(dir, 'y.txt')], /should end in \.onnx/],
  ] as [string[], RegExp][]) {
    const r = cli(...args);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['m.json', 'm.onnx']);
  rmSync(dir, { recursive: true, force: true });
});
