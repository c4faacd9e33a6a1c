// `train`: trains a network on the book's MNIST split through the one epoch loop (the same as the
// app's run workers) and prints, per epoch, what network2.py prints (or one JSON object per epoch
// with --json), then optionally saves the model.
import { resolve } from 'node:path';
import { getBackend } from '../engine/backend';
import type { Hyperparams } from '../engine/hyperparams';
import type { EpochMetrics, RunMarker } from '../engine/metrics';
import type { InsideStats } from '../engine/inside';
import { toNetwork2Json } from '../engine/model-json';
import { Network } from '../engine/network';
import { Trainer } from '../engine/trainer';
import { loadMnist } from '../main/datasets';
import { checkWritable, writeFileAtomicSync } from '../main/runs/atomic';
import { trainEpochsAugmentingAside } from '../main/runs/augment-feed';
import { TRAIN_FLAGS, UsageError, checkKnown, hyperparamsFromFlags, parseArgs } from './args';
import { readModelFile } from './model-file';
import { io } from './io';

export async function trainMain(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json', 'save-best']);
  checkKnown(flags, TRAIN_FLAGS);
  if (positional.length > 0) throw new UsageError(`train takes no positional arguments, got ${JSON.stringify(positional[0])}`);
  const hp = hyperparamsFromFlags(flags);
  const json = flags.has('json');
  const save = flags.get('save');
  let savePath: string | null = null;
  if (save !== undefined) {
    if (save === true || save === '') throw new UsageError('--save needs a file path');
    savePath = resolve(save);
    // Checked before training, so a trained model is never lost to a bad --save.
    try {
      checkWritable(savePath);
    } catch (e) {
      throw new UsageError(`--save: ${(e as Error).message}`);
    }
  }
  const saveBest = flags.has('save-best');
  if (saveBest && !savePath) throw new UsageError('--save-best needs --save FILE');
  if (saveBest && hp.evalSet === 'none') throw new UsageError('--save-best needs evaluation data to choose the best epoch (--eval validation)');
  const backendFlag = flags.get('backend');
  if (backendFlag !== undefined && backendFlag !== 'wasm' && backendFlag !== 'reference')
    throw new UsageError(`--backend must be wasm or reference, got ${JSON.stringify(backendFlag)}`);

  // --from: start from a saved model's weights; the network must be the one --sizes describes.
  const fromFlag = flags.get('from');
  if (fromFlag === true) throw new UsageError('--from needs a model file');
  const from = fromFlag === undefined ? null : readModelFile(fromFlag);
  if (from && from.network.sizes.join(',') !== hp.sizes.join(','))
    throw new UsageError(`--from: ${fromFlag} is a ${from.network.sizes.join('-')} network, not the ${hp.sizes.join('-')} of --sizes`);

  const mnist = await loadMnist();
  const evalData = hp.evalSet === 'test' ? mnist.test : hp.evalSet === 'validation' ? mnist.validation : null;
  const trainer = new Trainer(hp, mnist.train, evalData, {
    backend: getBackend(backendFlag as 'wasm' | 'reference' | undefined),
    ...(from ? { initialParams: from.network.params } : {}),
  });

  const out = (line: string) => io.out(line + '\n');
  await trainEpochsAugmentingAside(trainer, {
    onEpoch: (metrics, markers) => {
      if (json) out(JSON.stringify(metrics));
      else printLikeNetwork2(metrics, markers, hp, trainer.train.count, trainer.evalData?.count ?? 0, out);
    },
  });
  const seconds = trainer.history.map((h) => h.seconds);
  const summary = {
    done: true,
    epochs: trainer.epoch,
    bestEpoch: trainer.bestEpoch,
    bestEvalAccuracy: trainer.bestEvalAccuracy,
    secondsPerEpoch: seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length),
    stoppedBecause: trainer.stoppedBecause,
  };
  // The weights saved: the last epoch's, or with --save-best the best epoch's (early stopping and
  // the schedule go on past the best epoch before they stop).
  const best = saveBest && trainer.bestParams !== null && trainer.bestEpoch !== null;
  const savedEpoch = best ? trainer.bestEpoch! : trainer.epoch;
  if (savePath) {
    const network = best ? new Network(trainer.network.spec, trainer.bestParams!.slice()) : trainer.network;
    const history = trainer.history.slice(0, savedEpoch);
    writeFileAtomicSync(
      savePath,
      toNetwork2Json(network, { hyperparams: hp, history, note: `npm run train -- ${argv.join(' ')} (the weights of epoch ${savedEpoch})` }),
    );
  }
  if (json) out(JSON.stringify(savePath ? { ...summary, savedEpoch, saved: best ? 'best' : 'last' } : summary));
  else {
    if (trainer.bestEpoch !== null) out(`Best evaluation accuracy ${(100 * trainer.bestEvalAccuracy!).toFixed(2)}% at epoch ${trainer.bestEpoch - 1}`);
    out(`${summary.secondsPerEpoch.toFixed(3)} s of training per epoch; stopped because: ${summary.stoppedBecause}`);
    if (savePath) {
      const hint =
        !best && trainer.bestEpoch !== null && trainer.bestEpoch !== trainer.epoch
          ? ` (the best was epoch ${trainer.bestEpoch - 1}: --save-best saves that one)`
          : '';
      out(`Saved ${best ? 'the best' : 'the last'} epoch's weights (epoch ${savedEpoch - 1}) to ${savePath}${hint}`);
    }
  }
  if (trainer.stoppedBecause === 'diverged') process.exitCode = 1;
}

/** network2.py's per-epoch lines (its epochs count from 0), then what the schedule did. */
function printLikeNetwork2(m: EpochMetrics, markers: RunMarker[], hp: Hyperparams, nTrain: number, nEval: number, out: (s: string) => void): void {
  out(`Epoch ${m.epoch - 1} training complete`);
  if (m.trainCost !== undefined) out(`Cost on training data: ${m.trainCost}`);
  if (m.trainAccuracy !== undefined) out(`Accuracy on training data: ${Math.round(m.trainAccuracy * nTrain)} / ${nTrain}`);
  if (m.evalCost !== undefined) out(`Cost on evaluation data: ${m.evalCost}`);
  if (m.evalAccuracy !== undefined && hp.monitor.evalAccuracy) out(`Accuracy on evaluation data: ${Math.round(m.evalAccuracy * nEval)} / ${nEval}`);
  // Not network2.py's: the share of saturated hidden neurons on the probe batch (--json has every statistic).
  const saturated = (s: InsideStats) =>
    s.layers.flatMap((l, i) => (l.saturated === null ? [] : [`layer ${i + 2} ${(100 * l.saturated).toFixed(1)}%`])).join(', ');
  if (m.insideStart && hp.sizes.length > 2) out(`Saturated hidden neurons before training: ${saturated(m.insideStart)}`);
  if (m.inside && hp.sizes.length > 2) out(`Saturated hidden neurons: ${saturated(m.inside)}`);
  out('');
  for (const k of markers) {
    if (k.kind === 'eta-halved') out(`Learning rate halved to ${k.eta}`);
    if (k.kind === 'early-stop') out(`Early-stopping: no accuracy change in last epochs: ${hp.earlyStop}`);
    if (k.kind === 'failed') out(`Stopped: ${k.reason}`);
  }
}
