// Chart labels that do not pile up: each label takes the first place, from where it wants to be
// and stepping down (or up) a row at a time, where it overlaps no label already placed. Pure, so
// it is tested without a canvas.

export interface LabelBox {
  /** Where the label wants its top-left corner, and its size, in pixels. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Area {
  top: number;
  bottom: number;
}

function overlaps(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Places the labels in order; a label with no free place within the area keeps its wish (rare). */
export function placeLabels(wanted: readonly LabelBox[], area: Area, step = 1): LabelBox[] {
  const placed: LabelBox[] = [];
  for (const w of wanted) {
    const rows = Math.max(1, Math.floor((area.bottom - area.top) / w.h));
    let chosen: LabelBox | null = null;
    for (let k = 0; k < 2 * rows && !chosen; k++) {
      // 0, +1, −1, +2, −2 … rows away from the wish.
      const d = (k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * w.h * step;
      const c = { ...w, y: w.y + d };
      if (c.y < area.top || c.y + c.h > area.bottom) continue;
      if (!placed.some((p) => overlaps(p, c))) chosen = c;
    }
    placed.push(chosen ?? w);
  }
  return placed;
}
