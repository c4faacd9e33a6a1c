// Chapter 3's one-neuron example as the UI and the transports see it (the engine's one definition).
export { BOOK_NEURON, trainNeuron, type NeuronCost, type NeuronEpoch, type NeuronSetup } from '../engine/neuron';
