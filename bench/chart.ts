/**
 * @module A hand-drawn SVG bar chart for the benchmark report: one row per measure, its bars on
 * the row's own scale (a row's longest bar or target fills the width), the baseline bar grey,
 * Rotor's blue, the target a red dashed line. Values are printed beside the bars.
 */

export interface ChartRow {
  label: string;
  /** `[name, value]`; the first bar is the baseline. */
  bars: [string, number][];
  target?: { value: number; label: string };
  format: (value: number) => string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart as an SVG document. */
export function chartSvg(rows: readonly ChartRow[]): string {
  const width = 760;
  const left = 170;
  const barsWidth = 440;
  const barHeight = 14;
  const gap = 4;
  const rowGap = 18;
  let y = 40;
  const parts: string[] = [];
  for (const row of rows) {
    const max = Math.max(...row.bars.map(([, v]) => v), row.target?.value ?? 0) * 1.05 || 1;
    const top = y;
    parts.push(`<text x="10" y="${top + barHeight}" class="label">${esc(row.label)}</text>`);
    row.bars.forEach(([name, value], i) => {
      const w = Math.max(1, (value / max) * barsWidth);
      const by = y + i * (barHeight + gap);
      parts.push(
        `<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barHeight}" class="${i === 0 ? 'base' : 'rotor'}"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${by + barHeight - 3}" class="value">${esc(name)}: ${esc(row.format(value))}</text>`,
      );
    });
    const height = row.bars.length * (barHeight + gap) - gap;
    if (row.target) {
      const tx = left + (row.target.value / max) * barsWidth;
      parts.push(
        `<line x1="${tx.toFixed(1)}" y1="${top - 3}" x2="${tx.toFixed(1)}" y2="${top + height + 3}" class="target"/>`,
        `<text x="${tx.toFixed(1)}" y="${top - 5}" class="tlabel">target ${esc(row.target.label)}</text>`,
      );
    }
    y += height + rowGap + (row.target ? 6 : 0);
  }
  const total = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="system-ui, sans-serif">`,
    '<style>.label{font-size:12px;fill:#222}.value{font-size:11px;fill:#333}.tlabel{font-size:10px;fill:#b00}.base{fill:#a8a8a8}.rotor{fill:#2b6cb0}.target{stroke:#c00;stroke-width:1.5;stroke-dasharray:4 3}</style>',
    `<rect width="${width}" height="${total}" fill="#fff"/>`,
    '<text x="10" y="22" font-size="14" font-weight="600" fill="#111">Rotor benchmarks: grey = baseline measured in the same run, blue = Rotor, red = target</text>',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
