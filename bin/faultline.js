#!/usr/bin/env node
// Starts the CLI from its compiled bundle (scripts/cli-bundle.js), made on first use and again whenever a
// source it was built from changes, so start-up costs no TypeScript compilation and never runs stale code.
// Users' own system modules (.ts or .js) still load with no build step: the CLI registers tsx when it
// imports one. Should the bundle not build, the sources run through tsx, slower but the same code.
import { buildBundle, currentBundle } from '../scripts/cli-bundle.js';

let entry = process.env.FAULTLINE_FROM_SOURCE === '1' ? null : currentBundle();
if (entry === null && process.env.FAULTLINE_FROM_SOURCE !== '1') {
  try {
    entry = await buildBundle();
  } catch (e) {
    process.stderr.write(
      `faultline: could not build the CLI bundle (${e instanceof Error ? e.message : String(e)}); running the sources through tsx\n`,
    );
  }
}
if (entry === null) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../harness/cli/main.ts');
} else {
  await import(entry);
}
