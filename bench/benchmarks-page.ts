import type { BenchResults, Figure, FigureUnit, SuiteResult } from './results';

/** docs/BENCHMARKS.md, written from one complete run's results: nothing on it is typed by hand. */

function value(v: number, unit: FigureUnit): string {
  if (!Number.isFinite(v)) return 'n/a';
  // A count is whole unless it is an average (statements per message, say): 0.7 must not read 0.
  const whole = unit === 'count' && Number.isInteger(v);
  const digits = whole || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

function ratio(f: Figure): string {
  return f.ratio === undefined || !Number.isFinite(f.ratio) ? '' : `${f.ratio.toFixed(2)}×`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function suiteSection(suite: SuiteResult): string[] {
  const lines = [`## ${suite.title}`, '', suite.description, ''];
  lines.push(
    `Settings: ${Object.entries(suite.config)
      .map(([k, v]) => `\`${k}\` ${String(v)}`)
      .join(', ')}; took ${suite.elapsedSeconds.toFixed(0)} s.`,
    '',
  );
  if (suite.targets.length > 0) {
    lines.push('| target | measured | limit | met |', '| --- | --- | --- | --- |');
    for (const t of suite.targets) {
      lines.push(
        `| ${cell(t.description)} | ${value(t.value, t.unit)} | ${t.comparison} ${value(t.limit, t.unit)} (${cell(t.limitLabel)}) | ${t.met ? 'yes' : '**no**'} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '| figure | measured by | value | compared with | its value | ratio |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const f of suite.figures) {
    lines.push(
      `| ${cell(f.label)} | ${cell(f.subject)} | ${value(f.value, f.unit)} | ${cell(f.reference?.label ?? '')} | ${f.reference ? value(f.reference.value, f.unit) : ''} | ${ratio(f)} |`,
    );
  }
  lines.push('');
  for (const note of suite.notes) lines.push(`- ${note}`);
  if (suite.failures.length > 0) {
    lines.push('', '**Failed checks:**', '');
    for (const failure of suite.failures) lines.push(`- ${failure}`);
  }
  lines.push('');
  return lines;
}

export function benchmarksPage(results: BenchResults, chartFile: string): string {
  const m = results.machine;
  const targets = results.suites.flatMap((s) => s.targets);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${results.finishedAt.slice(0, 10)} from one run; do not edit by ` +
      'hand. Every figure stands next to the baseline or ideal it is judged against, measured or ' +
      'computed in the same run. The raw figures are in `bench/results/latest.json` (not committed); ' +
      'how each bench works is in `bench/README.md`.',
    '',
    `**Machine:** ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}; ` +
      `load average ${m.loadAverage.atStart.join(' / ')} at the start and ${m.loadAverage.atEnd.join(' / ')} ` +
      'at the end (1/5/15 min). The load generator, the servers and PostgreSQL share these CPUs, ' +
      'and the machine may be shared with other work: compare figures within this page only.',
    '',
    `**Database:** ${results.database}.`,
    '',
    `![Figures of this run](${chartFile})`,
    '',
  ];
  if (targets.length > 0) {
    lines.push(
      '## Targets',
      '',
      '| target | measured | limit | met |',
      '| --- | --- | --- | --- |',
    );
    for (const t of targets) {
      lines.push(
        `| ${cell(t.description)} | ${value(t.value, t.unit)} | ${t.comparison} ${value(t.limit, t.unit)} | ${t.met ? 'yes' : '**no**'} |`,
      );
    }
    lines.push('');
  }
  for (const suite of results.suites) lines.push(...suiteSection(suite));
  return `${lines.join('\n').trimEnd()}\n`;
}
