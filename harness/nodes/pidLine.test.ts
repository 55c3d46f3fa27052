// The split of the wrapper's pid line off a streamed stderr, however the bytes are chunked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PidLineSplitter, pidOfLine } from './pidLine.ts';

/** Feeds `text` in chunks cut at `cuts`, and returns the pid and what was passed through. */
async function split(text: string, cuts: readonly number[]): Promise<{ pid: number | undefined; rest: string }> {
  const splitter = new PidLineSplitter();
  const out: Buffer[] = [];
  splitter.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise((resolve) => splitter.on('end', resolve));
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to > from) splitter.write(bytes.subarray(from, to));
    from = Math.max(from, to);
  }
  splitter.end();
  await ended;
  return { pid: await splitter.pid, rest: Buffer.concat(out).toString() };
}

test('the first line is the pid and the rest passes through unchanged, in any chunking', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4_194_304 }),
      fc.string(),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (pid, rest, cuts) => {
        assert.deepEqual(await split(`${pid}\n${rest}`, cuts), { pid, rest });
      },
    ),
  );
});

test('a first line that is not a pid, or no line at all, gives no pid and loses no byte', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string().filter((s) => !/^\s*\d+\s*$/.test(s.split('\n')[0] ?? '') || !s.includes('\n')),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (text, cuts) => {
        const { pid, rest } = await split(text, cuts);
        assert.equal(pid, undefined);
        assert.equal(rest, text);
      },
    ),
  );
});

test('pidOfLine takes positive integers only', () => {
  assert.equal(pidOfLine('4242'), 4242);
  assert.equal(pidOfLine(' 17 '), 17);
  for (const line of ['0', '-3', '1.5', 'sh: 1: exec: x: not found', '', '12abc'])
    assert.equal(pidOfLine(line), undefined);
});
