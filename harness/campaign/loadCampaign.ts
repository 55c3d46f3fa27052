// Reads a campaign file and reports every problem at once, each with file:line:col, the field, and what is
// allowed (Playwright's loadUtils style: collect, don't stop at the first). YAML positions come from the
// document's nodes; a zod issue's path is walked in the document to find where to point.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { campaignSchema, type CampaignSpec } from './campaignSchema.ts';
import { checkCampaignSemantics } from './checkCampaign.ts';

export interface CampaignProblem {
  message: string;
  /** Dotted path of the field, e.g. workload.mix.cas; empty for the whole file. */
  field: string;
  location: { file: string; line: number; column: number };
  hint?: string;
}

export class CampaignError extends Error {
  readonly problems: readonly CampaignProblem[];
  constructor(problems: readonly CampaignProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'CampaignError';
    this.problems = problems;
  }
}

export function formatProblem(p: CampaignProblem): string {
  const where = `${p.location.file}:${p.location.line}:${p.location.column}`;
  return `${where} ${p.field === '' ? '' : `${p.field}: `}${p.message}${p.hint !== undefined ? ` (${p.hint})` : ''}`;
}

export interface LoadedCampaign {
  campaign: CampaignSpec;
  /** The file's text, stored as campaign.yaml in the run directory. */
  source: string;
  file: string;
}

/** Where a path points in the document; walks up to the nearest existing ancestor. */
export type Locate = (path: readonly PropertyKey[], key?: string) => { line: number; column: number };

function locator(doc: Document, lines: LineCounter): Locate {
  return (path, key) => {
    const at = (offset: number): { line: number; column: number } => {
      const pos = lines.linePos(offset);
      return { line: pos.line, column: pos.col };
    };
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (node === undefined || node === null) continue;
      // An unknown key: point at the key itself rather than the map holding it.
      if (key !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        const range = pair !== undefined && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return at(range[0]);
      }
      const range = (node as { range?: [number, number, number] | null }).range;
      if (range) return at(range[0]);
    }
    return { line: 1, column: 1 };
  };
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function zodProblems(error: z.ZodError, file: string, locate: Locate): CampaignProblem[] {
  const out: CampaignProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          message: `unknown field "${key}"`,
          field: fieldOf([...issue.path, key]),
          location: { file, ...locate(issue.path, key) },
          hint: 'check the spelling; see campaign.schema.json or docs/campaigns.md for the fields allowed here',
        });
      }
      continue;
    }
    const message = issue.message;
    out.push({ message, field: fieldOf(issue.path), location: { file, ...locate(issue.path) } });
  }
  return out;
}

/** Parses and validates campaign text. Throws CampaignError listing every problem. */
export function parseCampaign(source: string, file: string): LoadedCampaign {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lines);
  if (doc.errors.length > 0) {
    throw new CampaignError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          message: `${e.code}: ${e.message.split('\n')[0] ?? e.message}`,
          field: '',
          location: { file, line: pos.line, column: pos.col },
          hint: 'the file is not valid YAML',
        };
      }),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw new CampaignError([
      {
        message: 'the campaign file is empty',
        field: '',
        location: { file, line: 1, column: 1 },
        hint: 'see examples/ for a campaign to start from',
      },
    ]);
  }
  const parsed = campaignSchema.safeParse(data);
  if (!parsed.success) throw new CampaignError(zodProblems(parsed.error, file, locate));
  const semantic = checkCampaignSemantics(parsed.data, file, locate);
  if (semantic.length > 0) throw new CampaignError(semantic);
  return { campaign: parsed.data, source, file };
}

/** Reads and validates a campaign file. */
export function loadCampaign(file: string): LoadedCampaign {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CampaignError([
      {
        message: `cannot read the campaign file: ${e instanceof Error ? e.message : String(e)}`,
        field: '',
        location: { file, line: 1, column: 1 },
      },
    ]);
  }
  return parseCampaign(source, file);
}
