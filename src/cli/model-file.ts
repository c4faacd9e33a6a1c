// Reads a model file for the CLI: size-checked, parsed and validated, errors naming the file.
import { readFileSync, statSync } from 'node:fs';
import type { LoadedModel } from '../engine/model-json';
import { ModelError, parseModelJson } from '../engine/model-json';
import { MAX_MODEL_BYTES } from '../shared/limits';
import { locate } from '../shared/errors';

export function readModelFile(path: string): LoadedModel {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new Error(`cannot read model file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  const size = st.size;
  if (size > MAX_MODEL_BYTES) throw new Error(`${path}: model file is ${size} bytes, larger than the limit of ${MAX_MODEL_BYTES}`);
  try {
    return parseModelJson(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof ModelError) throw locate(e, path, (c, p, at) => new ModelError(c, p, at));
    throw e;
  }
}
