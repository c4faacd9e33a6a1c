// A line chart as a standalone SVG document, for print and slides (vector, any size): the same
// series, markers and labels as the screen's Chart.js canvas, drawn from the data. Pure, so it is
// tested without a browser.
import type { MarkerOptions } from './chart';
import type { XY } from './series';

export interface SvgSeries {
  label: string;
  color: string;
  dashed: boolean;
  thin?: boolean;
  points: XY[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `n` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function chartSvg(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: SvgSeries[];
  markers?: MarkerOptions;
  width?: number;
  height?: number;
}): string {
  const W = opts.width ?? 800;
  const H = opts.height ?? 500;
  const legendRows = Math.ceil(opts.series.length / 2);
  const pad = { left: 70, right: 20, top: 40, bottom: 60 + legendRows * 18 };
  const pts = opts.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p.x);
  // The book's figures are in view even when the curves stay below them.
  const ys = [...pts.map((p) => p.y), ...(opts.markers?.horizontal ?? []).map((m) => m.y)];
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const yPad = (y1 - y0 || 1) * 0.05;
  const [ylo, yhi] = [y0 - yPad, y1 + yPad];
  const px = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (W - pad.left - pad.right);
  const py = (y: number) => pad.top + (1 - (y - ylo) / (yhi - ylo || 1)) * (H - pad.top - pad.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  for (const t of niceTicks(ylo, yhi)) {
    out.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${pad.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(x0, x1)) out.push(`<text x="${px(t)}" y="${H - pad.bottom + 18}" text-anchor="middle">${t}</text>`);
  out.push(`<rect x="${pad.left}" y="${pad.top}" width="${W - pad.left - pad.right}" height="${H - pad.top - pad.bottom}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${(pad.left + W - pad.right) / 2}" y="${H - pad.bottom + 38}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(pad.top + H - pad.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  for (const s of opts.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(2)} ${py(p.y).toFixed(2)}`).join(' ');
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.thin ? 1 : 2}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${esc(s.label)}</title></path>`,
    );
  }
  for (const m of opts.markers?.vertical ?? []) {
    if (m.x < x0 || m.x > x1) continue;
    out.push(`<line x1="${px(m.x)}" x2="${px(m.x)}" y1="${pad.top}" y2="${H - pad.bottom}" stroke="${m.color}" stroke-dasharray="3 3"/>`);
    out.push(`<text x="${px(m.x) + 4}" y="${pad.top + 14}" fill="${m.color}">${esc(m.label)}</text>`);
  }
  for (const m of opts.markers?.horizontal ?? []) {
    if (m.y < ylo || m.y > yhi) continue;
    out.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${py(m.y)}" y2="${py(m.y)}" stroke="${m.color}" stroke-dasharray="8 4"/>`);
    out.push(`<text x="${pad.left + 4}" y="${py(m.y) - 4}" fill="${m.color}">${esc(m.label)}</text>`);
  }
  opts.series.forEach((s, i) => {
    const lx = pad.left + (i % 2) * ((W - pad.left - pad.right) / 2);
    const ly = H - pad.bottom + 56 + Math.floor(i / 2) * 18;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
