// A run directory's layout, Jepsen's: <store>/<campaign>/<run dir name>/ holding the files below. This is the
// contract between the run that writes a directory and everyone who reads it (check, report, the store
// index, serve, clean), beside the formats of two of its files (checkers/historyJsonl.ts, runResults.ts).
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';

/** The files and folders of one run directory. */
export const runFiles = {
  campaign: 'campaign.yaml',
  /** The campaign file's absolute path, where `clean --heal` resolves a relative plug-in path after a crash. */
  campaignSource: 'campaign-source',
  seed: 'seed',
  history: 'history.jsonl',
  results: 'results.json',
  harnessLog: 'harness.log',
  /** logs/<node>/...: each node's log files, copied in teardown. */
  logs: 'logs',
  report: 'report.html',
  /** An ssh run's resolved hosts, written before connecting so `clean --heal` can reach them later. */
  sshHosts: 'ssh-hosts.json',
} as const;

/** The store's own files: the index page, and `latest` links (in the store and in each campaign folder). */
export const storeFiles = { index: 'index.html', latest: 'latest' } as const;

/** 20261123T204512Z-1a2b: sortable, unique even for runs started in the same second. */
export function runDirName(date: Date): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * A run's id, <campaign>-<run dir name>: what labels its containers and names its local nodes' folder, so
 * that `clean --run` finds them from the id or from the run directory.
 */
export function runIdOf(runDir: string): string {
  const dir = runDir.replace(/\/+$/, '');
  return `${basename(dirname(dir))}-${basename(dir)}`;
}
