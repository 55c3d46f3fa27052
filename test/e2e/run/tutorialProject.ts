// A user's project outside this repository, as the plug-in tutorial leaves it: the tutorial's system
// (examples/tutorial-kv) copied into a temp dir, with the given campaign beside it as campaign.yaml.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

export function tutorialProject(tempPrefix: string, campaign: string): string {
  const dir = mkdtempSync(join(tmpdir(), tempPrefix));
  for (const f of ['server.mjs', 'system.ts', 'package.json'])
    copyFileSync(join(repo, 'examples', 'tutorial-kv', f), join(dir, f));
  writeFileSync(join(dir, 'campaign.yaml'), campaign);
  return dir;
}
