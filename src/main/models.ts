// The model registry: every network the UI can predict with, save or analyse: the bundled
// default model, models loaded from JSON text, and each run's current and best weights (read from
// its checkpoint). Prediction normalizes a drawing MNIST-style first; analysis runs over the
// validation or test data: a confusion matrix, a gallery per cell, first-layer receptive fields.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSplit } from '../engine/data';
import { IMAGE_PIXELS } from '../engine/data';
import { getBackend } from '../engine/backend';
import { Evaluator } from '../engine/evaluate';
import type { Hyperparams } from '../engine/hyperparams';
import { parseModelJson, toNetwork2Json, ModelError, type LoadedModel, type ModelMeta } from '../engine/model-json';
import { Network, argmax, network2Compatibility } from '../engine/network';
import { argmaxOf, predictFromNormalized, predictNormalized } from '../engine/predict';
import { checkParams, costMismatch, explainBackprop, forward64, paramRefError } from '../engine/backprop-steps';
import { normalizeGrayImage } from '../engine/digit-normalize';
import type { TrainerCheckpoint } from '../engine/trainer';
import type { BackpropRequest, BackpropView, Confusion, GalleryItem, GrayImage, ModelInfo, ModelRef, Prediction } from '../shared/api';
import { MAX_LOADED_MODELS } from '../shared/limits';
import { locate } from '../shared/errors';
import { readCheckpoint } from './runs/checkpoint';
import type { RunStore } from './runs/store';

export { ModelError } from '../engine/model-json';

interface Entry {
  network: Network;
  evaluator: Evaluator;
  label: string;
  hyperparams?: Hyperparams;
  history?: ModelMeta['history'];
  /** Changes whenever the weights behind this entry change (a run's next checkpoint). */
  version: string;
  /** A run's weights: its name and epoch (ModelInfo.run). */
  run?: ModelInfo['run'];
}

export interface ModelSources {
  resources: string;
  store: RunStore;
  /** The run's display name, or null when there is no such run. */
  runName(id: string): string | null;
  /** Ids of the runs that have weights (a checkpoint). */
  runsWithWeights(): string[];
  data(): Promise<{ train: DataSplit; validation: DataSplit; test: DataSplit }>;
}

function refKey(ref: ModelRef): string {
  if (ref.kind === 'default') return 'default';
  if (ref.kind === 'run') return `run:${ref.runId}:${ref.which}`;
  return `loaded:${ref.id}`;
}

function entryFrom(network: Network, label: string, version: string, extra: Partial<Entry> = {}): Entry {
  return { network, evaluator: new Evaluator(network, getBackend()), label, version, ...extra };
}

export class ModelRegistry {
  private readonly loaded = new Map<string, Entry>();
  private readonly runCache = new Map<string, Entry>();
  private defaultEntry: Entry | null = null;
  private nextLoaded = 1;
  private readonly confusionCache = new Map<string, { confusion: Confusion; predicted: Uint8Array }>();

  constructor(private readonly src: ModelSources) {}

  private get defaultPath(): string {
    return join(this.src.resources, 'models', 'default.json');
  }

  private info(ref: ModelRef, e: Entry): ModelInfo {
    const spec = e.network.spec;
    const compat = network2Compatibility(spec);
    return {
      ref,
      label: e.label,
      sizes: e.network.sizes.slice(),
      cost: spec.cost,
      activation: spec.activation,
      softmax: e.network.softmax,
      network2Compatible: compat.ok,
      ...(compat.reason ? { reason: compat.reason } : {}),
      ...(compat.why ? { why: compat.why } : {}),
      ...(e.run ? { run: e.run } : {}),
    };
  }

  list(): ModelInfo[] {
    const out: ModelInfo[] = [];
    if (existsSync(this.defaultPath)) {
      try {
        out.push(this.info({ kind: 'default' }, this.entry({ kind: 'default' })));
      } catch (e) {
        console.error(`models: the bundled default model cannot be used: ${(e as Error).message}`);
      }
    }
    for (const id of this.src.runsWithWeights()) {
      for (const which of ['current', 'best'] as const) {
        const ref: ModelRef = { kind: 'run', runId: id, which };
        try {
          out.push(this.info(ref, this.entry(ref)));
        } catch {
          // 'best' does not exist before the first evaluated epoch; an unreadable checkpoint is skipped.
        }
      }
    }
    for (const [id, e] of this.loaded) out.push(this.info({ kind: 'loaded', id }, e));
    return out;
  }

  /** The network behind a reference; throws one line when there is none. */
  entry(ref: ModelRef): Entry {
    if (ref.kind === 'default') {
      if (!this.defaultEntry) {
        if (!existsSync(this.defaultPath)) throw new ModelError('model.defaultMissing');
        let parsed;
        try {
          parsed = parseModelJson(readFileSync(this.defaultPath, 'utf8'));
        } catch (e) {
          throw locate(e, 'resources/models/default.json', (c, p, at) => new ModelError(c, p, at));
        }
        this.defaultEntry = entryFrom(parsed.network, 'Default model (bundled)', 'default', {
          hyperparams: parsed.meta.hyperparams,
          history: parsed.meta.history,
        });
      }
      return this.defaultEntry;
    }
    if (ref.kind === 'loaded') {
      const e = this.loaded.get(ref.id);
      if (!e) throw new ModelError('model.noLoaded', { id: JSON.stringify(ref.id) });
      return e;
    }
    const name = this.src.runName(ref.runId);
    if (name === null) throw new ModelError('model.noRun', { id: JSON.stringify(ref.runId) });
    const path = this.src.store.checkpointPath(ref.runId);
    if (!existsSync(path)) throw new ModelError('model.runNoWeights', { id: ref.runId });
    const st = statSync(path);
    const version = `${st.mtimeMs}:${st.size}`;
    const key = refKey(ref);
    const cached = this.runCache.get(key);
    if (cached && cached.version === version) return cached;
    const ck = readCheckpoint(path) as TrainerCheckpoint;
    const params = ref.which === 'best' ? ck.bestParams : ck.params;
    if (!params) throw new ModelError('model.runNoBest', { id: ref.runId });
    const hp = ck.hyperparams;
    const network = new Network({ sizes: hp.sizes, activation: hp.activation, cost: hp.cost }, params);
    const label = ref.which === 'best' ? `${name} (best, epoch ${ck.bestEpoch})` : `${name} (epoch ${ck.epoch})`;
    const history = ck.history.slice(0, ref.which === 'best' && ck.bestEpoch !== null ? ck.bestEpoch : ck.history.length);
    const e = entryFrom(network, label, version, { hyperparams: hp, history, run: { name, epoch: ref.which === 'best' ? ck.bestEpoch : ck.epoch } });
    this.runCache.set(key, e);
    return e;
  }

  /** Forgets a deleted run's cached weights. */
  forgetRun(id: string): void {
    for (const k of [...this.runCache.keys()]) if (k.startsWith(`run:${id}:`)) this.runCache.delete(k);
    for (const k of [...this.confusionCache.keys()]) if (k.startsWith(`run:${id}:`)) this.confusionCache.delete(k);
  }

  json(ref: ModelRef): string {
    const e = this.entry(ref);
    return toNetwork2Json(e.network, { hyperparams: e.hyperparams, history: e.history, note: e.label });
  }

  loadJson(text: string, name: string): ModelInfo {
    return this.loadParsed(parseModelJson(text), name);
  }

  /** A model parsed elsewhere (browser mode parses large files off its main thread). */
  loadParsed(parsed: LoadedModel, name: string): ModelInfo {
    const id = `m${this.nextLoaded++}`;
    this.loaded.set(id, entryFrom(parsed.network, name, id, { hyperparams: parsed.meta.hyperparams, history: parsed.meta.history }));
    while (this.loaded.size > MAX_LOADED_MODELS) this.loaded.delete(this.loaded.keys().next().value!);
    return this.info({ kind: 'loaded', id }, this.loaded.get(id)!);
  }

  /** Chapter 2's four equations with their numbers on one input, and the requested gradient checks. */
  async backprop(req: BackpropRequest): Promise<BackpropView> {
    const net = this.entry(req.model).network;
    const cost = req.cost ?? net.spec.cost;
    const mismatch = costMismatch(net, cost);
    // The UI offers only the costs that fit; this and the parameter checks below guard other callers.
    if (mismatch) throw new Error(mismatch);
    let x: Float32Array;
    let label: number | null = null;
    if (req.input.kind === 'mnist') {
      const split = (await this.src.data())[req.input.data];
      const i = req.input.index;
      if (i >= split.count) throw new ModelError('model.pastLast', { data: req.input.data, count: split.count, index: i });
      x = Float32Array.from(split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), (v) => v / 255);
      label = split.labels[i];
    } else {
      x = normalizeGrayImage(req.input.image).input;
    }
    if (net.sizes[0] !== IMAGE_PIXELS) throw new ModelError('model.notImageInputs', { n: net.sizes[0], pixels: IMAGE_PIXELS });
    const predicted = argmaxOf(forward64(net, Float64Array.from(x)).a[net.layers]);
    const target = req.target ?? label ?? predicted;
    if (req.select) {
      const why = paramRefError(net, { layer: req.select.layer, kind: 'bias', j: req.select.j, k: null });
      if (why) throw new Error(`select: ${why}`);
    }
    req.check.forEach((c, i) => {
      const why = paramRefError(net, c);
      if (why) throw new Error(`check[${i}]: ${why}`);
    });
    const explained = explainBackprop(net, x, target, cost, req.select);
    return {
      ...explained,
      sizes: net.sizes.slice(),
      activation: net.spec.activation,
      softmax: net.softmax,
      label,
      predicted,
      input: { width: 28, height: 28, pixels: Array.from(x, (v) => Math.round(v * 255)) },
      checks: checkParams(net, x, target, req.check, cost),
    };
  }

  /** The weights of a model, for a run that starts from them. */
  startingWeights(ref: ModelRef): { params: Float32Array; sizes: number[]; label: string } {
    const e = this.entry(ref);
    return { params: e.network.params.slice(), sizes: e.network.sizes.slice(), label: e.label };
  }

  predict(ref: ModelRef, image: GrayImage): Prediction {
    const e = this.entry(ref);
    // Normalized once: the prediction and the hidden layer's activations read the same input.
    const digit = normalizeGrayImage(image);
    const net = e.network;
    const hidden = net.layers > 1 ? Array.from(forward64(net, Float64Array.from(digit.input)).a[1]) : [];
    return { ...predictFromNormalized(e.evaluator, digit), hidden };
  }

  private async confusionWithPredictions(
    ref: ModelRef,
    which: 'validation' | 'test',
  ): Promise<{ confusion: Confusion; predicted: Uint8Array; split: DataSplit; e: Entry }> {
    const e = this.entry(ref);
    const split = (await this.src.data())[which];
    const key = `${refKey(ref)}|${e.version}|${which}`;
    let c = this.confusionCache.get(key);
    if (!c) {
      const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
      const predicted = new Uint8Array(split.count);
      const ev = e.evaluator.evaluate(split, undefined, false, (out, start, rows) => {
        for (let r = 0; r < rows; r++) {
          const p = argmax(out, r * 10, 10);
          predicted[start + r] = p;
          matrix[split.labels[start + r]][p]++;
        }
      });
      c = { confusion: { matrix, accuracy: ev.accuracy, n: ev.n }, predicted };
      for (const k of this.confusionCache.keys()) if (k.startsWith(refKey(ref) + '|')) this.confusionCache.delete(k);
      this.confusionCache.set(key, c);
    }
    return { ...c, split, e };
  }

  async confusion(ref: ModelRef, which: 'validation' | 'test'): Promise<Confusion> {
    return (await this.confusionWithPredictions(ref, which)).confusion;
  }

  async gallery(ref: ModelRef, which: 'validation' | 'test', actual: number, predicted: number, limit: number): Promise<GalleryItem[]> {
    const c = await this.confusionWithPredictions(ref, which);
    const items: GalleryItem[] = [];
    const x = new Float32Array(IMAGE_PIXELS);
    for (let i = 0; i < c.split.count && items.length < limit; i++) {
      if (c.split.labels[i] !== actual || c.predicted[i] !== predicted) continue;
      const bytes = c.split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      for (let k = 0; k < IMAGE_PIXELS; k++) x[k] = bytes[k] / 255;
      const probs = predictNormalized(c.e.evaluator, x);
      const top3 = probs
        .map((probability, digit) => ({ digit, probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, 3);
      items.push({ index: i, label: actual, predicted, top3, image: { width: 28, height: 28, pixels: Array.from(bytes) } });
    }
    return items;
  }

  /** First-layer weights of up to `limit` hidden neurons as 28×28 tiles: mid-grey 0, each tile scaled by its own largest |w|. */
  receptiveFields(ref: ModelRef, limit: number): GrayImage[] {
    const net = this.entry(ref).network;
    const w = net.weights[0];
    const n = Math.min(limit, net.sizes[1]);
    const tiles: GrayImage[] = [];
    for (let j = 0; j < n; j++) {
      const row = w.subarray(j * IMAGE_PIXELS, (j + 1) * IMAGE_PIXELS);
      let max = 0;
      for (let k = 0; k < IMAGE_PIXELS; k++) max = Math.max(max, Math.abs(row[k]));
      const pixels = Array.from(row, (v) => (max > 0 ? Math.round(127.5 + (127.5 * v) / max) : 128));
      tiles.push({ width: 28, height: 28, pixels });
    }
    return tiles;
  }
}
