// The WebAssembly SIMD kernels agree with the reference kernels within float rounding, on shapes
// that are not multiples of the vector width and on the real ones, with MNIST-like sparse inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceKernels, sparseListFloats, sparsePanels, sparseStride } from '../src/engine/kernels';
import type { Kernels, Workspace } from '../src/engine/kernels';
import { getBackend, wasmAvailable } from '../src/engine/backend';
import { Rng } from '../src/engine/rng';
import { kernelVariant } from '../src/engine/wasm/wasm-backend';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const shapes: [number, number, number][] = [
  [3, 37, 13], // nothing a multiple of 4
  [1, 3, 2], // narrower than one vector
  [5, 9, 5],
  [9, 37, 7], // 7 outputs: four, then two (a pair of rows of w), then one; an odd last row of x
  [10, 784, 30], // 784-30-10, first layer
  [10, 30, 10], // and second
  [10, 784, 100],
  [7, 100, 10],
  [2, 784, 801],
  [200, 784, 13], // more rows than one scratch tile of chunk lists holds
];

/** Fills a with values; `sparse` zeroes runs of pixels the way MNIST's borders are zero. */
function fill(a: Float32Array, rng: Rng, sparse: boolean): void {
  for (let i = 0; i < a.length; i++) a[i] = sparse && (i % 28 < 6 || i % 13 < 5 || rng.uniform() < 0.3) ? 0 : rng.gaussian();
}

function assertClose(actual: Float32Array, expected: Float32Array, bound: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const tol = bound + 1e-6 * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${what}[${i}] = ${actual[i]}, reference ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/** Views into a fresh workspace for one layer's arrays, plus plain copies for the reference. */
function setup(ws: Workspace, B: number, nIn: number, nOut: number, rng: Rng, sparse: boolean) {
  let o = 1; // deliberately misaligned views
  const take = (n: number) => ws.slab.subarray(o, (o += n));
  const v = {
    x: take(B * nIn),
    w: take(nOut * nIn),
    b: take(nOut),
    z: take(B * nOut),
    dz: take(B * nOut),
    dx: take(B * nIn),
    gw: take(nOut * nIn),
    gb: take(nOut),
  };
  fill(v.x, rng, sparse);
  fill(v.w, rng, false);
  fill(v.b, rng, false);
  fill(v.dz, rng, false);
  fill(v.gw, rng, false);
  fill(v.gb, rng, false);
  const ref = Object.fromEntries(Object.entries(v).map(([k, a]) => [k, a.slice()])) as typeof v;
  return { v, ref };
}

const floatsFor = (B: number, nIn: number, nOut: number) => 2 * B * nIn + 2 * nOut * nIn + 2 * nOut + 2 * B * nOut + 8;

test('the wasm backend is available and chosen by default under node', () => {
  assert.ok(wasmAvailable());
  assert.equal(getBackend().name, 'wasm');
  assert.equal(getBackend('reference').name, 'reference');
  assert.throws(() => getBackend('gpu' as never), /unknown backend "gpu"/);
});

// Every check of this file runs twice: here with the build this runtime picks (plain SIMD under
// node 20), and in a child node whose V8 has relaxed SIMD switched on, where the fused
// multiply-add build must be the one chosen and pass the same checks.
const RELAXED_CHILD = process.env.NNLAB_RELAXED_CHILD === '1';

test('the relaxed-SIMD build (fused multiply-add) passes every check of this file too', { skip: RELAXED_CHILD }, () => {
  const r = spawnSync(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--test', '--test-reporter=dot', fileURLToPath(import.meta.url)],
    {
      // Not as a child of this test runner (NODE_TEST_CONTEXT): its own run, with its own exit status.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), NNLAB_RELAXED_CHILD: '1' },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, `the relaxed-SIMD run failed:\n${r.stdout}\n${r.stderr}`);
});

test('with relaxed SIMD in the runtime, the fused build is chosen', { skip: !RELAXED_CHILD }, () => {
  assert.equal(kernelVariant(), 'relaxed-simd');
});

for (const [B, nIn, nOut] of shapes) {
  test(`wasm kernels match the reference for B=${B}, nIn=${nIn}, nOut=${nOut}`, () => {
    const ws = getBackend('wasm').createWorkspace(floatsFor(B, nIn, nOut));
    const k: Kernels = ws.kernels;
    const r: Kernels = referenceKernels;
    const rng = new Rng(B * 1000 + nIn + nOut);
    for (const sparse of [true, false]) {
      const { v, ref } = setup(ws, B, nIn, nOut, rng, sparse);
      const bound = 2e-6 * nIn;

      k.linearForward(v.z, v.x, v.w, v.b, B, nIn, nOut);
      r.linearForward(ref.z, ref.x, ref.w, ref.b, B, nIn, nOut);
      assertClose(v.z, ref.z, bound, 'z');

      k.linearBackwardInput(v.dx, v.dz, v.w, B, nIn, nOut);
      r.linearBackwardInput(ref.dx, ref.dz, ref.w, B, nIn, nOut);
      assertClose(v.dx, ref.dx, 2e-6 * nOut, 'dx');

      v.gw[0] = ref.gw[0] = 0; // sgn(0) = 0: L1 leaves a zero weight alone
      k.linearWeightGradAdd(v.gw, v.gb, v.dz, v.x, 0.99, sparse ? 0.01 : 0, -0.37, B, nIn, nOut);
      r.linearWeightGradAdd(ref.gw, ref.gb, ref.dz, ref.x, 0.99, sparse ? 0.01 : 0, -0.37, B, nIn, nOut);
      assertClose(v.gw, ref.gw, 2e-6 * B, 'gw (add)');
      assertClose(v.gb, ref.gb, 2e-6 * B, 'gb (add)');

      k.linearWeightGrad(v.gw, v.gb, v.dz, v.x, B, nIn, nOut);
      r.linearWeightGrad(ref.gw, ref.gb, ref.dz, ref.x, B, nIn, nOut);
      assertClose(v.gw, ref.gw, 2e-6 * B, 'gw');
      assertClose(v.gb, ref.gb, 2e-6 * B, 'gb');

      ref.w.set(v.w);
      ref.gw.set(v.gw);
      k.axpby(v.w, v.gw, 0.999, -0.05, nOut * nIn - 1);
      r.axpby(ref.w, ref.gw, 0.999, -0.05, nOut * nIn - 1);
      assertClose(v.w, ref.w, 1e-7, 'axpby');

      ref.dx.set(v.dx);
      k.scale(v.dx, 0.75, B * nIn - 1);
      r.scale(ref.dx, 0.75, B * nIn - 1);
      assertClose(v.dx, ref.dx, 0, 'scale'); // f32(0.75·y) exactly
    }
  });
}

test('wasm matrix kernels: rows whose first pair has no zero chunk go as dense, with the same bits, and the next call lists its zero chunks again', () => {
  // 8 rows of 40 inputs (10 chunks): two dense rows and six with zero chunks (each pair of those
  // with ink in chunks the others lack), through 10 outputs, as the output layer of 40 → 10.
  const [B, nIn, nOut] = [8, 40, 10];
  const ws = getBackend('wasm').createWorkspace(floatsFor(B, nIn, nOut));
  const k = ws.kernels;
  const rng = new Rng(7);
  const { v, ref } = setup(ws, B, nIn, nOut, rng, false);
  const rows: Float32Array[] = [];
  for (let i = 0; i < B; i++) {
    const row = new Float32Array(nIn);
    // Rows 0 and 1 dense; row i ≥ 2 inked in chunks i − 2 and i + 1 only (of 10).
    for (let c = 0; c < nIn; c++) row[c] = i < 2 || c >> 2 === i - 2 || c >> 2 === i + 1 ? rng.gaussian() : 0;
    rows.push(row);
  }
  const forward = (order: number[]): Float32Array => {
    order.forEach((r, i) => v.x.set(rows[r], i * nIn));
    k.linearForward(v.z, v.x, v.w, v.b, B, nIn, nOut);
    const z = new Float32Array(B * nOut);
    order.forEach((r, i) => z.set(v.z.subarray(i * nOut, (i + 1) * nOut), r * nOut));
    return z;
  };
  // Dense pair first: every pair goes through every chunk.
  const dense = forward([0, 1, 2, 3, 4, 5, 6, 7]);
  // The same rows with a sparse pair first: each pair's own list, right after the dense call.
  const listed = forward([2, 3, 0, 1, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(listed), Array.from(dense), 'a skipped chunk adds w · 0: the same bits either way');
  rows.forEach((row, i) => ref.x.set(row, i * nIn));
  referenceKernels.linearForward(ref.z, ref.x, ref.w, ref.b, B, nIn, nOut);
  assertClose(dense, ref.z, 2e-6 * nIn, 'z');
  // The weight update, the same two ways.
  const update = (order: number[]): Float32Array => {
    order.forEach((r, i) => v.x.set(rows[r], i * nIn));
    order.forEach((r, i) => v.dz.set(ref.dz.subarray(r * nOut, (r + 1) * nOut), i * nOut));
    v.gw.set(ref.gw);
    v.gb.set(ref.gb);
    k.linearWeightGradAdd(v.gw, v.gb, v.dz, v.x, 0.99, 0, -0.37, B, nIn, nOut);
    return v.gw.slice();
  };
  const gwListed = update([2, 3, 4, 5, 6, 7, 0, 1]);
  const gwDense = update([0, 1, 2, 3, 4, 5, 6, 7]);
  const gwListedAgain = update([2, 3, 4, 5, 6, 7, 0, 1]);
  assert.deepEqual(Array.from(gwListedAgain), Array.from(gwListed), 'a call after a dense one lists its chunks again');
  const gwRef = ref.gw.slice();
  referenceKernels.linearWeightGradAdd(gwRef, ref.gb.slice(), ref.dz, ref.x, 0.99, 0, -0.37, B, nIn, nOut);
  assertClose(gwDense, gwRef, 2e-6 * B, 'gw (dense first)');
  assertClose(gwListedAgain, gwRef, 2e-6 * B, 'gw (listed, after a dense call)');
});

test('wasm loadImages gives exactly bytes / 255, in permutation order or contiguously', () => {
  const pixels = 37;
  const count = 2000; // more than one 64 KiB staging pass
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = i % 100 < 40 ? 0 : (i * 7919) % 256; // with all-zero runs, as MNIST's borders
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = (i * 389) % count;
  const ws = getBackend('wasm').createWorkspace(count * pixels + 3);
  const x = ws.slab.subarray(3, 3 + count * pixels);
  const expected = new Float32Array(count * pixels);
  for (const o of [order, null]) {
    ws.kernels.loadImages(x, images, o, 5, count - 5, pixels);
    referenceKernels.loadImages(expected, images, o, 5, count - 5, pixels);
    assert.deepEqual(x, expected);
  }
  // From a shared and from an unaligned buffer too.
  const shared = new Uint8Array(new SharedArrayBuffer(count * 36 + 4), 4, count * 36);
  shared.set(images.subarray(0, count * 36));
  const odd = new Uint8Array(count * 36 + 1).subarray(1);
  odd.set(shared);
  for (const src of [shared, odd]) {
    const x36 = ws.slab.subarray(3, 3 + (count - 5) * 36);
    const e36 = new Float32Array((count - 5) * 36);
    for (const o of [order, null]) {
      ws.kernels.loadImages(x36, src, o, 5, count - 5, 36);
      referenceKernels.loadImages(e36, src, o, 5, count - 5, 36);
      assert.deepEqual(x36, e36);
    }
  }
  assert.equal(x[pixels], Math.fround(images[6 * pixels] / 255)); // the contiguous pass came last
});

for (const name of ['reference', 'wasm'] as const) {
  test(`${name} kernels: δ through a sigmoid inside linearBackwardInput is dz · w times a · (1 − a) in float32, bit for bit, in place too`, () => {
    for (const [B, nIn, nOut] of shapes) {
      const ws = getBackend(name).createWorkspace(4 * B * nIn + nOut * nIn + B * nOut + 8);
      let o = 1;
      const take = (n: number) => ws.slab.subarray(o, (o += n));
      const [w, dz, act, apart, inPlace, twoPass] = [take(nOut * nIn), take(B * nOut), take(B * nIn), take(B * nIn), take(B * nIn), take(B * nIn)];
      const rng = new Rng(B + 7 * nIn + 31 * nOut);
      fill(w, rng, false);
      fill(dz, rng, false);
      for (let i = 0; i < act.length; i++) act[i] = rng.uniform();
      const k = ws.kernels;
      k.linearBackwardInput(twoPass, dz, w, B, nIn, nOut);
      const f = Math.fround;
      for (let i = 0; i < B * nIn; i++) twoPass[i] = f(twoPass[i] * f(act[i] * f(1 - act[i])));
      k.linearBackwardInput(apart, dz, w, B, nIn, nOut, act);
      inPlace.set(act);
      k.linearBackwardInput(inPlace, dz, w, B, nIn, nOut, inPlace);
      if (name === 'wasm' && B * nIn > 1) {
        // act overlapping dx without being dx would read floats the kernel has already replaced.
        const at = (inPlace.byteOffset - ws.slab.byteOffset) / 4;
        const shifted = ws.slab.subarray(at + 1, at + 1 + B * nIn);
        assert.throws(() => k.linearBackwardInput(inPlace, dz, w, B, nIn, nOut, shifted), /act overlaps dx/);
      }
      for (let i = 0; i < B * nIn; i++) {
        if (!Object.is(apart[i], twoPass[i])) assert.fail(`${B}x${nIn}x${nOut}: dx[${i}] = ${apart[i]} with act, ${twoPass[i]} in two passes`);
        if (!Object.is(inPlace[i], twoPass[i])) assert.fail(`${B}x${nIn}x${nOut}: dx[${i}] = ${inPlace[i]} in place, ${twoPass[i]} in two passes`);
      }
    }
  });
}

test('wasm sigmoid matches 1 / (1 + e^-z) within float rounding, from saturation to saturation', () => {
  const n = 4003; // not a multiple of 4
  const ws = getBackend('wasm').createWorkspace(2 * n + 1);
  const z = ws.slab.subarray(1, 1 + n);
  const a = ws.slab.subarray(1 + n, 1 + 2 * n);
  for (let i = 0; i < n; i++) z[i] = -120 + (240 * i) / (n - 1);
  z[7] = 0;
  z[8] = -0;
  const expected = new Float32Array(n);
  referenceKernels.sigmoid(expected, z, n);
  ws.kernels.sigmoid(a, z, n);
  for (let i = 0; i < n; i++) {
    const tol = 3e-7 * expected[i] + 1e-37;
    if (!(Math.abs(a[i] - expected[i]) <= tol)) assert.fail(`sigmoid(${z[i]}) = ${a[i]}, reference ${expected[i]}`);
  }
  assert.equal(a[7], 0.5);
  assert.equal(a[n - 1], 1);
  assert.ok(a[0] >= 0 && a[0] < 1e-37);
  // A diverged run's NaN must come through (the schedule stops the run on it), in every lane and the tail.
  const m = 7;
  z.fill(0.25, 0, m);
  for (const at of [0, 3, 5, 6]) z[at] = NaN;
  ws.kernels.sigmoid(a, z, m);
  assert.deepEqual(
    Array.from(a.subarray(0, m), (v) => Number.isNaN(v)),
    [true, false, false, true, false, true, true],
  );
  z[1] = Infinity;
  z[2] = -Infinity;
  ws.kernels.sigmoid(a, z, 4);
  assert.equal(a[1], 1);
  assert.ok(a[2] >= 0 && a[2] < 1e-37, `sigmoid(-Infinity) = ${a[2]}`);
});

test('wasm kernels refuse arrays outside their workspace and views that are too short', () => {
  const ws = getBackend('wasm').createWorkspace(100);
  const outside = new Float32Array(10);
  const v = ws.slab.subarray(0, 10);
  assert.throws(() => ws.kernels.linearForward(outside, v, v, v, 1, 3, 3), /z is not a view of this workspace's slab/);
  assert.throws(() => ws.kernels.linearForward(v, v, v, v, 1, 6, 3), /w has 10 floats, needs 18/);
});

test('two wasm workspaces do not share memory', () => {
  const a = getBackend('wasm').createWorkspace(16);
  const b = getBackend('wasm').createWorkspace(16);
  a.slab.fill(1);
  assert.equal(b.slab[0], 0);
  assert.notEqual(a.slab.buffer, b.slab.buffer);
});

test('a seeded 784-30-10 run on the wasm backend tracks the reference backend step for step', async () => {
  const { Trainer } = await import('../src/engine/trainer');
  const { loadMnist } = await import('../src/main/datasets');
  const { defaultHyperparams } = await import('../src/engine/hyperparams');
  const mnist = await loadMnist();
  const hp = { ...defaultHyperparams(), sizes: [784, 30, 10], lambda: 5, trainSize: 1000, epochs: 1, seed: 7 };
  const runs = (['wasm', 'reference'] as const).map((name) => {
    const t = new Trainer(hp, mnist.train, mnist.validation, { backend: getBackend(name) });
    t.trainBatches(100); // the whole 1,000-image epoch through the fused SGD step
    return t.network.params;
  });
  let maxDiff = 0;
  for (let i = 0; i < runs[0].length; i++) maxDiff = Math.max(maxDiff, Math.abs(runs[0][i] - runs[1][i]));
  assert.ok(maxDiff < 1e-3, `parameters drifted apart by ${maxDiff}`);
  assert.ok(maxDiff > 0, 'the two backends should round differently somewhere');
});

// The input layer pixel by pixel: the sparse kernels on the weights transposed against the dense
// reference (loadImages, then linearForward and linearWeightGradAdd on w itself).
const sparseShapes: { rows: number; nOut: number; ink: number; what: string; nIn?: number }[] = [
  { rows: 1, nOut: 1, ink: 0.2, what: 'one unit' },
  { rows: 3, nOut: 3, ink: 0.2, what: 'less than one vector of units' },
  { rows: 7, nOut: 10, ink: 0.2, what: 'a partial last vector' },
  { rows: 20, nOut: 30, ink: 0.2, what: '784-30-10' },
  { rows: 100, nOut: 100, ink: 0.2, what: '784-100-10' },
  { rows: 4, nOut: 801, ink: 0.2, what: 'blocks of 6 and 5 vectors and a partial one' },
  { rows: 200, nOut: 13, ink: 1, what: 'rows with every pixel inked: the step goes in tiles of as many entries as its scratch holds' },
  { rows: 600, nOut: 13, ink: 0.2, what: 'more rows than a panel of the step holds: the step goes in tiles of 512 rows' },
  { rows: 5, nOut: 9, ink: 0, what: 'blank images' },
  // 784 is 49 blocks of 16 pixels: 783 leaves sparseRows 15 pixels past its last whole block.
  { rows: 9, nOut: 22, ink: 0.3, what: 'pixels past the last block of 16', nIn: 783 },
];
/** The ints of sparse rows (their count, starts and entries, x as its bits), up to their last entry. */
function listedInts(lists: Float32Array): number[] {
  const ints = new Int32Array(lists.buffer, lists.byteOffset, lists.length);
  return Array.from(ints.subarray(0, ints[0] + 2 + 2 * ints[ints[0] + 1]));
}

const steps: [number, number, number][] = [
  [1, 0, -0.03], // no regularization
  [0.999, 0, -0.03], // L2
  [0.999, 0.0004, -0.03], // L2 and L1
];

for (const { rows, nOut, ink, what, nIn = 784 } of sparseShapes) {
  test(`the sparse input-layer kernels match the dense ones: ${rows} rows, ${nIn} pixels, ${nOut} units (${what})`, () => {
    const rng = new Rng(rows * 1000 + nOut);
    const count = rows + 11;
    const images = new Uint8Array(count * nIn);
    for (let i = 0; i < images.length; i++) images[i] = rng.uniform() < ink ? 1 + rng.int(255) : 0;
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = (i * 7 + 3) % count;
    const start = 5;
    const stride = sparseStride(nOut);
    const panels = sparsePanels(nIn, nOut);
    const w0 = new Float32Array(nOut * nIn);
    const b0 = new Float32Array(nOut);
    const dz = new Float32Array(rows * nOut);
    fill(w0, rng, false);
    fill(b0, rng, false);
    fill(dz, rng, false);
    // The dense reference.
    const x = new Float32Array(rows * nIn);
    referenceKernels.loadImages(x, images, order, start, rows, nIn);
    const zRef = new Float32Array(rows * nOut);
    referenceKernels.linearForward(zRef, x, w0, b0, rows, nIn, nOut);
    const worst = sparseListFloats(count, count * nIn);
    const ws = getBackend('wasm').createWorkspace(2 * nIn * stride + 2 * worst + count + rows * nOut * 2 + nOut + nOut * nIn + 8);
    let o = 3; // deliberately misaligned views
    const take = (n: number) => ws.slab.subarray(o, (o += n));
    const v = {
      wT: take(nIn * stride),
      lists: take(worst),
      store: take(worst),
      rowsOf: ((f) => new Uint32Array(f.buffer, f.byteOffset, rows))(take(rows)),
      z: take(rows * nOut),
      dz: take(rows * nOut),
      b: take(nOut),
      w: take(nOut * nIn),
    };
    for (const [kernels, exact, name] of [
      [ws.kernels, false, 'wasm'],
      [referenceKernels, true, 'reference'],
    ] as const) {
      const k: Kernels = kernels;
      // The reference's arrays are plain copies; the wasm kernels' live in their workspace.
      const a = exact
        ? {
            wT: new Float32Array(nIn * stride),
            lists: new Float32Array(worst),
            store: new Float32Array(worst),
            rowsOf: new Uint32Array(rows),
            z: new Float32Array(rows * nOut),
            dz: dz.slice(),
            b: b0.slice(),
            w: w0.slice(),
          }
        : v;
      a.w.set(w0);
      a.b.set(b0);
      a.dz.set(dz);
      a.wT.fill(7);
      k.toSparseWeights(a.wT, a.w, nIn, nOut);
      // Both backends lay wT out in the same panels: every weight where sparsePanels puts it.
      for (let j = 0; j < panels.base.length; j++) {
        for (let i = 0; i < nIn; i++) {
          const want = j < nOut ? w0[j * nIn + i] : 0;
          if (a.wT[panels.base[j] + i * panels.step[j]] !== want) assert.fail(`${name}: wT holds unit ${j}'s weight to pixel ${i} where sparsePanels puts it`);
        }
      }
      // The mini-batch's own rows, or its rows taken out of all the images' (built once).
      k.sparseImages(a.lists, images, order, start, rows, nIn, nOut);
      const direct = listedInts(a.lists);
      for (const byRows of [false, true]) {
        const how = byRows ? 'rows taken from all the images' : "the mini-batch's rows";
        if (byRows) {
          k.sparseStore(a.store, images, count, nIn);
          a.rowsOf.set(order.subarray(start, start + rows));
          a.lists.fill(NaN);
          k.sparseTake(a.lists, a.store, a.rowsOf, rows, nOut);
          assert.deepEqual(listedInts(a.lists), direct, `${name}: the taken rows are the rows built directly`);
        }
        a.z.fill(0);
        k.sparseForwardT(a.z, a.lists, a.wT, a.b, rows, nIn, nOut, stride);
        if (exact) assert.deepEqual(a.z, zRef, `the reference sparse forward sums the same terms in the same order (${how})`);
        // A sum of 784 inked pixels in float32 order (every pixel of the last shape) strays further.
        else assertClose(a.z, zRef, ink === 1 ? 1e-4 : 1e-5, `${name} z (${how})`);
        checkSteps(k, a, exact, `${name}, ${how}`);
      }
    }

    function checkSteps(k: Kernels, a: typeof v, exact: boolean, name: string): void {
      const wT0 = a.wT.slice();
      for (const [decay, shrink, alpha] of steps) {
        const wRef = w0.slice();
        const gbRef = b0.slice();
        referenceKernels.linearWeightGradAdd(wRef, gbRef, dz, x, decay, shrink, alpha, rows, nIn, nOut);
        a.wT.set(wT0);
        a.b.set(b0);
        k.sparseStepT(a.wT, a.b, a.dz, a.lists, decay, shrink, alpha, rows, nIn, nOut, stride);
        for (let i = 0; i < nIn; i++)
          for (let j = nOut; j < panels.base.length; j++)
            assert.equal(a.wT[panels.base[j] + i * panels.step[j]], 0, `${name}: the step leaves wT's padding at 0`);
        k.fromSparseWeights(a.w, a.wT, nIn, nOut);
        if (exact) {
          assert.deepEqual(a.w, wRef, `reference sparse step (decay ${decay}, shrink ${shrink})`);
          assert.deepEqual(a.b, gbRef);
        } else {
          assertClose(a.w, wRef, 1e-6, `${name} w after the step (decay ${decay}, shrink ${shrink})`);
          assertClose(a.b, gbRef, 1e-5, `${name} b after the step`);
        }
      }
      a.wT.set(wT0);
      a.b.set(b0);
    }
  });
}

test('the wasm sparse kernels refuse a wrong stride, short lists and rows the lists do not hold', () => {
  const listFloats = sparseListFloats(2, 2 * 784);
  const ws = getBackend('wasm').createWorkspace(listFloats + 784 * 16 + 40);
  const v = ws.slab.subarray(0, 784 * 16);
  const lists = ws.slab.subarray(784 * 16, 784 * 16 + listFloats);
  const k = ws.kernels;
  const images = new Uint8Array(5 * 784).fill(9);
  k.sparseImages(lists, images, null, 0, 2, 784, 10);
  assert.throws(() => k.sparseForwardT(v, lists, v, v, 1, 784, 10, 10), /the stride of wT must be 16 for 10 units, got 10/);
  assert.throws(() => k.sparseForwardT(v, lists, v, v, 3, 784, 10, 16), /lists hold 2 rows, the call takes 3/);
  assert.throws(() => k.sparseStepT(v, v, v, lists, 1, 0, 1, 3, 784, 10, 16), /lists hold 2 rows, the call takes 3/);
  // Pixels past what the step's scratch holds starts for (slots of 6 ints at 24 units) are refused.
  assert.throws(
    () => k.sparseStepT(v, v, v, lists, 1, 0, 1, 1, 40000, 24, sparseStride(24)),
    /the sparse step takes at most 32767 pixels for 24 units, got 40000/,
  );
  // Three inked images do not fit lists made for two: the kernel stops at the end of the view.
  assert.throws(() => k.sparseImages(lists, images, null, 0, 3, 784, 10), /lists of \d+ floats are too short for these 3 images/);
  assert.deepEqual(Array.from(v.subarray(0, 4)), [0, 0, 0, 0], 'nothing past the lists was written');
  // The same space as a store of compact rows (half the floats an entry): five images do not fit.
  const store = lists;
  assert.throws(() => k.sparseStore(store, images, 5, 784), /store of \d+ floats are too short for these 5 images/);
  assert.throws(() => k.sparseStore(store, images, 1, 65537), /a store's images have at most 65536 pixels, got 65537/);
  k.sparseStore(store, images, 2, 784);
  const rowsOf = new Uint32Array(ws.slab.buffer, ws.slab.byteOffset + (784 * 16 + listFloats) * 4, 2);
  rowsOf.set([1, 2]);
  assert.throws(() => k.sparseTake(v, store, rowsOf, 2, 10), /rowsOf\[1\] = 2 is not one of the store's 2 rows/);
  assert.throws(() => k.sparseTake(v, store, new Uint32Array(2), 2, 10), /rowsOf is not a view of this workspace's slab/);
  assert.throws(() => k.sparseTake(v, store, rowsOf.subarray(0, 1), 2, 10), /rowsOf has 1 rows, needs 2/);
  // Views cut short of what their own counts say: refused before any kernel reads past them.
  assert.throws(() => k.sparseTake(v, store.subarray(0, 40), rowsOf, 1, 10), /store is not compact rows built by sparseStore/);
  assert.throws(() => k.sparseForwardT(v, store.subarray(0, 40), v, v, 1, 784, 10, 16), /lists are not sparse rows built by sparseImages/);
  // Two rows of 784 inked pixels do not fit lists made for one and a half: the copy stops at the end of the view.
  rowsOf.set([1, 0]);
  const short = ws.slab.subarray(0, sparseListFloats(2, 784 + 392));
  ws.slab[short.length] = 0.5;
  assert.throws(() => k.sparseTake(short, store, rowsOf, 2, 10), /lists of \d+ floats are too short for these 2 rows/);
  assert.equal(ws.slab[short.length], 0.5, 'nothing past the short lists was written');
});
