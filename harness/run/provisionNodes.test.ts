// Local nodes are this machine: a system's declared packages are never installed here, but the missing ones
// are named in a warning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { provisionNodes } from './provisionNodes.ts';

test('local nodes name the declared packages this machine lacks, and install nothing', async () => {
  const warnings: string[] = [];
  const nodes = await provisionNodes(
    { backend: 'local', count: 1 },
    {
      runId: `provision-test-${process.pid}`,
      log: () => undefined,
      warn: (m) => warnings.push(m),
      signal: AbortSignal.timeout(30_000),
      system: { name: 'my-db', image: { packages: ['faultline-no-such-package-zz'] } },
    },
  );
  try {
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /my-db .*faultline-no-such-package-zz/);
  } finally {
    await nodes.destroy();
  }
});
