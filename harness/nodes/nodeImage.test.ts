// How a build's log is read from the engine's event stream, on a scripted engine: the events cut lines
// anywhere, and a failure's step output must still read as apt wrote it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import fc from 'fast-check';
import { type BuildEvent, runImageBuild } from './nodeImage.ts';

/** An engine whose build emits the given events, then finishes. */
function scriptedEngine(events: BuildEvent[]): Docker {
  const engine = {
    buildImage: () => Promise.resolve({}),
    modem: {
      followProgress: (_stream: unknown, done: (err: Error | null) => void, progress: (e: BuildEvent) => void) => {
        setImmediate(() => {
          for (const e of events) progress(e);
          done(null);
        });
      },
    },
  };
  return engine as unknown as Docker;
}

const log = [
  'Step 1/2 : FROM faultline-node:x',
  'Step 2/2 : RUN apt-get install -y nope',
  'Reading package lists...',
  '\u001b[91mE: Unable to locate package nope\u001b[0m',
].join('\n');

/** The log cut into stream events at the given offsets. */
function cutAt(text: string, offsets: number[]): BuildEvent[] {
  const cuts = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const events: BuildEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    if (cut > from) events.push({ stream: text.slice(from, cut) });
    from = Math.max(from, cut);
  }
  return events;
}

describe('runImageBuild', () => {
  it('reads whole lines however the stream events cut them, colour codes removed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (offsets) => {
        const progress: string[] = [];
        const events = [...cutAt(log, offsets), { error: 'returned a non-zero code: 100' }];
        const failure = await runImageBuild(scriptedEngine(events), {
          tag: 't',
          entries: [],
          labels: {},
          progressLine: /^E: /,
          onProgress: (line) => progress.push(line),
        });
        assert.deepEqual(failure, {
          error: 'returned a non-zero code: 100',
          stepOutput: [
            'Step 2/2 : RUN apt-get install -y nope',
            'Reading package lists...',
            'E: Unable to locate package nope',
          ],
        });
        assert.deepEqual(progress, [
          'Step 1/2 : FROM faultline-node:x',
          'Step 2/2 : RUN apt-get install -y nope',
          'E: Unable to locate package nope',
        ]);
      }),
    );
  });

  it('a build with no error event succeeds', async () => {
    assert.equal(
      await runImageBuild(scriptedEngine(cutAt(log, [3])), { tag: 't', entries: [], labels: {} }),
      undefined,
    );
  });
});
