// Type-aware lint: floating promises are errors, because an un-awaited heal() is the classic "fault never
// healed" bug. Layering is enforced here too: checkers/ is pure (no I/O), and every layer imports only what
// its allow-list below names (docs/architecture.md draws them).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import { importBoundaries } from './scripts/importBoundaries.js';

// The layer allow-lists. `area` is a folder (ending in /) or a file, from the project root; the longest
// matching area governs a file. An area may import itself and what `may` lists; `typesFrom` only types.
// Tests, testing/ folders (test doubles) and fixtures may import anything.
const boundaries = [
  // The pure core: histories in, verdicts out.
  { area: 'checkers/', may: [] },
  // Reports and the store index read runs as data: checkers' types and results' own run-directory contract.
  { area: 'results/', may: ['checkers/'] },
  // Faults reach nodes only through the Remote interface, and write history events through the recorder.
  {
    area: 'nemesis/',
    may: ['harness/nodes/remote.ts', 'checkers/history.ts', 'checkers/nemesisEvents.ts'],
    typesFrom: ['harness/history/recorder.ts', 'harness/plugin.ts'],
  },
  // A system under test is a plug-in: it sees only the plug-in API.
  { area: 'systems-under-test/', may: ['harness/plugin.ts'] },
  // The plug-in API: the Remote interface, free ports for local nodes, history value types, the node image
  // declaration's types, the message log's event type.
  {
    area: 'harness/plugin.ts',
    may: [
      'harness/nodes/remote.ts',
      'harness/nodes/freePorts.ts',
      'harness/nodes/systemImageDeclaration.ts',
      'checkers/history.ts',
      'checkers/messageEvents.ts',
    ],
  },
  { area: 'harness/errors.ts', may: ['checkers/result.ts'] },
  // Node backends (docker, ssh, local) know nothing of the CLI, the run or the nemesis.
  { area: 'harness/nodes/', may: ['harness/errors.ts'] },
  { area: 'harness/history/', may: ['checkers/', 'harness/errors.ts', 'results/runDirectory.ts'] },
  { area: 'harness/store/', may: ['harness/errors.ts', 'results/'] },
  { area: 'harness/workloads/', may: ['harness/plugin.ts', 'checkers/'] },
  { area: 'harness/clients/', may: ['harness/plugin.ts', 'harness/history/', 'harness/workloads/', 'checkers/'] },
  {
    area: 'harness/campaign/',
    may: ['harness/workloads/', 'harness/plugin.ts', 'harness/errors.ts', 'checkers/', 'nemesis/index.ts'],
  },
  // The run drives everything below the CLI; the nemesis only through its public entry.
  {
    area: 'harness/run/',
    may: [
      'harness/campaign/',
      'harness/clients/',
      'harness/history/',
      'harness/nodes/',
      'harness/store/',
      'harness/workloads/',
      'harness/plugin.ts',
      'harness/errors.ts',
      'nemesis/index.ts',
      'checkers/',
      'results/',
      'systems-under-test/index.ts',
    ],
  },
  // The CLI wires commands to everything, the nemesis and the systems through their public entries.
  {
    area: 'harness/cli/',
    may: ['harness/', 'nemesis/index.ts', 'checkers/', 'results/', 'systems-under-test/index.ts'],
  },
];

export default defineConfig(
  // examples/ holds modules written as a user's would be, outside this project's TypeScript program.
  {
    ignores: [
      'node_modules/**',
      'store/**',
      'dist/**',
      '**/fixtures/**',
      'coverage/**',
      'test-artifacts/**',
      'examples/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    plugins: { faultline: { rules: { 'import-boundaries': importBoundaries } } },
    rules: { 'faultline/import-boundaries': ['error', { root: import.meta.dirname, boundaries }] },
  },
  {
    // Tests may read reference files and use the harness's readers; the checkers themselves may not.
    files: ['checkers/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'fs', 'child_process'],
              message: 'checkers/ is pure: no I/O.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: globals.node } },
);
