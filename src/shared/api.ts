// The lab's API contract: the one typed surface between the UI and the back end. The preload
// exposes it over Electron IPC, the browser-mode server over a WebSocket; both call the same
// services in src/main. Everything here is plain, structured-clone-safe data.
import type { Hyperparams } from '../engine/hyperparams';

export type { Hyperparams } from '../engine/hyperparams';

export type RunId = string;
export type RunState = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

export type { EpochMetrics, RunMarker } from '../engine/metrics';
import type { EpochMetrics, RunMarker } from '../engine/metrics';

export interface RunSummary {
  id: RunId;
  name: string;
  /** The book experiment (src/shared/experiments) the run was started or edited from, if any. */
  presetId: string | null;
  hyperparams: Hyperparams;
  state: RunState;
  /** ISO time the run was created. */
  createdAt: string;
  epochsDone: number;
  currentEta: number;
  bestEpoch: number | null;
  bestEvalAccuracy: number | null;
  lastEvalAccuracy: number | null;
  /** Seconds spent training (the epochs' mini-batches only). */
  secondsTraining: number;
  /** Wall-clock seconds of the run's epochs, evaluation and monitors included, pauses not. */
  secondsWall: number;
  /** Training examples per second over the last five epochs. */
  examplesPerSecond: number | null;
  /** Why the run ended: 'epochs', 'early-stop', 'eta-schedule', 'stopped', or the failure reason. */
  stoppedBecause: string | null;
  /** A failure's reason as data (src/shared/errors), so the UI can word it in the user's language; null when it has none. */
  stoppedWhy: Reason | null;
  /** The model whose weights the run started from (its label), or null for random weights. */
  startedFrom: string | null;
  /** The sweep this run is a point of, if any. */
  sweepId: string | null;
  /** The run's colour in every chart (an index into the palette), fixed when it is created. */
  color: number;
  /** The user's note about the run. */
  note: string | null;
  /** True when a checkpoint exists so the run can be resumed after a crash or restart. */
  resumable: boolean;
  /** Every marker so far (best epochs, eta changes and halvings, early stop, finished, failed): what the charts draw. */
  markers: RunMarker[];
}

export interface RunProgress {
  runId: RunId;
  epoch: number;
  examplesDone: number;
  examplesTotal: number;
  examplesPerSecond: number;
  /** The training cost of the mini-batches since the last progress event, so the cost curve moves within an epoch; null when none. */
  batchCost: number | null;
  etaSeconds: number;
}

export type { SweepSpec, SweepSummary } from './sweep';
import type { SweepSpec, SweepSummary } from './sweep';

export type LabEvent =
  | { type: 'run'; run: RunSummary }
  | { type: 'epoch'; runId: RunId; metrics: EpochMetrics; markers: RunMarker[] }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'run-deleted'; runId: RunId }
  | { type: 'sweep'; sweep: SweepSummary }
  | { type: 'sweep-deleted'; sweepId: string };

/** Where a model's weights come from: the bundled default, a run (current or best), or a loaded file. */
export type ModelRef = { kind: 'default' } | { kind: 'run'; runId: RunId; which: 'current' | 'best' } | { kind: 'loaded'; id: string };

export interface ModelInfo {
  ref: ModelRef;
  label: string;
  sizes: number[];
  cost: string;
  activation: string;
  softmax: boolean;
  /** False when network2.py could not run this model (tanh, ReLU, softmax); `reason` says why. */
  network2Compatible: boolean;
  reason?: string;
  /** `reason` as data, for the UI to word (src/shared/errors). */
  why?: Reason;
  /** For a run's weights: the run's name and the epoch they are from, for the UI to word the label. */
  run?: { name: string; epoch: number | null };
}

export type { GrayImage, NormalizationStages } from '../engine/digit-normalize';
import type { NeuronEpoch, NeuronSetup } from '../engine/neuron';
import type { GrayImage, NormalizationStages } from '../engine/digit-normalize';

export interface Prediction {
  digit: number;
  probabilities: number[];
  stages: NormalizationStages;
  /** The first hidden layer's activations for this input (empty for a network without one). */
  hidden: number[];
}

export interface Confusion {
  /** matrix[actual][predicted] */
  matrix: number[][];
  accuracy: number;
  n: number;
}

export interface GalleryItem {
  index: number;
  label: number;
  predicted: number;
  top3: { digit: number; probability: number }[];
  image: GrayImage;
}

export type { ParamRef, GradientSample, BackpropExplained, Bp2Terms } from '../engine/backprop-steps';
import type { BackpropExplained, GradientSample, ParamRef } from '../engine/backprop-steps';
import type { CostName } from '../engine/hyperparams';
import type { Reason } from './errors';
export type { InsideStats, LayerInside, Histogram } from '../engine/inside';

/** An input for the backpropagation page: a drawing (normalized MNIST-style first) or an MNIST image. */
export type BackpropInput = { kind: 'drawing'; image: GrayImage } | { kind: 'mnist'; data: 'train' | 'validation' | 'test'; index: number };

export interface BackpropRequest {
  model: ModelRef;
  input: BackpropInput;
  /** The target digit y; null: the image's label (MNIST), or the network's own answer (a drawing). */
  target: number | null;
  /** null: the model's own cost. */
  cost: CostName | null;
  /** A neuron (layer of weights l from 0, neuron j of layer l + 1) whose BP2 terms to list. */
  select: { layer: number; j: number } | null;
  /** Parameters whose backprop derivative to check against central differences. */
  check: ParamRef[];
}

export interface BackpropView extends BackpropExplained {
  sizes: number[];
  activation: string;
  softmax: boolean;
  /** The image's label (MNIST input); null for a drawing. */
  label: number | null;
  /** The network's answer. */
  predicted: number;
  /** The network's 28×28 input. */
  input: GrayImage;
  checks: GradientSample[];
}

/** libsvm's C-SVC (RBF, C = 1, γ = 1/784: the book's scikit-learn SVC()) trained on the first trainSize training images. */
export interface SvmResult {
  method: 'svm';
  trainSize: number;
  testSize: number;
  correct: number;
  accuracy: number;
  supportVectors: number;
  trainSeconds: number;
  testSeconds: number;
}

/** Chapter 1's baselines: average darkness, or an SVM trained on the first trainSize training images. */
export type BaselineRequest = { method: 'darkness' } | { method: 'svm'; trainSize: number; testSize: number };
export type BaselineResult = { method: 'darkness'; correct: number; testSize: number; accuracy: number; seconds: number } | SvmResult;

/** A preview sheet (PNG, base64) and each tile's transform, in reading order (the first is the digit itself). */
export interface AugmentPreview {
  png: string;
  tiles: { angleDeg: number; shiftX: number; shiftY: number; elastic: boolean }[];
}

export interface LabApi {
  listRuns(): Promise<RunSummary[]>;
  /** Starts a run; `from` starts it from that model's weights (its sizes must be hyperparams.sizes) instead of random ones. */
  startRun(hyperparams: Hyperparams, name?: string, presetId?: string, from?: ModelRef): Promise<RunSummary>;
  pauseRun(id: RunId): Promise<void>;
  resumeRun(id: RunId): Promise<void>;
  stopRun(id: RunId): Promise<void>;
  setEta(id: RunId, eta: number): Promise<void>;
  /** Renames a run and sets its note (null: unchanged; an empty note clears it). */
  describeRun(id: RunId, name: string | null, note: string | null): Promise<void>;
  deleteRun(id: RunId): Promise<void>;
  runHistory(id: RunId): Promise<EpochMetrics[]>;
  runCsv(id: RunId): Promise<string>;

  listModels(): Promise<ModelInfo[]>;
  /** Decodes an image file's bytes (base64; PNG, JPEG, WebP, GIF or TIFF) to gray, as the CLI reads files. */
  decodeImage(base64: string, name: string): Promise<GrayImage>;
  /** Predicts from a raw drawing or image (any size, ink light or dark); normalizes MNIST-style first. */
  predict(model: ModelRef, image: GrayImage): Promise<Prediction>;
  /** network2.py JSON text of a model, for saving. */
  modelJson(model: ModelRef): Promise<string>;
  /** Loads network2.py JSON text; refuses a bad file with one line saying what and where. */
  loadModelJson(text: string, name: string): Promise<ModelInfo>;

  confusion(model: ModelRef, data: 'validation' | 'test'): Promise<Confusion>;
  gallery(model: ModelRef, data: 'validation' | 'test', actual: number, predicted: number, limit: number): Promise<GalleryItem[]>;
  /** First-layer weights as one 28x28 tile per hidden neuron, scaled to 0..255. */
  receptiveFields(model: ModelRef, limit: number): Promise<GrayImage[]>;
  /** One digit under `count` random transforms, as PNG bytes in base64. */
  augmentPreview(augment: NonNullable<Hyperparams['augment']>, index: number, count: number, seed: number): Promise<AugmentPreview>;

  /** Chapter 3's one sigmoid neuron learning, one gradient step per epoch: every epoch from the start. */
  neuron(setup: NeuronSetup): Promise<NeuronEpoch[]>;
  /** Chapter 2's four equations on one input and model, with their numbers, and a gradient check. */
  backprop(request: BackpropRequest): Promise<BackpropView>;

  /** Runs one of chapter 1's baselines on the test data (an SVM in a worker thread; one at a time). */
  baseline(request: BaselineRequest): Promise<BaselineResult>;

  /** Sweeps (chapter 3's hyper-parameter search): each point is a run; see src/shared/sweep. */
  listSweeps(): Promise<SweepSummary[]>;
  startSweep(spec: SweepSpec): Promise<SweepSummary>;
  pauseSweep(id: string): Promise<void>;
  resumeSweep(id: string): Promise<void>;
  stopSweep(id: string): Promise<void>;
  /** Deletes the sweep and its points' runs. */
  deleteSweep(id: string): Promise<void>;

  /** Subscribes to run events; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void;
}
