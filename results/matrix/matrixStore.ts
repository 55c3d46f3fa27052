// A matrix in the store: store/_matrix/<timestamp>/matrix.json (the campaigns, the runs and their summary) and
// index.html (the page), rewritten after every run so an interrupted matrix keeps what it had; and the list of
// matrices the store index links to.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/writeRunReport.ts';
import { matrixFiles, matrixFolder, matrixPageCss, renderMatrixPage, type MatrixPageMeta } from './matrixPage.ts';
import type { MatrixCampaign, MatrixRun, MatrixSummary } from './matrixSummary.ts';

export interface MatrixRecord {
  startedAt: string;
  command: string;
  state: MatrixPageMeta['state'];
  exitCode?: number;
  requireCatch: boolean;
  campaigns: MatrixCampaign[];
  runs: MatrixRun[];
  summary: MatrixSummary;
}

/** store/_matrix/<name>/, created. */
export function createMatrixDir(storeDir: string, name: string): string {
  const dir = join(storeDir, matrixFolder, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes matrix.json and index.html into the matrix's folder (atomically) and returns the page's path. */
export function writeMatrix(dir: string, record: MatrixRecord): string {
  writeFileAtomic(join(dir, matrixFiles.data), `${JSON.stringify(record, null, 2)}\n`);
  const page = join(dir, matrixFiles.page);
  const meta: MatrixPageMeta = {
    startedAt: record.startedAt,
    state: record.state,
    command: record.command,
    storeRoot: '../..',
    ...(record.exitCode !== undefined && { exitCode: record.exitCode }),
  };
  writeFileAtomic(page, renderMatrixPage(record.summary, meta, matrixPageCss()));
  return page;
}

export interface StoreMatrix {
  /** '/'-separated, relative to the store: `_matrix/<name>/index.html`. */
  page: string;
  name: string;
  startedAt?: string;
  state?: string;
  campaigns: number;
  runs: number;
  exitCode?: number;
  /** Why matrix.json could not be read, when it could not. */
  problem?: string;
}

/** Every matrix in a store, newest first (by folder name, a timestamp). */
export function scanMatrices(storeDir: string): StoreMatrix[] {
  let names: string[];
  try {
    names = readdirSync(join(storeDir, matrixFolder));
  } catch {
    return [];
  }
  const out: StoreMatrix[] = [];
  for (const name of names
    .filter((n) => !n.startsWith('.'))
    .sort()
    .reverse()) {
    const entry: StoreMatrix = { page: `${matrixFolder}/${name}/${matrixFiles.page}`, name, campaigns: 0, runs: 0 };
    try {
      const data = JSON.parse(
        readFileSync(join(storeDir, matrixFolder, name, matrixFiles.data), 'utf8'),
      ) as Partial<MatrixRecord>;
      if (typeof data.startedAt === 'string') entry.startedAt = data.startedAt;
      if (typeof data.state === 'string') entry.state = data.state;
      if (typeof data.exitCode === 'number') entry.exitCode = data.exitCode;
      entry.campaigns = Array.isArray(data.campaigns) ? data.campaigns.length : 0;
      entry.runs = Array.isArray(data.runs) ? data.runs.length : 0;
    } catch (e) {
      entry.problem = e instanceof Error ? e.message : String(e);
    }
    out.push(entry);
  }
  return out;
}
