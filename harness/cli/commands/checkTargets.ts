// What `faultline check PATH...` checks: the histories behind its paths (files, run directories, directories of
// histories, globs), and for a stored run the checkers and model the run itself used, so a re-check repeats it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import type { ModelSpec } from '../../../checkers/models/model.ts';
import { UserError } from '../../errors.ts';
import { runFiles } from '../../../results/runDirectory.ts';

/** File names a directory walk takes as histories (README.md, EXPECTED.md, expected.tsv are not). */
const historyFile = /\.(edn|log|txt|jsonl|ya?ml)$/;

function histories(dir: string): string[] {
  if (existsSync(join(dir, runFiles.history))) return [dir];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...histories(path));
    else if (historyFile.test(entry.name) && entry.name !== runFiles.campaign) out.push(path);
  }
  return out;
}

/**
 * The histories to check, in the order given: a file as is, a run directory (one holding history.jsonl) as
 * one history, any other directory as every history below it, a glob (quoted, so the shell left it) as its matches.
 */
export async function expandCheckPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    if (existsSync(path)) {
      const found = statSync(path).isDirectory() ? histories(path) : [path];
      if (found.length === 0) {
        throw new UserError(
          `${path} is a directory without a history.jsonl or any history file`,
          'Point at a run directory (store/<campaign>/<run>), a history file, or a directory of them.',
          'usage',
        );
      }
      out.push(...found);
      continue;
    }
    const matches = isDynamicPattern(path)
      ? (await glob(path, { onlyFiles: false, absolute: isAbsolute(path) })).sort()
      : [];
    if (matches.length === 0) {
      throw new UserError(
        isDynamicPattern(path) ? `no file matches ${path}` : `no such file or directory: ${path}`,
        'Give run directories, history.jsonl files, Porcupine logs, Jepsen/Knossos .edn files, or globs of them.',
        'usage',
      );
    }
    for (const match of matches) out.push(...(statSync(match).isDirectory() ? histories(match) : [match]));
  }
  return [...new Set(out)];
}

/** How a stored run was checked, as its own files record it. */
export interface RecordedCheck {
  checkers: string[];
  /** The linearizability model the run used, when results.json records it. */
  model?: ModelSpec;
  /** Where the choice came from, for the user: results.json, or campaign.yaml when the run never finished. */
  source: string;
  /** The check budgets results.json records; the command line's override them. */
  budgets?: { timeBudgetMs?: number; memoryBudgetBytes?: number };
}

/**
 * The checkers (and model) of the run whose history this is: from results.json, else (a run killed before
 * it wrote results) from campaign.yaml's `checkers`, else that workload's default checkers. Undefined when the
 * history is not a stored run's.
 */
export async function recordedCheck(historyPath: string): Promise<RecordedCheck | undefined> {
  const dir = dirname(historyPath);
  const results = join(dir, runFiles.results);
  if (existsSync(results)) {
    // Loaded only for a stored run: results.json's schema is zod's, whose loading was a fifth of checking an etcd log.
    const { parseRunResults } = await import('../../../results/runResults.ts');
    let r;
    try {
      r = parseRunResults(readFileSync(results, 'utf8'), results);
    } catch (e) {
      throw new UserError(
        `cannot tell how the run was checked: ${e instanceof Error ? e.message : String(e)}`,
        'Name the checkers instead: --checker NAME, or --all for every checker that applies.',
        'harness',
      );
    }
    if (r.checkers !== undefined) {
      return {
        checkers: r.checkers,
        ...(r.model !== undefined && { model: r.model }),
        ...(r.budgets !== undefined && { budgets: r.budgets }),
        source: results,
      };
    }
  }
  const campaign = join(dir, runFiles.campaign);
  if (!existsSync(campaign)) return undefined;
  let doc: { workload?: { name?: unknown; mix?: unknown }; checkers?: unknown } | null;
  try {
    doc = parseYaml(readFileSync(campaign, 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  if (Array.isArray(doc?.checkers) && doc.checkers.every((c) => typeof c === 'string'))
    return { checkers: doc.checkers, source: campaign };
  const name = doc?.workload?.name;
  const { getWorkload } = await import('../../workloads/index.ts');
  const { defaultCheckers } = await import('../../run/runChecks.ts');
  const workload = typeof name === 'string' ? getWorkload(name) : undefined;
  if (workload === undefined) return undefined;
  const mix = (typeof doc?.workload?.mix === 'object' && doc.workload.mix !== null ? doc.workload.mix : null) as Record<
    string,
    unknown
  > | null;
  const weights = mix ?? workload.defaultMix;
  const fs = Object.keys(weights).filter((f) => Number(weights[f] ?? 0) > 0);
  return {
    checkers: defaultCheckers(workload.model, fs),
    source: `${campaign} (the ${workload.name} workload's defaults)`,
  };
}
