// The verdict matrix as terminal text: one line per campaign × checker, with what was expected, what the runs
// showed and whether that meets it; then every unmet expectation with the runs to look at. Plain text (the
// caller colours nothing in it), so it reads the same in a log file.
import { formatDuration } from '../report/format.ts';
import type { CampaignRow, CheckerCell, MatrixRun, MatrixSummary } from './matrixSummary.ts';

/** ✓ met · ✗ contradicted · ? not shown · – a weakness missed (counted only with --require-catch) · blank: nothing expected. */
export function outcomeMark(cell: CheckerCell, requireCatch: boolean): string {
  if (cell.outcome === undefined) return ' ';
  if (cell.outcome === 'met') return '✓';
  if (cell.role === 'violates' && !requireCatch) return '–';
  return cell.outcome === 'contradicted' ? '✗' : '?';
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

function durationText(row: CampaignRow): string {
  if (row.durations === undefined) return 'no run finished';
  const { minMs, maxMs } = row.durations;
  const each = minMs === maxMs ? formatDuration(minMs) : `${formatDuration(minMs)}–${formatDuration(maxMs)}`;
  return `${row.runs.length} of ${row.runsPlanned} runs, ${each} each`;
}

/** One line per run: where it is, its seed and its verdicts. */
export function runLine(run: MatrixRun): string {
  const verdicts = run.checks
    .map((c) => {
      const mark = c.valid === true ? '✓' : c.valid === false ? '✗' : '?';
      const types =
        c.valid === false && c.anomalyTypes.length > 0 ? ` (${[...new Set(c.anomalyTypes)].join(', ')})` : '';
      return `${c.checker} ${mark}${types}`;
    })
    .join(', ');
  const harness = run.status === 'passed' ? '' : ` [harness ${run.status}]`;
  return `${run.campaign} #${run.index} seed ${run.seed}: ${verdicts === '' ? 'no verdict' : verdicts}${harness}; ops ok ${run.opCounts.ok}; faults ${run.faults.join('+') || 'none'}; ${formatDuration(run.wallMs)}`;
}

export function matrixTable(summary: MatrixSummary): string {
  const lines: string[] = [];
  const width = Math.max(8, ...summary.rows.map((r) => r.name.length)) + 2;
  const checkerWidth = Math.max(7, ...summary.rows.flatMap((r) => r.cells.map((c) => c.checker.length))) + 2;
  lines.push(`${pad('campaign', width)}${pad('checker', checkerWidth)}${pad('expected', 10)}result`);
  for (const row of summary.rows) {
    const head = `${row.name}${row.expect === undefined ? ' (no expect: nothing judged)' : ''}; ${durationText(row)}`;
    lines.push(head);
    for (const cell of row.cells) {
      const expected = cell.role === 'shown' ? '–' : cell.role;
      lines.push(
        `${pad('', width)}${pad(cell.checker, checkerWidth)}${pad(expected, 10)}${outcomeMark(cell, summary.requireCatch)} ${cell.summary}`,
      );
    }
  }
  for (const run of summary.harnessProblems)
    lines.push(`harness ${run.status}: ${run.campaign} #${run.index} (${run.runDir})`);
  for (const u of summary.unmet) {
    const counted = u.role === 'holds' || summary.requireCatch;
    const what =
      u.role === 'holds' ? 'claim not shown' : counted ? 'weakness not caught' : 'weakness missed (not failed)';
    const row = summary.rows.find((r) => r.name === u.campaign);
    const runs = row?.runs.map((r) => r.runDir).join(', ') ?? '';
    lines.push(`${what}: ${u.campaign} ${u.checker}: ${u.summary}; runs: ${runs}`);
  }
  return `${lines.join('\n')}\n`;
}
