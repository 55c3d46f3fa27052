// Type-aware lint: floating promises are errors, because an un-awaited heal() is the classic "fault never
// healed" bug. Layering is enforced here too: checkers/ is pure (no I/O) and may not import the harness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';
import globals from 'globals';

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
    // Tests may read reference files and use the harness's readers; the checkers themselves may not.
    files: ['checkers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'fs', 'child_process'],
              message: 'checkers/ is pure: no I/O.',
            },
            {
              group: ['**/harness/**', '**/nemesis/**', '**/results/**'],
              message: 'checkers/ may not import the harness, nemesis or results.',
            },
          ],
        },
      ],
    },
  },
  {
    // The report reads runs as data (architecture.md): checkers' and history types only, never the harness.
    files: ['results/**/*.ts'],
    ignores: ['**/*.test.ts', 'results/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/harness/**', '**/nemesis/**'], message: 'results/ may not import the harness or nemesis.' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: globals.node } },
);
