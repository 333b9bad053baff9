import sharp from 'sharp';
import type { BenchResults, ChartBar, ChartGroup } from './results';

/**
 * The chart of docs/BENCHMARKS.md, drawn by the bench: an SVG written here and rendered to PNG
 * with sharp (no browser, no plotting library). One panel per chart group, horizontal bars on the
 * group's own scale (units differ between groups), each bar labelled with its value.
 */

const WIDTH = 960;
const MARGIN = 24;
const LABEL_WIDTH = 210;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 18;
const BAR_GAP = 6;
const TITLE_HEIGHT = 34;
const PANEL_GAP = 18;

const COLOURS: Record<ChartBar['role'], string> = {
  measured: '#2f6fdf',
  reference: '#9aa5b1',
  limit: '#e0a100',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

function panel(group: ChartGroup, top: number): { svg: string; height: number } {
  const plotWidth = WIDTH - 2 * MARGIN - LABEL_WIDTH - VALUE_WIDTH;
  const max = Math.max(...group.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-9);
  const parts = [
    `<text x="${MARGIN}" y="${top + 20}" font-size="15" font-weight="bold" fill="#1f2933">${escapeXml(group.title)}</text>`,
  ];
  group.bars.forEach((bar, i) => {
    const y = top + TITLE_HEIGHT + i * (BAR_HEIGHT + BAR_GAP);
    const width = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * plotWidth) : 0;
    const x = MARGIN + LABEL_WIDTH;
    parts.push(
      `<text x="${x - 8}" y="${y + BAR_HEIGHT - 4}" font-size="13" text-anchor="end" fill="#323f4b">${escapeXml(bar.label)}</text>`,
      bar.role === 'limit'
        ? `<rect x="${x}" y="${y}" width="${width}" height="${BAR_HEIGHT}" fill="none" stroke="${COLOURS.limit}" stroke-width="2" stroke-dasharray="6 3"/>`
        : `<rect x="${x}" y="${y}" width="${width}" height="${BAR_HEIGHT}" fill="${COLOURS[bar.role]}" rx="2"/>`,
      `<text x="${x + width + 6}" y="${y + BAR_HEIGHT - 4}" font-size="12" fill="#323f4b">${escapeXml(formatValue(bar.value, group.unit))}</text>`,
    );
  });
  return {
    svg: parts.join(''),
    height: TITLE_HEIGHT + group.bars.length * (BAR_HEIGHT + BAR_GAP) + PANEL_GAP,
  };
}

export function chartSvg(results: BenchResults): string {
  const header = `${results.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${results.machine.cpus} CPUs (${results.machine.cpuModel}) · node ${results.machine.node}`;
  const parts: string[] = [
    `<text x="${MARGIN}" y="${MARGIN + 8}" font-size="18" font-weight="bold" fill="#1f2933">npm run bench</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 28}" font-size="12" fill="#52606d">${escapeXml(header)}</text>`,
  ];
  // Legend.
  const legend: Array<[string, ChartBar['role']]> = [
    ['measured', 'measured'],
    ['baseline / ideal', 'reference'],
    ['target', 'limit'],
  ];
  legend.forEach(([label, role], i) => {
    const x = WIDTH - MARGIN - 3 * 150 + i * 150;
    parts.push(
      role === 'limit'
        ? `<rect x="${x}" y="${MARGIN}" width="14" height="12" fill="none" stroke="${COLOURS.limit}" stroke-width="2" stroke-dasharray="4 2"/>`
        : `<rect x="${x}" y="${MARGIN}" width="14" height="12" fill="${COLOURS[role]}"/>`,
      `<text x="${x + 20}" y="${MARGIN + 11}" font-size="12" fill="#323f4b">${label}</text>`,
    );
  });
  let top = MARGIN + 44;
  for (const suite of results.suites) {
    for (const group of suite.chart) {
      const drawn = panel(group, top);
      parts.push(drawn.svg);
      top += drawn.height;
    }
  }
  const height = top + MARGIN;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Liberation Sans, sans-serif">` +
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>${parts.join('')}</svg>`
  );
}

export async function renderChartPng(results: BenchResults, file: string): Promise<void> {
  await sharp(Buffer.from(chartSvg(results)))
    .png()
    .toFile(file);
}
