// A history that does not fit in the process's memory is not checked, and `check` says so as a verdict:
// unknown (exit 2) with the reason, never a crash (255) and never valid. A malformed history is bad input
// (exit 64), and among many histories each of them is that history's unknown line, the others still judged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

/** A valid register history of `pairs` write/read pairs, written in pieces. */
function writeRegisterHistory(path: string, pairs: number): void {
  const fd = openSync(path, 'w');
  try {
    let index = 0;
    let time = 0;
    const line = (type: string, f: string, value: string) =>
      `{"index":${index++},"time":${(time += 10)},"type":"${type}","process":0,"f":"${f}","value":${value}}\n`;
    for (let i = 0; i < pairs; i += 1000) {
      let text = '';
      for (let j = i; j < Math.min(pairs, i + 1000); j++)
        text +=
          line('invoke', 'write', String(j)) +
          line('ok', 'write', String(j)) +
          line('invoke', 'read', 'null') +
          line('ok', 'read', String(j));
      writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
}

test('a history too large for the heap is unknown with the reason, exit 2; --json says the same', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-too-large-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'history.jsonl');
  writeRegisterHistory(path, 250_000); // a million ops, ~80 MB: more than a 64 MiB heap holds as ops
  const small = ['--max-old-space-size=64', cli, 'check', path];
  const plain = await execa(process.execPath, small, { reject: false, all: true, env: { NO_COLOR: '1' } });
  assert.equal(plain.exitCode, 2, plain.all);
  assert.match(plain.stdout, /^unknown: not checked: .*reading stopped after \d+ bytes/m);
  assert.match(plain.stdout, /max-old-space-size/);
  const json = await execa(process.execPath, [...small, '--json'], { reject: false, all: true });
  assert.equal(json.exitCode, 2, json.all);
  const verdict = JSON.parse(json.stdout) as { valid: unknown; reason: string; path: string };
  assert.equal(verdict.valid, 'unknown');
  assert.equal(verdict.path, path);
  assert.match(verdict.reason, /^not checked: reading stopped/);
});

test('a malformed history is bad input (exit 64); among several it is one unknown line and the rest are judged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-history-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(
    bad,
    '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null}\n{"index":1,"time":"x"}\n',
  );
  const good = join(dir, 'good.jsonl');
  writeRegisterHistory(good, 3);
  const one = await execa('node', [cli, 'check', bad], { reject: false, all: true, env: { NO_COLOR: '1' } });
  assert.equal(one.exitCode, 64, one.all);
  assert.match(one.all, /could not read the history in .*bad\.jsonl.*:2/);
  const both = await execa('node', [cli, 'check', bad, good], { reject: false, all: true, env: { NO_COLOR: '1' } });
  assert.equal(both.exitCode, 2, both.all);
  assert.match(both.stdout, /2 histories: 1 valid, 0 violated, 1 unknown/);
});
