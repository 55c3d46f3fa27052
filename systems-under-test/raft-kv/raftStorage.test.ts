import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RaftStorage } from './raftStorage.ts';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'raft-storage-'));

test('term, vote and log survive reopening', (t) => {
  const dir = tempDir();
  t.after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const storage = new RaftStorage(dir);
  storage.setTermAndVote(3, 'n2');
  storage.append([
    { term: 1, op: { f: 'write', value: 1 }, id: 'a' },
    { term: 3, op: null, id: 'b' },
  ]);
  storage.close();
  const reopened = new RaftStorage(dir);
  assert.equal(reopened.currentTerm, 3);
  assert.equal(reopened.votedFor, 'n2');
  assert.deepEqual(
    reopened.entries.map((e) => e.id),
    ['a', 'b'],
  );
  assert.equal(reopened.termAt(2), 3);
  assert.equal(reopened.termAt(0), 0);
  reopened.close();
});

test('truncation is durable and later appends follow it', (t) => {
  const dir = tempDir();
  t.after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const storage = new RaftStorage(dir);
  storage.append(['a', 'b', 'c'].map((id) => ({ term: 1, op: null, id })));
  storage.truncateFrom(2);
  storage.append([{ term: 2, op: null, id: 'd' }]);
  storage.close();
  assert.deepEqual(
    new RaftStorage(dir).entries.map((e) => e.id),
    ['a', 'd'],
  );
});

test('a torn last line (killed mid-append) is dropped; a corrupt middle line is an error', (t) => {
  const dir = tempDir();
  t.after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const storage = new RaftStorage(dir);
  storage.append([{ term: 1, op: null, id: 'a' }]);
  storage.close();
  fs.appendFileSync(path.join(dir, 'log.jsonl'), '{"term":1,"op":nu');
  const recovered = new RaftStorage(dir);
  assert.deepEqual(
    recovered.entries.map((e) => e.id),
    ['a'],
  );
  recovered.append([{ term: 1, op: null, id: 'b' }]);
  recovered.close();
  assert.deepEqual(
    new RaftStorage(dir).entries.map((e) => e.id),
    ['a', 'b'],
  );
  fs.writeFileSync(path.join(dir, 'log.jsonl'), '{"term":1,"op":null,"id":"a"}\n{bad\n{"term":1,"op":null,"id":"c"}\n');
  assert.throws(() => new RaftStorage(dir));
});
