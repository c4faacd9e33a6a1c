// Reads a model file for the CLI: size-checked, parsed and validated, errors naming the file.
import { readFileSync, statSync } from 'node:fs';
import type { LoadedModel } from '../engine/model-json';
import { ModelError, parseModelJson } from '../engine/model-json';
import { MAX_MODEL_BYTES } from '../shared/limits';

export function readModelFile(path: string): LoadedModel {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ModelError(`${path} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`cannot read model file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > MAX_MODEL_BYTES) throw new ModelError(`${path}: model file is ${size} bytes, larger than the limit of ${MAX_MODEL_BYTES}`);
  try {
    return parseModelJson(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof ModelError) throw new ModelError(`${path}: ${e.message}`);
    throw e;
  }
}
