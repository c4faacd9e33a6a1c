// A network as an ONNX model (ir_version 8, opset 13), written with a minimal protobuf encoder so the
// engine needs no dependency: input "input" float [N, 784]; per layer a Gemm (transB = 1, weights as
// initializers in network2.py's n_out × n_in orientation, biases as C) and the layer's activation;
// output "probabilities" float [N, 10] (sigmoid outputs, or softmax over axis 1).
import type { Network } from './network';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;

// Field numbers from onnx/onnx.proto3.
const TENSOR_FLOAT = 1;
const ATTR_INT = 2;

/** Protobuf wire format: a message is a list of (field, wire type, payload) records. */
class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`protobuf varint out of range: ${v}`);
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: 0 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  int(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** UTF-8 bytes of a string (the engine uses no platform TextEncoder). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Little-endian float32 bytes, as TensorProto.raw_data requires whatever the host's byte order. */
function floatBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i], true);
  return out;
}

function tensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.int(1, d); // dims
  t.int(2, TENSOR_FLOAT); // data_type
  t.string(8, name); // name
  t.bytes(9, floatBytes(values)); // raw_data
  return t;
}

/** ValueInfoProto for a float tensor [batch, width] with a symbolic batch dimension. */
function floatMatrixInfo(name: string, width: number): ProtoWriter {
  const shape = new ProtoWriter()
    .message(1, new ProtoWriter().string(2, 'N')) // dim { dim_param: "N" }
    .message(1, new ProtoWriter().int(1, width)); // dim { dim_value: width }
  const tensorType = new ProtoWriter().int(1, TENSOR_FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function intAttribute(name: string, v: number): ProtoWriter {
  if (v < 0) throw new RangeError('negative attributes are not needed here');
  return new ProtoWriter().string(1, name).int(3, v).int(20, ATTR_INT);
}

function node(opType: string, name: string, inputs: string[], outputs: string[], attributes: ProtoWriter[] = []): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name);
  n.string(4, opType);
  for (const a of attributes) n.message(5, a);
  return n;
}

const HIDDEN_OPS = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' } as const;

export interface OnnxOptions {
  /** Free text stored as the model's doc_string (e.g. where it came from). */
  docString?: string;
  producerVersion?: string;
}

/** The ONNX ModelProto bytes computing the same output activations as `net` (test-time: no dropout). */
export function toOnnx(net: Network, opts: OnnxOptions = {}): Uint8Array {
  const graph = new ProtoWriter();
  const L = net.layers;
  let input = 'input';
  const nodes: ProtoWriter[] = [];
  const inits: ProtoWriter[] = [];
  for (let l = 0; l < L; l++) {
    const nIn = net.sizes[l];
    const nOut = net.sizes[l + 1];
    inits.push(tensor(`W${l}`, [nOut, nIn], net.weights[l]));
    inits.push(tensor(`b${l}`, [nOut], net.biases[l]));
    const z = `z${l}`;
    nodes.push(node('Gemm', `gemm${l}`, [input, `W${l}`, `b${l}`], [z], [intAttribute('transB', 1)]));
    const last = l === L - 1;
    const a = last ? 'probabilities' : `a${l}`;
    if (last && net.softmax) nodes.push(node('Softmax', `softmax${l}`, [z], [a], [intAttribute('axis', 1)]));
    else if (last) nodes.push(node('Sigmoid', `sigmoid${l}`, [z], [a]));
    else nodes.push(node(HIDDEN_OPS[net.spec.activation], `${net.spec.activation}${l}`, [z], [a]));
    input = a;
  }
  for (const n of nodes) graph.message(1, n);
  graph.string(2, `nnlab ${net.sizes.join('-')}`);
  for (const t of inits) graph.message(5, t);
  graph.message(11, floatMatrixInfo('input', net.sizes[0]));
  graph.message(12, floatMatrixInfo('probabilities', net.sizes[L]));

  const model = new ProtoWriter();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, 'nnlab');
  if (opts.producerVersion) model.string(3, opts.producerVersion);
  if (opts.docString) model.string(6, opts.docString);
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  const props: [string, string][] = [
    ['sizes', net.sizes.join(',')],
    ['activation', net.spec.activation],
    ['cost', net.spec.cost],
    ['output', net.softmax ? 'softmax' : 'sigmoid'],
    ['input_scale', 'pixels / 255 in [0, 1], 28x28 row-major, white digit on black'],
  ];
  for (const [k, v] of props) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}
