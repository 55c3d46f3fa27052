// Where the shared reference histories live (../shared/reference-histories from the project root), for
// tests and benchmarks. They are read-only inputs with known verdicts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const referenceHistoriesDir = resolve(
  fileURLToPath(new URL('../../shared/reference-histories', import.meta.url)),
);

/** A skip reason when the reference histories are not beside the project, else false. */
export const referenceHistoriesMissing: string | false = existsSync(referenceHistoriesDir)
  ? false
  : `reference histories not found at ${referenceHistoriesDir} (they ship beside the project as ../shared)`;
