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
  /** Where `system` is written (line, column), for errors found when the system module loads. */
  systemAt?: { line: number; column: number };
  /** Where `workload.name` is written, for a system that does not serve it. */
  workloadAt?: { line: number; column: number };
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

/** Far more than any campaign needs; a larger file is a mistake, and parsing it could take the memory. */
const maxCampaignBytes = 1_000_000;

/** The message of a parser error; a stack overflow (a value nested thousands deep) said in words. */
function tooDeep(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'values are nested too deeply';
  return e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
}

/** Parses and validates campaign text. Throws CampaignError listing every problem. */
export function parseCampaign(source: string, file: string): LoadedCampaign {
  const lines = new LineCounter();
  const whole = (message: string, hint: string): CampaignError =>
    new CampaignError([{ message, field: '', location: { file, line: 1, column: 1 }, hint }]);
  if (source.length > maxCampaignBytes)
    throw whole(
      `the file is ${source.length} characters long, more than a campaign needs (at most ${maxCampaignBytes})`,
      'is it the right file?',
    );
  let doc: Document;
  try {
    doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw whole(
      `the file cannot be parsed: ${tooDeep(e)}`,
      'the file is not a campaign as docs/campaigns.md describes',
    );
  }
  const locate = locator(doc, lines);
  if (doc.errors.length > 0) {
    // A value nested thousands deep overflows the parser's stack once per level it unwinds: say it once.
    const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
    if (exhausted !== undefined) {
      const pos = lines.linePos(exhausted.pos[0]);
      throw new CampaignError([
        {
          message: 'values are nested too deeply to read',
          field: '',
          location: { file, line: pos.line, column: pos.col },
          hint: 'a campaign needs only a few levels of nesting',
        },
      ]);
    }
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
  let data: unknown;
  try {
    // maxAliasCount bounds what aliases may expand to (a "billion laughs" file).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw whole(
      `the file cannot be read as data: ${tooDeep(e)}`,
      'a campaign needs no deeply nested values, and aliases (*name) only a few times',
    );
  }
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
  const semantic = checkCampaignSemantics(parsed.data, file, locate, (path) => doc.hasIn(path));
  if (semantic.length > 0) throw new CampaignError(semantic);
  const systemAt = locate(typeof parsed.data.system === 'string' ? ['system'] : ['system', 'name']);
  const workloadAt = locate(['workload', 'name']);
  return { campaign: parsed.data, source, file, systemAt, workloadAt };
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
