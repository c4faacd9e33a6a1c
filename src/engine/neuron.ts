// Chapter 3's opening example: one sigmoid neuron with one input, learning by gradient descent, one
// step per epoch. Under the quadratic cost the gradient carries σ′(z), so a badly wrong, saturated
// neuron learns slowly; under the cross-entropy it does not. Plain float64 arithmetic of the book's
// equations (55)-(56) and (61)-(62), nothing else.

export type NeuronCost = 'quadratic' | 'cross-entropy';

export interface NeuronSetup {
  cost: NeuronCost;
  /** Starting weight and bias: the book uses 0.6, 0.9 (output 0.82) and 2.0, 2.0 (output 0.98). */
  w: number;
  b: number;
  /** The input and the desired output: the book's x = 1, y = 0. */
  x: number;
  y: number;
  eta: number;
  epochs: number;
}

export interface NeuronEpoch {
  /** 0 is the start, before any step. */
  epoch: number;
  w: number;
  b: number;
  /** a = σ(wx + b) */
  output: number;
  cost: number;
}

export const BOOK_NEURON: Omit<NeuronSetup, 'cost' | 'w' | 'b'> = { x: 1, y: 0, eta: 0.15, epochs: 300 };

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** C = (y − a)²/2, or C = −[y ln a + (1 − y) ln(1 − a)] */
export function neuronCost(cost: NeuronCost, a: number, y: number): number {
  return cost === 'quadratic' ? ((y - a) * (y - a)) / 2 : -(y * Math.log(a) + (1 - y) * Math.log(1 - a));
}

/**
 * ∂C/∂w and ∂C/∂b. Quadratic, (55)-(56): (a − y)σ′(z)x and (a − y)σ′(z), with σ′(z) = a(1 − a).
 * Cross-entropy, (61)-(62): x(σ(z) − y) and σ(z) − y.
 */
export function neuronGradient(cost: NeuronCost, a: number, x: number, y: number): { dw: number; db: number } {
  if (cost === 'cross-entropy') return { dw: x * (a - y), db: a - y };
  const sigmaPrime = a * (1 - a);
  return { dw: (a - y) * sigmaPrime * x, db: (a - y) * sigmaPrime };
}

/** Every epoch from the start: w ← w − η ∂C/∂w, b ← b − η ∂C/∂b. */
export function trainNeuron(s: NeuronSetup): NeuronEpoch[] {
  const out: NeuronEpoch[] = [];
  let { w, b } = s;
  for (let epoch = 0; epoch <= s.epochs; epoch++) {
    const a = sigmoid(w * s.x + b);
    out.push({ epoch, w, b, output: a, cost: neuronCost(s.cost, a, s.y) });
    const g = neuronGradient(s.cost, a, s.x, s.y);
    w -= s.eta * g.dw;
    b -= s.eta * g.db;
  }
  return out;
}
