// The campaigns of `faultline matrix`, loaded and checked before any run: every file a valid campaign, and its
// `expect:` naming only checkers the campaign runs (a claim on a checker that never runs could only ever be
// "not shown", so it is the file's mistake: a usage error naming the file, line, column and field).
import { LineCounter, parseDocument } from 'yaml';
import { campaignCheckerNames } from '../../campaign/checkerNames.ts';
import {
  CampaignError,
  formatProblem,
  loadCampaign,
  type CampaignProblem,
  type LoadedCampaign,
} from '../../campaign/loadCampaign.ts';
import { UserError } from '../../errors.ts';

/** Where `expect.<field>.<index>` is written in the campaign's text (1-based), or the file's start. */
function locateExpect(source: string, field: string, index: number): { line: number; column: number } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  for (const path of [['expect', field, index], ['expect', field], ['expect']]) {
    const node: unknown = doc.getIn(path, true);
    const range = (node as { range?: [number, number, number] | null } | undefined)?.range;
    if (range) {
      const pos = lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Problems of a loaded campaign's `expect:` against the checkers it runs. */
export function expectProblems(loaded: LoadedCampaign): CampaignProblem[] {
  const { expect } = loaded.campaign;
  if (expect === undefined) return [];
  const checkers = campaignCheckerNames(loaded.campaign);
  const problems: CampaignProblem[] = [];
  for (const field of ['holds', 'violates'] as const) {
    expect[field].forEach((name, i) => {
      if (checkers.includes(name)) return;
      problems.push({
        message: `"${name}" is not a checker this campaign runs (it runs ${checkers.join(', ') || 'none'})`,
        field: `expect.${field}.${i}`,
        location: { file: loaded.file, ...locateExpect(loaded.source, field, i) },
        hint: 'add it to checkers:, or name one of those it runs',
      });
    });
  }
  const both = expect.holds.filter((name) => expect.violates.includes(name));
  for (const name of both)
    problems.push({
      message: `"${name}" is expected both to hold and to be violated`,
      field: 'expect',
      location: { file: loaded.file, ...locateExpect(loaded.source, 'violates', expect.violates.indexOf(name)) },
      hint: 'keep it in one of holds and violates',
    });
  return problems;
}

/** Loads every campaign, reporting every problem of every file at once as one usage error (exit 64). */
export function loadMatrixCampaigns(files: readonly string[]): LoadedCampaign[] {
  const loaded: LoadedCampaign[] = [];
  const messages: string[] = [];
  for (const file of files) {
    try {
      const campaign = loadCampaign(file);
      const problems = expectProblems(campaign);
      if (problems.length > 0)
        messages.push(`${file}: the expectation does not fit the campaign:\n${problems.map(formatProblem).join('\n')}`);
      else loaded.push(campaign);
    } catch (e) {
      if (!(e instanceof CampaignError)) throw e;
      messages.push(`${file} is not a valid campaign:\n${e.message}`);
    }
  }
  const names = new Map<string, string>();
  for (const l of loaded) {
    const other = names.get(l.campaign.name);
    if (other !== undefined)
      messages.push(
        `${l.file} and ${other} are both named "${l.campaign.name}": the matrix tells campaigns apart by name`,
      );
    names.set(l.campaign.name, l.file);
  }
  if (messages.length > 0)
    throw new UserError(messages.join('\n'), 'see docs/campaigns.md and docs/verdict-matrix.md', 'usage');
  return loaded;
}
