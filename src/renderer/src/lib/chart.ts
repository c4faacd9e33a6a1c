// Chart.js set-up: only the pieces the lab uses, plus a small plugin that draws the run markers
// (best epoch, η changes, early stop) as vertical lines and the book's figures as horizontal ones.
import { placeLabels, type LabelBox } from './labels';
import { Chart, Decimation, Legend, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, Title, Tooltip, type Plugin } from 'chart.js';

export interface VerticalMarker {
  x: number;
  color: string;
  label: string;
}
export interface HorizontalMarker {
  y: number;
  color: string;
  label: string;
}
export interface MarkerOptions {
  vertical: VerticalMarker[];
  horizontal: HorizontalMarker[];
}

declare module 'chart.js' {
  // The type parameter must match Chart.js's own declaration to merge with it.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType> {
    labMarkers?: MarkerOptions;
    labBackground?: { color: string };
  }
}

/** Paints the panel colour under the chart, so an exported PNG reads the same in light and dark. */
const backgroundPlugin: Plugin<'line', { color: string }> = {
  id: 'labBackground',
  beforeDraw(chart, _args, opts) {
    if (!opts?.color) return;
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = opts.color;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** The colour behind marker labels (the panel's; set with the theme). */
let backing = 'rgba(255, 255, 255, 0.85)';
export function setLabelBacking(color: string): void {
  backing = color;
}

const markerPlugin: Plugin<'line', MarkerOptions> = {
  id: 'labMarkers',
  afterDatasetsDraw(chart, _args, opts) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    const y = scales.y;
    if (!opts || !x || !y) return;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    const H = 13;
    const labels: { text: string; color: string; box: LabelBox }[] = [];
    for (const m of opts.vertical ?? []) {
      const px = x.getPixelForValue(m.x);
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.strokeStyle = m.color;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      // Labels stay inside the plot: to the right of the line, or to its left near the right edge.
      const w = ctx.measureText(m.label).width;
      const right = px + 4 + w <= chartArea.right;
      labels.push({ text: m.label, color: m.color, box: { x: right ? px + 4 : px - 4 - w, y: chartArea.top + 2, w, h: H } });
    }
    // One label per book figure, however many runs share it.
    const seen = new Set<string>();
    for (const m of opts.horizontal ?? []) {
      const py = y.getPixelForValue(m.y);
      if (py < chartArea.top || py > chartArea.bottom) continue;
      ctx.strokeStyle = m.color;
      ctx.setLineDash([8, 4]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, py);
      ctx.lineTo(chartArea.right, py);
      ctx.stroke();
      if (seen.has(m.label)) continue;
      seen.add(m.label);
      labels.push({ text: m.label, color: m.color, box: { x: chartArea.left + 4, y: py - H - 1, w: ctx.measureText(m.label).width, h: H } });
    }
    ctx.setLineDash([]);
    ctx.textBaseline = 'top';
    const boxes = placeLabels(
      labels.map((l) => l.box),
      { top: chartArea.top, bottom: chartArea.bottom },
    );
    labels.forEach((l, i) => {
      const b = boxes[i];
      // A backing under the text, so a label stays readable over the curves.
      ctx.fillStyle = backing;
      ctx.fillRect(b.x - 1, b.y, b.w + 2, b.h);
      ctx.fillStyle = l.color;
      ctx.fillText(l.text, b.x, b.y + 1);
    });
    ctx.restore();
  },
};

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Title, Decimation, markerPlugin, backgroundPlugin);

export { Chart };

export const PALETTE = ['#2a6ea6', '#e8772e', '#3a9b4a', '#c23b5a', '#8a5cc2', '#a0802a', '#1e9aa0', '#d05bb0', '#6b7a8a', '#5a8f29'];

export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}
