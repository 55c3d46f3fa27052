// What every Docker end-to-end test starts with: whether an engine answers (else the test skips, saying why
// and what to run), and a poll for an effect that takes a while to show.
import { engineAnswers } from '../../harness/nodes/dockerEngine.ts';

const reason = (await engineAnswers())
  ? false
  : 'no Docker engine answers (start one as root: bash docker/ensure-engine.sh)';

/** The `skip` option for a suite's tests: false, or why it cannot run here (printed once, under the suite's name). */
export function dockerSkip(suite: string): false | string {
  if (reason !== false) process.stdout.write(`skipping ${suite}: ${reason}\n`);
  return reason;
}

/** Polls `probe` every 200 ms until it returns a value; throws, naming `what`, after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
