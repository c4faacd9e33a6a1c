// `export-onnx`: a saved model as an ONNX file (Gemm + activations), for onnxruntime and friends.
import { resolve } from 'node:path';
import { toOnnx } from '../engine/onnx';
import { checkWritable, writeFileAtomicSync } from '../main/runs/atomic';
import { UsageError, checkKnown, parseArgs } from './args';
import { readModelFile } from './model-file';
import { io } from './io';

export async function exportOnnxMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  checkKnown(flags, ['json']);
  if (positional.length !== 2) throw new UsageError('export-onnx needs a model file and an output file: npm run export-onnx -- model.json model.onnx');
  const [modelPath, outArg] = positional;
  const out = resolve(outArg);
  if (!out.endsWith('.onnx')) throw new UsageError(`the output file should end in .onnx, got ${JSON.stringify(outArg)}`);
  if (out === resolve(modelPath)) throw new UsageError('the output file must not be the model file');
  try {
    checkWritable(out);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const model = readModelFile(modelPath);
  const bytes = toOnnx(model.network, { docString: `exported by nnlab from ${modelPath}` });
  writeFileAtomicSync(out, bytes);
  const net = model.network;
  const summary = { file: out, bytes: bytes.length, sizes: net.sizes, activation: net.spec.activation, output: net.softmax ? 'softmax' : 'sigmoid' };
  if (flags.has('json')) io.out(JSON.stringify(summary) + '\n');
  else
    io.out(
      `Wrote ${out} (${bytes.length} bytes): input [N,${net.sizes[0]}] -> ${net.sizes.slice(1).join('-')} (${net.spec.activation}, ${summary.output} output) -> probabilities [N,${net.sizes[net.sizes.length - 1]}]\n`,
    );
}
