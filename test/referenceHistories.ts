// Where the reference histories live (test/fixtures/reference-histories, in the repository; their origins and
// licences are in its SOURCES file), for tests and benchmarks. They are read-only inputs with known verdicts.
import { fileURLToPath } from 'node:url';

export const referenceHistoriesDir = fileURLToPath(new URL('fixtures/reference-histories', import.meta.url));
