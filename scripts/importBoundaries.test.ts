// The allow-list rule on small sources: what an area may import passes, anything else is reported with the
// area and its list, types-only lists admit type imports only, and files outside every area are free.
import { test } from 'node:test';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './importBoundaries.js';

const root = '/project';
const boundaries = [
  { area: 'checkers/', may: [] },
  { area: 'nemesis/', may: ['harness/nodes/remote.ts'], typesFrom: ['harness/plugin.ts'] },
  { area: 'harness/cli/', may: ['harness/', 'nemesis/index.ts'] },
];
const options = [{ root, boundaries }];
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

test('import boundaries', () => {
  tester.run('import-boundaries', importBoundaries, {
    valid: [
      { filename: '/project/checkers/causal/causal.ts', code: "import { x } from '../history.ts';", options },
      {
        filename: '/project/nemesis/faults/kill.ts',
        code: "import { r } from '../../harness/nodes/remote.ts';",
        options,
      },
      {
        filename: '/project/nemesis/faults/kill.ts',
        code: "import type { NodeContext } from '../../harness/plugin.ts';",
        options,
      },
      { filename: '/project/harness/cli/main.ts', code: "import { healAll } from '../../nemesis/index.ts';", options },
      { filename: '/project/bench/run.ts', code: "import { x } from '../harness/run/runCampaign.ts';", options },
      { filename: '/project/checkers/a.ts', code: "import fc from 'fast-check';", options },
    ],
    invalid: [
      {
        filename: '/project/checkers/causal/causal.ts',
        code: "import { UserError } from '../../harness/errors.ts';",
        options,
        errors: [
          {
            messageId: 'outside',
            data: { target: 'harness/errors.ts', area: 'checkers/', allowed: 'nothing outside itself' },
          },
        ],
      },
      {
        filename: '/project/nemesis/faults/kill.ts',
        code: "import { definePlugin } from '../../harness/plugin.ts';",
        options,
        errors: [{ messageId: 'outside' }],
      },
      {
        filename: '/project/harness/cli/commands/clean.ts',
        code: "export { healAll } from '../../../nemesis/healAll.ts';",
        options,
        errors: [{ messageId: 'outside' }],
      },
      {
        filename: '/project/nemesis/index.ts',
        code: "const m = await import('../harness/run/runCampaign.ts');",
        options,
        errors: [{ messageId: 'outside' }],
      },
    ],
  });
});
