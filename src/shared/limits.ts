// Every size limit of the lab in one place: what a network, a model file, an image and a message
// may be at most. The engine, the services, both transports and the CLI read them from here, so a
// model the lab accepts is one it can also save, send and load again.

/** Neurons in one layer. */
export const MAX_LAYER_SIZE = 100_000;
/**
 * Weights and biases of one network: what can always be saved and loaded again. A weight takes at
 * most 16 characters of JSON (a float32 in 9 significant digits, "-1.17549435e-38", and its comma),
 * so 15 million of them, their brackets and a long history stay under MAX_MODEL_BYTES (and far
 * under the longest string V8 can build, about 512 MiB).
 */
export const MAX_PARAMETERS = 15_000_000;
/** A model's network2.py JSON: a file on disk, text over IPC, a WebSocket message's payload. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;
/** One WebSocket message: the largest model text plus its framing ({id, method, args}). */
export const MAX_MESSAGE_BYTES = MAX_MODEL_BYTES + 1024 * 1024;
/** Loaded models kept in memory at once; the oldest goes first. */
export const MAX_LOADED_MODELS = 16;

/**
 * Width or height of an image sent to predict. The pad sends 140×140, and images opened in the app
 * are decoded by the service to at most MAX_DECODED_SIDE: nothing needs more. At 4096 one predict
 * held the browser-mode server's thread for 4.5 s (other clients' calls waited 3.4 s); at 1024 the
 * slowest listRuns of another client during the largest predict took 19 ms (measured 2026-12-01).
 */
export const MAX_IMAGE_SIDE = 1024;
/** Larger images are shrunk to this side while decoding (a digit is fitted into 20×20 anyway), so a decoded image can always be predicted. */
export const MAX_DECODED_SIDE = MAX_IMAGE_SIDE;
/** An image file read from disk. */
export const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024;
/** Decompression-bomb guard: a digit photo never needs more pixels than this. */
export const MAX_IMAGE_INPUT_PIXELS = 25_000_000;

/** An IDX data file, and the decompressed size a gzip bomb is stopped at. */
export const MAX_IDX_BYTES = 512 * 1024 * 1024;

/** A run's or a model's display name. */
export const MAX_NAME_CHARS = 200;
/** A learning rate, from the form, the CLI or setEta. */
export const MAX_ETA = 1e6;
/** The book's training split. */
export const TRAIN_SIZE_MAX = 50_000;

/** A run's note. */
export const MAX_NOTE_CHARS = 4000;
