// Model files in network2.py's JSON: sizes, weights (n_out × n_in nested lists), biases
// (n_out × 1 nested lists) and cost ("QuadraticCost" / "CrossEntropyCost"). Everything network2.py
// does not know (activation, softmax, hyperparameters, history) goes under "meta", which it ignores.
import type { Activation, CostName, Hyperparams } from './hyperparams';
import { validateSizes, HyperparamError, validateHyperparams } from './hyperparams';
import type { EpochMetrics } from './metrics';
import { Network, network2Compatibility, paramLayout } from './network';
import { MODEL_JSON_BOUNDS, jsonStructureProblem } from './json-bounds';
import { LabError, locate } from '../shared/errors';

export class ModelError extends LabError {
  override name = 'ModelError';
}

export interface ModelMeta {
  activation: Activation;
  cost: CostName;
  softmax: boolean;
  network2Compatible: boolean;
  network2Reason?: string;
  hyperparams?: Hyperparams;
  history?: EpochMetrics[];
  createdAt?: string;
  /** Free-form provenance, e.g. the command that made the model. */
  note?: string;
}

export interface LoadedModel {
  network: Network;
  meta: ModelMeta;
}

const NETWORK2_COSTS: Record<string, CostName> = { QuadraticCost: 'quadratic', CrossEntropyCost: 'cross-entropy' };

/** Shortest decimal that reads back as the same float32: files half the size of full doubles. */
function f32(v: number): number {
  for (let p = 6; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return Number(v.toPrecision(9));
}

export function toNetwork2Json(net: Network, extra: Partial<Pick<ModelMeta, 'hyperparams' | 'history' | 'note' | 'createdAt'>> = {}): string {
  const compat = network2Compatibility(net.spec);
  const weights = net.weights.map((w, l) => {
    const nIn = net.sizes[l];
    const rows: number[][] = [];
    for (let j = 0; j < net.sizes[l + 1]; j++) rows.push(Array.from(w.subarray(j * nIn, (j + 1) * nIn), f32));
    return rows;
  });
  const biases = net.biases.map((b) => Array.from(b, (v) => [f32(v)]));
  const meta: ModelMeta = {
    activation: net.spec.activation,
    cost: net.spec.cost,
    softmax: net.softmax,
    network2Compatible: compat.ok,
    ...(compat.reason ? { network2Reason: compat.reason } : {}),
    createdAt: extra.createdAt ?? new Date().toISOString(),
    ...(extra.note ? { note: extra.note } : {}),
    ...(extra.hyperparams ? { hyperparams: extra.hyperparams } : {}),
    ...(extra.history ? { history: extra.history } : {}),
  };
  // network2.py only has these two cost classes; a softmax model names the nearer one and says
  // in meta that network2.py cannot run it.
  const cost = net.spec.cost === 'quadratic' ? 'QuadraticCost' : 'CrossEntropyCost';
  return JSON.stringify({ sizes: net.sizes, weights, biases, cost, meta });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return typeof v;
}

function readMatrix(v: unknown, where: string, rows: number, cols: number, out: Float32Array): void {
  if (!Array.isArray(v)) throw new ModelError('model.rowsList', { at: where, rows, got: describe(v) });
  if (v.length !== rows) throw new ModelError('model.rowCount', { at: where, n: v.length, rows });
  for (let j = 0; j < rows; j++) {
    const row = v[j];
    if (!Array.isArray(row)) throw new ModelError('model.colsList', { at: `${where}[${j}]`, cols, got: describe(row) });
    if (row.length !== cols) throw new ModelError('model.colCount', { at: `${where}[${j}]`, n: row.length, cols });
    for (let k = 0; k < cols; k++) {
      const x = row[k];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new ModelError('model.notFinite', { at: `${where}[${j}][${k}]`, got: describe(x) });
      if (Math.abs(x) > 3.4e38) throw new ModelError('model.notFloat32', { at: `${where}[${j}][${k}]`, got: x });
      out[j * cols + k] = x;
    }
  }
}

/** Parses and validates a model file's text; any problem is one ModelError line saying what and where. */
export function parseModelJson(text: string): LoadedModel {
  if (text.trim() === '') throw new ModelError('model.empty');
  const problem = jsonStructureProblem(text, MODEL_JSON_BOUNDS);
  if (problem) throw new ModelError(problem.code, problem.params);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ModelError('model.notJson', { detail: (e as Error).message.split('\n')[0] });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ModelError('model.notObject', { got: describe(data) });
  const o = data as Record<string, unknown>;
  for (const key of ['sizes', 'weights', 'biases', 'cost']) if (!Object.hasOwn(o, key)) throw new ModelError('model.missingKey', { key });
  let sizes: number[];
  try {
    sizes = validateSizes(o.sizes, 'sizes');
  } catch (e) {
    if (e instanceof HyperparamError) throw new ModelError(e.reason.code, e.reason.params);
    throw e;
  }
  if (typeof o.cost !== 'string' || !Object.hasOwn(NETWORK2_COSTS, o.cost)) {
    throw new ModelError('model.unknownCost', { got: describe(o.cost) });
  }
  let activation: Activation = 'sigmoid';
  let cost: CostName = NETWORK2_COSTS[o.cost];
  let meta: Record<string, unknown> = {};
  if (o.meta !== undefined) {
    if (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta)) throw new ModelError('model.metaObject', { got: describe(o.meta) });
    meta = o.meta as Record<string, unknown>;
    if (meta.activation !== undefined) {
      if (meta.activation !== 'sigmoid' && meta.activation !== 'tanh' && meta.activation !== 'relu')
        throw new ModelError('model.metaActivation', { got: describe(meta.activation) });
      activation = meta.activation;
    }
    if (meta.cost !== undefined) {
      if (meta.cost !== 'quadratic' && meta.cost !== 'cross-entropy' && meta.cost !== 'log-likelihood')
        throw new ModelError('model.metaCost', { got: describe(meta.cost) });
      cost = meta.cost;
    }
  }
  const L = sizes.length - 1;
  for (const key of ['weights', 'biases'] as const) {
    const v = o[key];
    if (!Array.isArray(v)) throw new ModelError('model.layersList', { key, layers: L, got: describe(v) });
    if (v.length !== L) throw new ModelError('model.layerCount', { key, n: v.length, sizes: sizes.join(','), layers: L });
  }
  const layout = paramLayout(sizes);
  // Every number takes at least two characters ("0,"): a short file claiming a big network is refused before memory is taken for it.
  if (text.length < 2 * layout.total) throw new ModelError('model.tooBig', { sizes: sizes.join(','), n: layout.total, chars: text.length });
  const params = new Float32Array(layout.total);
  for (let l = 0; l < L; l++) {
    readMatrix((o.weights as unknown[])[l], `weights[${l}]`, sizes[l + 1], sizes[l], params.subarray(layout.weights[l], layout.biases[l]));
    readMatrix((o.biases as unknown[])[l], `biases[${l}]`, sizes[l + 1], 1, params.subarray(layout.biases[l], layout.biases[l] + sizes[l + 1]));
  }
  const network = new Network({ sizes, activation, cost }, params);
  const compat = network2Compatibility(network.spec);
  const result: ModelMeta = {
    activation,
    cost,
    softmax: network.softmax,
    network2Compatible: compat.ok,
    ...(compat.reason ? { network2Reason: compat.reason } : {}),
  };
  if (typeof meta.createdAt === 'string') result.createdAt = meta.createdAt;
  if (typeof meta.note === 'string') result.note = meta.note;
  if (meta.hyperparams !== undefined) {
    try {
      result.hyperparams = validateHyperparams(meta.hyperparams);
    } catch (e) {
      if (e instanceof HyperparamError) throw locate(e, 'meta.hyperparams', (c, p, at) => new ModelError(c, p, at));
      throw e;
    }
  }
  if (Array.isArray(meta.history)) result.history = meta.history as EpochMetrics[];
  return { network, meta: result };
}
