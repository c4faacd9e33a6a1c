// The hyperparameter contract as the UI and the transports see it: the engine's one definition and
// its one validation, re-exported so that the renderer imports only src/shared.
export {
  defaultHyperparams,
  validateHyperparams,
  HyperparamError,
  type Activation,
  type Augmentation,
  type CostName,
  type EvalSet,
  type Hyperparams,
  type InitName,
  type Monitors,
} from '../engine/hyperparams';
