/**
 * @module Charts drawn on the server as SVG (no client script): followers over time (a line) and
 * posts per day (bars). Each has a title and a text summary for screen readers.
 */
import { html } from 'hono/html';

const W = 560;
const H = 160;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** Rounds a maximum up to a readable axis top (1, 2, 5 × 10ⁿ). */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = [1, 2, 5, 10].find((x) => x * p >= v) ?? 10;
  return m * p;
}

const fmt = (n: number) => new Intl.NumberFormat('en').format(n);

/** The title and the baseline every chart has. */
const frame = (title: string) =>
  html`<title>${title}</title>
    <line
      x1="${PAD.left}"
      y1="${H - PAD.bottom}"
      x2="${W - PAD.right}"
      y2="${H - PAD.bottom}"
      stroke="#8b98a5"
    />`;

/** A line of `points` (x = time, y = value) with min/max labels; empty input gives an empty string. */
export function lineChart(
  title: string,
  points: { at: number; value: number }[],
  label: (at: number) => string,
) {
  if (points.length === 0) return '';
  const xs = points.map((p) => p.at);
  const ys = points.map((p) => p.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const y0 = Math.max(0, lo - (hi - lo) * 0.1 - 1);
  const y1 = hi + (hi - lo) * 0.1 + 1;
  const px = (at: number) =>
    PAD.left + (x1 === x0 ? 0.5 : (at - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (v: number) => PAD.top + (1 - (v - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const d = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.at).toFixed(1)},${py(p.value).toFixed(1)}`)
    .join(' ');
  const last = points[points.length - 1] ?? { at: x1, value: hi };
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: ${fmt(last.value)}">
    ${frame(title)}
    <text x="${PAD.left - 6}" y="${py(hi) + 4}" text-anchor="end" font-size="11">${fmt(hi)}</text>
    <text x="${PAD.left - 6}" y="${py(lo) + 4}" text-anchor="end" font-size="11">${fmt(lo)}</text>
    <text x="${PAD.left}" y="${H - 8}" font-size="11">${label(x0)}</text>
    <text x="${W - PAD.right}" y="${H - 8}" font-size="11" text-anchor="end">${label(x1)}</text>
    <path d="${d}" fill="none" stroke="#0b5cad" stroke-width="2" />
    ${points.length === 1 ? html`<circle cx="${px(last.at)}" cy="${py(last.value)}" r="3" fill="#0b5cad" />` : ''}
  </svg>`;
}

/** One bar per day of `days` (oldest first), from `counts` keyed `YYYY-MM-DD`. */
export function barChart(title: string, days: string[], counts: Map<string, number>) {
  const values = days.map((d) => counts.get(d) ?? 0);
  const top = niceCeil(Math.max(...values, 1));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, days.length);
  const total = values.reduce((a, b) => a + b, 0);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: ${fmt(total)}">
    ${frame(title)}
    <text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end" font-size="11">${fmt(top)}</text>
    <text x="${PAD.left - 6}" y="${H - PAD.bottom + 4}" text-anchor="end" font-size="11">0</text>
    ${values.map((v, i) => {
      const h = (v / top) * (H - PAD.top - PAD.bottom);
      return html`<rect
        x="${(PAD.left + i * slot + 1).toFixed(1)}"
        y="${(H - PAD.bottom - h).toFixed(1)}"
        width="${Math.max(1, slot - 2).toFixed(1)}"
        height="${h.toFixed(1)}"
        fill="#0b5cad"
        ><title>${days[i]}: ${v}</title></rect
      >`;
    })}
    <text x="${PAD.left}" y="${H - 8}" font-size="11">${days[0] ?? ''}</text>
    <text x="${W - PAD.right}" y="${H - 8}" font-size="11" text-anchor="end">
      ${days[days.length - 1] ?? ''}
    </text>
  </svg>`;
}

/** The last `n` UTC days, oldest first, as `YYYY-MM-DD`. */
export function lastDays(now: number, n: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i -= 1) out.push(new Date(now - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}
