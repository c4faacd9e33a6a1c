// Pure helpers behind the Inside view: a run's inside-the-network statistics as one list from the
// start (epoch 0, before any training) through every epoch, and one series of a layer's figure.
import type { EpochMetrics, InsideStats, LayerInside } from '../../../shared/api';
import type { XY } from './series';

export interface InsidePoint {
  epoch: number;
  stats: InsideStats;
}

/** Epoch 0 (epoch 1's insideStart) then each epoch that has statistics. */
export function insidePoints(history: readonly EpochMetrics[]): InsidePoint[] {
  const out: InsidePoint[] = [];
  for (const m of history) {
    if (m.insideStart) out.push({ epoch: m.epoch - 1, stats: m.insideStart });
    if (m.inside) out.push({ epoch: m.epoch, stats: m.inside });
  }
  return out;
}

export type LayerFigure = 'saturated' | 'meanAbsWeight' | 'gradientNorm';

/** One layer's figure over epochs (saturation as a percentage); epochs without it are skipped. */
export function layerSeries(points: readonly InsidePoint[], layer: number, figure: LayerFigure): XY[] {
  const out: XY[] = [];
  for (const p of points) {
    const l: LayerInside | undefined = p.stats.layers[layer];
    const v = l?.[figure];
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ x: p.epoch, y: figure === 'saturated' ? v * 100 : v });
  }
  return out;
}

/** The statistics of the epoch nearest to `epoch` (at or before it when there is one). */
export function statsAt(points: readonly InsidePoint[], epoch: number): InsidePoint | null {
  let best: InsidePoint | null = null;
  for (const p of points) if (p.epoch <= epoch && (!best || p.epoch >= best.epoch)) best = p;
  return best ?? points[0] ?? null;
}
