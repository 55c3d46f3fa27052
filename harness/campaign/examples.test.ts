import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCampaign } from './loadCampaign.ts';
import { builtInSystemNames } from '../../systems-under-test/index.ts';
import { expectProblems } from '../cli/commands/matrixCampaigns.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

test('every example campaign is valid and names a system that exists', () => {
  const files = ['.', 'tutorial-kv', 'matrix', 'real'].flatMap((dir) =>
    readdirSync(join(examples, dir))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(dir, f)),
  );
  assert.ok(files.length >= 15, files.join(', '));
  for (const f of files) {
    const loaded = loadCampaign(join(examples, f));
    const { campaign } = loaded;
    // What a row expects must be what it checks: `faultline matrix` refuses it otherwise.
    assert.deepEqual(expectProblems(loaded), [], f);
    const system = typeof campaign.system === 'string' ? campaign.system : campaign.system.name;
    assert.ok(system.startsWith('./') || builtInSystemNames().includes(system), `${f}: unknown system ${system}`);
  }
});
