/** A mapping from data values to pixels, with tick values for its axis. */
export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  ticks(): number[];
}

/** A linear scale from `domain` to `range` (pixels; a reversed range flips the axis, as for y). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 === 0 ? 1 : d1 - d0;
  const scale = ((value: number) => r0 + ((value - d0) / span) * (r1 - r0)) as Scale;
  Object.defineProperty(scale, "domain", { value: domain });
  scale.ticks = () => {
    const raw = span / 5;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
    const out: number[] = [];
    for (let t = Math.ceil(d0 / step) * step; t <= d1 + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
    return out;
  };
  return scale;
}

/** A base-10 logarithmic scale (positive domain), with ticks at 1, 2 and 5 × 10^k. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) throw new RangeError(`a log scale needs a positive domain, got [${d0}, ${d1}]`);
  const inner = linearScale([Math.log10(d0), Math.log10(d1)], range);
  const scale = ((value: number) => inner(Math.log10(value))) as Scale;
  Object.defineProperty(scale, "domain", { value: domain });
  scale.ticks = () => {
    const out: number[] = [];
    for (let k = Math.floor(Math.log10(d0)); k <= Math.ceil(Math.log10(d1)); k++) {
      for (const m of [1, 2, 5]) {
        const t = Number((m * 10 ** k).toPrecision(12));
        if (t >= d0 * (1 - 1e-9) && t <= d1 * (1 + 1e-9)) out.push(t);
      }
    }
    return out;
  };
  return scale;
}

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** One line of a chart. */
export interface Series {
  readonly label: string;
  /** A CSS colour. */
  readonly color: string;
  readonly dashed?: boolean;
  /** Points in data units; non-finite or (on a log axis) non-positive points are left out. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** One panel: a titled pair of axes with lines. */
export interface LinePanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly series: readonly Series[];
}

/** Layout of {@link renderLineChart}, pixels. */
export interface ChartLayout {
  readonly panelWidth: number;
  readonly panelHeight: number;
  /** A title over all panels. */
  readonly title: string;
  /** A line under the chart (e.g. the machine and date). */
  readonly caption?: string;
}

const fmtTick = (value: number): string => {
  if (value >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
};

function domainOf(values: number[], log: boolean): [number, number] {
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (usable.length === 0) return log ? [1, 10] : [0, 1];
  const lo = Math.min(...usable);
  const hi = Math.max(...usable);
  // Some room around the data: a quarter on a log axis; from zero and 8 % above on a linear one.
  if (log) return [lo / 1.25, hi * 1.25];
  const floor = Math.min(0, lo);
  return [floor, hi === floor ? floor + 1 : hi * 1.08];
}

function panelSvg(panel: LinePanel, x0: number, y0: number, width: number, height: number): string {
  const margin = { left: 62, right: 14, top: 28, bottom: 44 };
  const plot = { left: x0 + margin.left, right: x0 + width - margin.right, top: y0 + margin.top, bottom: y0 + height - margin.bottom };
  const points = panel.series.flatMap((s) => s.points);
  const xLog = panel.xLog ?? false;
  const yLog = panel.yLog ?? false;
  const make = (log: boolean) => (log ? logScale : linearScale);
  const x = make(xLog)(domainOf(points.map((p) => p.x), xLog), [plot.left, plot.right]);
  const y = make(yLog)(domainOf(points.map((p) => p.y), yLog), [plot.bottom, plot.top]);
  const out: string[] = [];
  out.push(`<text x="${(plot.left + plot.right) / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#999"/>`);
  for (const t of x.ticks()) {
    const px = x(t).toFixed(1);
    out.push(`<line x1="${px}" y1="${plot.top}" x2="${px}" y2="${plot.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${plot.bottom + 14}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  for (const t of y.ticks()) {
    const py = y(t).toFixed(1);
    out.push(`<line x1="${plot.left}" y1="${py}" x2="${plot.right}" y2="${py}" stroke="#eee"/>`);
    out.push(`<text x="${plot.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${fmtTick(t)}</text>`);
  }
  out.push(`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 34}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
  out.push(
    `<text x="${x0 + 14}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${(plot.top + plot.bottom) / 2})">${escapeXml(panel.yLabel)}</text>`,
  );
  for (const s of panel.series) {
    const usable = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0) && (!yLog || p.y > 0));
    if (usable.length === 0) continue;
    const path = usable.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(" ");
    const dash = s.dashed === true ? ` stroke-dasharray="6 4"` : "";
    out.push(`<polyline points="${path}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2"${dash}><title>${escapeXml(s.label)}</title></polyline>`);
    for (const p of usable) out.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${escapeXml(s.color)}"/>`);
  }
  return out.join("\n");
}

/**
 * Renders panels side by side as one self-contained SVG document (plain SVG 1.1, no scripts or external
 * resources), with a legend of every distinct series label below them.
 */
export function renderLineChart(panels: readonly LinePanel[], layout: ChartLayout): string {
  const legendItems = [...new Map(panels.flatMap((p) => p.series).map((s) => [s.label, s])).values()];
  const columns = 2;
  const legendHeight = Math.ceil(legendItems.length / columns) * 18 + 10;
  const width = Math.max(1, panels.length) * layout.panelWidth;
  const height = 30 + layout.panelHeight + legendHeight + (layout.caption === undefined ? 0 : 20);
  const body: string[] = [];
  body.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  body.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(layout.title)}</text>`);
  panels.forEach((panel, i) => body.push(panelSvg(panel, i * layout.panelWidth, 30, layout.panelWidth, layout.panelHeight)));
  const legendTop = 30 + layout.panelHeight + 8;
  legendItems.forEach((s, i) => {
    const lx = 20 + (i % columns) * (width / columns);
    const ly = legendTop + Math.floor(i / columns) * 18;
    const dash = s.dashed === true ? ` stroke-dasharray="6 4"` : "";
    body.push(`<line x1="${lx}" y1="${ly + 6}" x2="${lx + 26}" y2="${ly + 6}" stroke="${escapeXml(s.color)}" stroke-width="2"${dash}/>`);
    body.push(`<text x="${lx + 32}" y="${ly + 6}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  if (layout.caption !== undefined) {
    body.push(`<text x="${width / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${escapeXml(layout.caption)}</text>`);
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}
