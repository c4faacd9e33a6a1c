// The book's experiments from chapters 1 and 3, one click each, with the figure the book reports
// so the live run can be read against it.
import { defaultHyperparams, type Hyperparams } from '../../../engine/hyperparams';

export interface Preset {
  id: string;
  name: string;
  /** What the book reports, in words, shown beside the live run. */
  book: string;
  /** The book's headline evaluation accuracy (a fraction), drawn as a reference line; null when the book gives a picture, not a number. */
  bookAccuracy: number | null;
  hyperparams: Hyperparams;
}

const all = { evalAccuracy: true, evalCost: true, trainAccuracy: true, trainCost: true };

function hp(over: Partial<Hyperparams>): Hyperparams {
  return { ...defaultHyperparams(), ...over };
}

export const PRESETS: Preset[] = [
  {
    id: 'ch1-quadratic',
    name: 'Ch. 1: 784-30-10, quadratic cost, η = 3.0',
    book: 'Ch. 1: 95.42% on the test data at its best epoch (network.py, N(0,1) weights)',
    bookAccuracy: 0.9542,
    hyperparams: hp({ cost: 'quadratic', init: 'large', eta: 3.0, epochs: 30, evalSet: 'test' }),
  },
  {
    id: 'ch3-cross-entropy',
    name: 'Ch. 3: 784-30-10, cross-entropy, η = 0.5',
    book: 'Ch. 3: 95.49% on the test data (large initial weights)',
    bookAccuracy: 0.9549,
    hyperparams: hp({ cost: 'cross-entropy', init: 'large', eta: 0.5, epochs: 30, evalSet: 'test' }),
  },
  {
    id: 'ch3-overfit',
    name: 'Ch. 3: overfitting — 1,000 images, 400 epochs',
    book: 'Ch. 3: test accuracy levels off near 82.27%; training cost keeps falling',
    bookAccuracy: 0.8227,
    hyperparams: hp({ init: 'large', eta: 0.5, epochs: 400, trainSize: 1000, evalSet: 'test', monitor: all }),
  },
  {
    id: 'ch3-overfit-l2',
    name: 'Ch. 3: 1,000 images, 400 epochs, λ = 0.1',
    book: 'Ch. 3: regularization lifts the test accuracy to 87.1%',
    bookAccuracy: 0.871,
    hyperparams: hp({ init: 'large', eta: 0.5, lambda: 0.1, epochs: 400, trainSize: 1000, evalSet: 'test', monitor: all }),
  },
  {
    id: 'ch3-l2-50k',
    name: 'Ch. 3: 784-30-10, λ = 5 on 50,000 images',
    book: 'Ch. 3: 96.49% on the test data',
    bookAccuracy: 0.9649,
    hyperparams: hp({ init: 'large', eta: 0.5, lambda: 5, epochs: 30, evalSet: 'test', monitor: all }),
  },
  {
    id: 'ch3-100-hidden',
    name: 'Ch. 3: 784-100-10, λ = 5, η = 0.1, 60 epochs',
    book: 'Ch. 3: 98.04% on the validation data (97.92% with η = 0.5 over 30 epochs)',
    bookAccuracy: 0.9804,
    hyperparams: hp({ sizes: [784, 100, 10], init: 'large', eta: 0.1, lambda: 5, epochs: 60, evalSet: 'validation' }),
  },
  {
    id: 'ch3-init-old',
    name: 'Ch. 3: old weight initialization N(0, 1)',
    book: 'Ch. 3: about 87% after the first epoch, a little over 96% in the end (η = 0.1, λ = 5)',
    bookAccuracy: 0.96,
    hyperparams: hp({ init: 'large', eta: 0.1, lambda: 5, epochs: 30 }),
  },
  {
    id: 'ch3-init-new',
    name: 'Ch. 3: new weight initialization N(0, 1/n_in)',
    book: 'Ch. 3: about 93% after the first epoch, a little over 96% in the end (η = 0.1, λ = 5)',
    bookAccuracy: 0.96,
    hyperparams: hp({ init: 'default', eta: 0.1, lambda: 5, epochs: 30 }),
  },
  ...[0.025, 0.25, 2.5].map(
    (eta): Preset => ({
      id: `ch3-eta-${eta}`,
      name: `Ch. 3: learning rate η = ${eta}`,
      book:
        eta === 2.5
          ? 'Ch. 3: the training cost oscillates from the start (η too large)'
          : eta === 0.25
            ? 'Ch. 3: the training cost falls steadily, the best of the three'
            : 'Ch. 3: the training cost falls, but slowly (η too small)',
      bookAccuracy: null,
      hyperparams: hp({ eta, lambda: 5, epochs: 30, monitor: { evalAccuracy: true, evalCost: false, trainAccuracy: false, trainCost: true } }),
    }),
  ),
  {
    id: 'ch3-softmax',
    name: 'Ch. 3: softmax output + log-likelihood cost',
    book: 'Ch. 3 describes softmax without a run of its own; expect about the cross-entropy result',
    bookAccuracy: null,
    hyperparams: hp({ cost: 'log-likelihood', eta: 0.5, lambda: 5, epochs: 30 }),
  },
  {
    id: 'ch3-dropout',
    name: 'Ch. 3: dropout p = 0.5, 784-100-10',
    book: 'Ch. 3 cites Hinton et al. (98.4% with dropout, 784-800-800-10); network2.py has no dropout',
    bookAccuracy: null,
    hyperparams: hp({ sizes: [784, 100, 10], dropout: 0.5, eta: 0.5, epochs: 30 }),
  },
  {
    id: 'ch3-augmented',
    name: 'Ch. 3: augmented data (rotations, shifts, elastic)',
    book: 'Ch. 3 cites Simard et al.: elastic distortions took 98.4% to 99.3% (784-800-10)',
    bookAccuracy: null,
    hyperparams: hp({ sizes: [784, 100, 10], eta: 0.5, lambda: 5, epochs: 30, augment: { rotateDeg: 10, shiftPx: 1, elasticAlpha: 34, elasticSigmaPx: 4 } }),
  },
];

export function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
