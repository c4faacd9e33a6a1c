// The lab's error messages, as codes with parameters. An error a user can meet (a bad model file or
// image, a sweep spec typed on the Sweeps page, a hyperparameter, a run that cannot start or has
// diverged) is thrown as a LabError: its message is the English line below, which the CLI prints
// and scripts read, and its reason (code, parameters, and where in a file or spec) crosses to the
// UI, which words it in the user's language (src/renderer/src/lib/errors.ts, catalogues `error.*`).
// English lives here only; test/i18n.test.ts fails when a code has no Chinese or Korean text or a
// catalogue holds a code that is not here. Pure TypeScript: the engine throws these too.

export const MESSAGES = {
  // Hyperparameters (the form, a sweep's base, a model file's meta, the CLI).
  'hp.notObject': 'hyperparameters must be an object',
  'hp.unknownKey': 'unknown hyperparameter {{key}}',
  'hp.notNumber': '{{field}} must be a finite number, got {{got}}',
  'hp.notInteger': '{{field}} must be an integer, got {{got}}',
  'hp.range': '{{field}} must be in {{open}}{{lo}}, {{hi}}{{close}}, got {{got}}',
  'hp.unknownChoice': 'unknown {{field}} {{got}} (expected one of {{allowed}})',
  'hp.sizesList': '{{field}} must be a list of at least two layer sizes',
  'hp.sizeNotPositive': '{{field}}[{{i}}] must be a positive integer, got {{got}}',
  'hp.sizeTooLarge': '{{field}}[{{i}}] = {{size}} is larger than the limit of {{max}} neurons',
  'hp.sizesInput': '{{field}} must start with 784 inputs (28x28 MNIST images), got {{got}}',
  'hp.sizesOutput': '{{field}} must end with 10 outputs (digits 0-9), got {{got}}',
  'hp.tooManyParams': '{{field}} {{sizes}} has {{n}} parameters, more than the limit of {{max}}',
  'hp.digitsList': '{{field}} must be a non-empty list of digits 0-9, or null for all ten, got {{got}}',
  'hp.digitsRange': '{{field}} must hold digits 0-9, got {{got}}',
  'hp.digitsTwice': '{{field}} lists a digit twice: {{got}}',
  'hp.monitorObject': 'monitor must be an object',
  'hp.unknownMonitor': 'unknown monitor {{key}}',
  'hp.monitorBool': 'monitor.{{key}} must be true or false',
  'hp.augmentObject': 'augment must be an object or null',
  'hp.unknownAugment': 'unknown augment field {{key}}',
  'hp.scheduleNeedsEval': 'earlyStop and halveAfter (the schedule) need evaluation data: set evalSet to "validation" or "test"',
  'hp.scheduleOnTest':
    'earlyStop and halveAfter (the schedule) choose the epoch by the evaluation data, so it must be "validation": choosing by the test data overfits it, as chapter 3 warns',

  // Model files (network2.py's JSON, with our optional meta).
  'model.empty': 'model file is empty',
  'model.tooDeep': 'model file is nested deeper than {{max}} levels (at character {{at}}); a model file is not',
  'model.tooManyObjects': 'model file holds more than {{max}} objects; a model file holds a few',
  'model.tooManyLists': 'model file holds more than {{max}} lists; a model file holds one per neuron',
  'model.notJson': 'model file is not valid JSON ({{detail}})',
  'model.notObject': 'model file must hold a JSON object, got {{got}}',
  'model.missingKey': 'model file has no "{{key}}"',
  'model.unknownCost': 'unknown cost {{got}} (expected "QuadraticCost" or "CrossEntropyCost")',
  'model.metaObject': 'meta must be an object, got {{got}}',
  'model.metaActivation': 'unknown activation {{got}} in meta (expected sigmoid, tanh or relu)',
  'model.metaCost': 'unknown cost {{got}} in meta',
  'model.layersList': '{{key}} must be a list of {{layers}} layers, got {{got}}',
  'model.layerCount': '{{key}} has {{n}} layers, but sizes {{sizes}} needs {{layers}}',
  'model.tooBig': 'sizes {{sizes}} need {{n}} numbers, more than a file of {{chars}} characters can hold',
  'model.rowsList': '{{at}} must be a list of {{rows}} rows, got {{got}}',
  'model.rowCount': '{{at}} has {{n}} rows, expected {{rows}}',
  'model.colsList': '{{at}} must be a list of {{cols}} numbers, got {{got}}',
  'model.colCount': '{{at}} has {{n}} numbers, expected {{cols}}',
  'model.notFinite': '{{at}} is {{got}}, expected a finite number',
  'model.notFloat32': '{{at}} = {{got}} does not fit in a 32-bit float',
  'model.defaultMissing': 'the bundled default model is missing (resources/models/default.json)',
  'model.noLoaded': 'no loaded model with id {{id}}',
  'model.noRun': 'no run with id {{id}}',
  'model.runNoWeights': 'run {{id}} has no weights yet (no epoch has finished)',
  'model.runNoBest': 'run {{id}} has no best weights yet (no evaluation accuracy was measured)',
  'model.pastLast': 'the {{data}} data has {{count}} images: index {{index}} is past the last',
  'model.notImageInputs': "this model takes {{n}} inputs, not an image's {{pixels}}",
  'model.fileTooLarge': '{{name}} is {{n}} bytes, more than the limit of {{max}}',
  'model.no2Softmax': 'network2.py has no softmax output layer or log-likelihood cost',
  'model.no2Activation': 'network2.py only knows sigmoid neurons, this model uses {{activation}}',
  'model.cannotStartFrom': 'cannot start from {{label}}: it is a {{sizes}} network, not the {{want}} of the hyperparameters',

  // Images (the pad's file, a dropped picture).
  'image.folder': 'is a folder, not an image',
  'image.notFile': 'is not a regular file',
  'image.noFile': 'no such file',
  'image.cannotRead': 'cannot read ({{detail}})',
  'image.tooLarge': '{{n}} bytes is larger than the limit of {{max}} bytes for an image',
  'image.empty': 'empty file, not an image',
  'image.notImage': 'not an image ({{detail}})',
  'image.format': 'unsupported format {{format}} (use PNG, JPEG, WebP, GIF or TIFF)',
  'image.noPixels': 'image has no pixels ({{w}}×{{h}})',
  'image.tooManyPixels': '{{w}}×{{h}} pixels is more than the limit of {{max}} megapixels',
  'image.cannotDecode': 'cannot decode ({{detail}})',
  'image.blank': 'no digit found: the {{w}}×{{h}} image is blank (no ink stands out from the background)',
  'image.badSize': 'image size must be positive whole pixels, got {{w}}×{{h}}',
  'image.sizeLimit': 'image of {{w}}×{{h}} pixels is larger than the limit of {{max}} pixels',
  'image.pixelCount': 'image of {{w}}×{{h}} needs {{n}} pixels, got {{got}}',
  'image.pixelNaN': 'pixel {{i}} is not a number',
  'image.channels': 'unexpected {{n}} channels after decoding',

  // Sweeps (a spec typed or loaded on the Sweeps page, or given to `npm run sweep`).
  'sweep.number': '{{at}} must be a number from {{min}} to {{max}}, got {{got}}',
  'sweep.whole': '{{at}} must be a whole number from {{min}} to {{max}}, got {{got}}',
  'sweep.word': '{{at}} must be one of {{allowed}}, got {{got}}',
  'sweep.hidden': '{{at}} must be a hidden layer size or a list of sizes like [100, 30], got {{got}}',
  'sweep.axisObject': '{{at}} must be an object {param, values} or {param, range}, got {{got}}',
  'sweep.axisField': '{{at}}: unknown field {{got}}',
  'sweep.axisParam': '{{at}}.param must be one of {{allowed}}, got {{got}}',
  'sweep.valuesOrRange': '{{at}} needs either values or range',
  'sweep.values': '{{at}}.values must be a list of 1 to 100 values',
  'sweep.rangeObject': '{{at}}.range must be an object {scale, from, to, count}',
  'sweep.noRange': '{{at}}: {{param}} takes a list of values, not a range',
  'sweep.rangeScale': '{{at}}.range.scale must be "log" or "linear", got {{got}}',
  'sweep.rangeCount': '{{at}}.range.count must be a whole number from 1 to 100, got {{got}}',
  'sweep.logPositive': '{{at}}.range: a log scale needs from and to above 0',
  'sweep.notObject': 'a sweep must be an object {name, base, axes, sampling, seeds}, got {{got}}',
  'sweep.unknownField': 'unknown sweep field {{got}}',
  'sweep.name': 'name must be a non-empty string of at most {{max}} characters',
  'sweep.base': 'base must be an object {presetId?, hyperparams?}',
  'sweep.baseField': 'unknown base field {{got}}',
  'sweep.preset': "base.presetId must be one of the book's experiments, got {{got}}",
  'sweep.baseHyperparams': 'base.hyperparams must be an object',
  'sweep.axes': 'axes must be a list of 1 to 4 axes',
  'sweep.axisTwice': 'axes: {{param}} appears twice',
  'sweep.samplingCount': 'sampling.count must be a whole number from 1 to {{max}}, got {{got}}',
  'sweep.samplingSeed': 'sampling.seed must be a whole number, got {{got}}',
  'sweep.sampling': 'sampling must be {kind: "grid"} or {kind: "random", count, seed}, got {{got}}',
  'sweep.seeds': 'seeds must be a whole number from 1 to 100, got {{got}}',
  'sweep.tooManyPoints': 'the sweep has {{n}} points (combinations × seeds), more than the limit of {{max}}',
  'sweep.notFound': 'no sweep with id {{id}}',
  'sweep.notRunning': 'sweep {{id}} is {{state}}, not running',
  'sweep.cannotResume': 'sweep {{id}} is {{state}}',

  // Runs.
  'run.notFound': 'no run with id {{id}}',
  'run.tooMany': '{{max}} runs are training or paused already; stop one before starting another',
  'run.tooManyResume': '{{max}} runs are training or paused already; stop one before resuming another',
  'run.notRunning': 'run {{id}} is {{state}}, not running',
  'run.notPaused': 'run {{id}} is {{state}}, not paused',
  'run.finished': 'run {{id}} has finished; start a new run to train further',
  'run.alreadyRunning': 'run {{id}} is already running',
  'run.notLive': 'run {{id}} is {{state}}, not running or paused',
  'run.etaFinished': 'run {{id}} has finished; its learning rate can no longer change',
  'run.diverged': 'diverged at epoch {{epoch}}: the cost or the weights are no longer finite (eta {{eta}} may be too large)',
  'run.interrupted': 'interrupted: the app or its worker ended during training',
  'run.closed': 'interrupted: the app was closed during training',
  'run.workerExited': 'its worker exited unexpectedly (exit code {{code}})',
  'run.augmenterFailed': 'its augmentation worker failed: {{detail}}',
  'run.augmenterExited': 'its augmentation worker exited unexpectedly (exit code {{code}})',
  'run.outOfMemory': 'ran out of memory: {{detail}}',
  'run.damaged': 'damaged: its run.json could not be read ({{detail}}); resumable from its checkpoint at epoch {{epoch}}',
  'run.svmBusy': 'an SVM baseline is already running; wait for it to finish',
  'run.svmFailed': 'the SVM baseline failed: {{detail}}',
  'run.svmExited': "the SVM baseline's worker exited unexpectedly (exit code {{code}})",
  'run.pastLast': 'index {{index}} is past the last image',

  // The browser-mode connection.
  'conn.closed': 'the connection to the lab server was closed; restart `npm run serve` and reload',
  'conn.unreachable': 'cannot reach the lab server (is the token in the address right?)',

  // Calls: the limits a person can run into through the UI (a long note, a dropped file too big).
  'call.tooLong': '{{what}} is {{n}} characters, more than the limit of {{max}}',
} as const satisfies Record<string, string>;

/** What 'call.tooLong' can be about: each is worded in the catalogues as `error.what.<it>`. */
export const TEXT_FIELDS = ['run name', 'note', 'image data', 'image name', 'model text', 'model name'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

export type ErrorCode = keyof typeof MESSAGES;
export type ErrorParams = Record<string, string | number>;

/** What went wrong, as data: a code, its parameters, and where (a file name, a path in a spec). */
export interface Reason {
  code: ErrorCode;
  params: ErrorParams;
  /** Where the error is, shown before the message as "at: message": data, never translated. */
  at?: string;
}

/** Fills {{name}} placeholders (the same syntax the UI's catalogues use). */
export function fillIn(template: string, params: ErrorParams): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function englishOf(r: Reason): string {
  const m = fillIn(MESSAGES[r.code], r.params);
  return r.at ? `${r.at}: ${m}` : m;
}

export class LabError extends Error {
  override name = 'LabError';
  readonly reason: Reason;
  constructor(code: ErrorCode, params: ErrorParams = {}, at?: string) {
    const reason: Reason = at ? { code, params, at } : { code, params };
    super(englishOf(reason));
    this.reason = reason;
  }
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && Object.hasOwn(MESSAGES, v);
}

/** The reason of an error, when it has one. */
export function reasonOf(e: unknown): Reason | null {
  const r = (e as { reason?: unknown } | null)?.reason;
  if (typeof r !== 'object' || r === null) return null;
  const { code, params, at } = r as Record<string, unknown>;
  if (!isErrorCode(code) || typeof params !== 'object' || params === null) return null;
  return at === undefined ? { code, params: params as ErrorParams } : { code, params: params as ErrorParams, at: String(at) };
}

/**
 * The same error, located: "at: message". An error with a reason keeps it (its place grows from
 * the outside in, "base: sizes[1]: …"); one without stays a plain line. `make` builds the error
 * (a LabError subclass), so callers keep their class.
 */
export function locate<E extends LabError>(e: unknown, at: string, make: (code: ErrorCode, params: ErrorParams, at?: string) => E): E | Error {
  const r = reasonOf(e);
  if (r) return make(r.code, r.params, r.at ? `${at}: ${r.at}` : at);
  return new Error(`${at}: ${e instanceof Error ? e.message : String(e)}`);
}

// Across a process boundary an error is one line of text (Electron's IPC keeps only the message):
// the English line, then the reason as JSON between these marks, which the UI reads and removes.
const OPEN = ' \u27e6nnlab-reason ';
const CLOSE = '\u27e7';

/** An error's line for a transport: the English message, with its reason appended when it has one. */
export function lineWithReason(message: string, e: unknown): string {
  const r = reasonOf(e);
  return r ? `${message}${OPEN}${JSON.stringify(r)}${CLOSE}` : message;
}

/** Splits a transported line back into its English text and its reason (null when it has none or it is damaged). */
export function splitReason(line: string): { text: string; reason: Reason | null } {
  const i = line.lastIndexOf(OPEN);
  if (i < 0 || !line.endsWith(CLOSE)) return { text: line, reason: null };
  const text = line.slice(0, i);
  try {
    const reason = reasonOf({ reason: JSON.parse(line.slice(i + OPEN.length, -CLOSE.length)) as unknown });
    return { text, reason };
  } catch {
    return { text, reason: null };
  }
}
