// A model file's structure, bounded before JSON.parse sees it: a few objects, arrays no deeper than
// a model's, and no more arrays than its rows. A file of a hundred million empty objects (under the
// size limit) would otherwise take gigabytes and minutes to parse, and deep nesting overflows the stack.
import type { ErrorCode, ErrorParams } from '../shared/errors';

export interface JsonBounds {
  maxDepth: number;
  maxObjects: number;
  maxArrays: number;
}

/** What a network2.py model with meta (hyperparameters, history) can need, with room to spare. */
export const MODEL_JSON_BOUNDS: JsonBounds = { maxDepth: 16, maxObjects: 1_000_000, maxArrays: 2_000_000 };

/** Returns why the text's structure exceeds the bounds (an error code of src/shared/errors), or null; one pass, no allocation. */
export function jsonStructureProblem(text: string, bounds: JsonBounds): { code: ErrorCode; params: ErrorParams } | null {
  let depth = 0;
  let objects = 0;
  let arrays = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > bounds.maxDepth) return { code: 'model.tooDeep', params: { max: bounds.maxDepth, at: i } };
      if (c === 123 && ++objects > bounds.maxObjects) return { code: 'model.tooManyObjects', params: { max: bounds.maxObjects } };
      if (c === 91 && ++arrays > bounds.maxArrays) return { code: 'model.tooManyLists', params: { max: bounds.maxArrays } };
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}
