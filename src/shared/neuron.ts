// Chapter 3's small demos as the UI and the transports see them (the engine's one definition): the one-neuron example and softmax.
export { BOOK_NEURON, trainNeuron, type NeuronCost, type NeuronEpoch, type NeuronSetup } from '../engine/neuron';
export { softmaxRows } from '../engine/activations';
