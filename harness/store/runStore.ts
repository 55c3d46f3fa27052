// The run store: creates run directories (their layout is results/runDirectory.ts) and keeps the `latest`
// links pointing at the newest run, set when a run starts so a killed run is still easy to find.
import { appendFileSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runDirName, runFiles, storeFiles } from '../../results/runDirectory.ts';

export { runFiles };

/** Creates the run directory and points <store>/latest and <store>/<campaign>/latest at it. */
export function createRunDir(storeDir: string, campaign: string, startedAt: Date): string {
  const campaignDir = join(storeDir, campaign);
  const runDir = join(campaignDir, runDirName(startedAt));
  mkdirSync(join(runDir, runFiles.logs), { recursive: true });
  pointLatest(join(campaignDir, storeFiles.latest), runDir);
  pointLatest(join(storeDir, storeFiles.latest), runDir);
  return runDir;
}

function pointLatest(link: string, target: string): void {
  // Relative links keep working when the store folder is moved or mounted elsewhere.
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(join(link, '..'), target), tmp);
  renameSync(tmp, link);
}

/** Writes JSON via a temporary file and rename, so a reader never sees half a file. */
export function writeJsonAtomic(path: string, data: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}

/** harness.log: timestamped lines, appended synchronously so a crash loses none. */
export class HarnessLog {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  write(message: string): void {
    appendFileSync(this.path, `${new Date().toISOString()} ${message}\n`);
  }
}
