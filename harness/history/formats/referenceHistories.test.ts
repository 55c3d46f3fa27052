// Every history in test/fixtures/reference-histories parses, with the op counts their EXPECTED.md tables give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HistoryOp } from '../../../checkers/history.ts';
import { findHistoryProblems } from '../../../checkers/history.ts';
import { referenceHistoriesDir as root } from '../../../test/referenceHistories.ts';
import { readAnyHistory } from './index.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Rows of the markdown tables in an EXPECTED.md whose first cell names a file. */
function tableRows(expectedMd: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(expectedMd, 'utf8').split('\n')) {
    if (!line.startsWith('| ')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const file = cells[0]?.replaceAll('`', '');
    if (file !== undefined && /^[\w\-./]+\.(edn|log|txt|yaml)$/.test(file) && !file.includes('NNN'))
      rows.set(file, cells);
  }
  return rows;
}

const count = (ops: HistoryOp[], pred: (op: HistoryOp) => boolean) => ops.filter(pred).length;
const num = (cell: string | undefined) => Number((cell ?? '').replace(/[,*]/g, '').split(' ')[0]);

test('every reference history parses in its inferred format, and is well formed', () => {
  const histories = files(root).filter((f) => /\.(edn|log|txt|yaml)$/.test(f) && !f.endsWith('README.md'));
  assert.ok(histories.length > 250, `expected the full corpus, found ${histories.length} files`);
  const formats = new Map<string, number>();
  for (const file of histories) {
    const h = readAnyHistory(file);
    formats.set(h.format, (formats.get(h.format) ?? 0) + 1);
    if (statSync(file).size > 0) assert.ok(h.ops.length > 0, `${relative(root, file)} gave no ops`);
    assert.deepEqual(findHistoryProblems(h.ops), [], relative(root, file));
  }
  assert.deepEqual(Object.fromEntries(formats), {
    'jepsen-edn': 122 + 3 + 3 + 14,
    'porcupine-etcd': 103,
    'porcupine-kv': 6,
    dbcop: 1,
    'plume-text': 14,
  });
});

test('Knossos histories: events and invoke/ok/fail/info counts match EXPECTED.md', () => {
  const rows = tableRows(join(root, 'knossos/EXPECTED.md'));
  assert.ok(rows.size >= 120, `read ${rows.size} rows`);
  for (const [file, cells] of rows) {
    const { ops } = readAnyHistory(join(root, 'knossos', file));
    assert.equal(ops.length, num(cells[1]), `${file} events`);
    const [inv, ok, fail, info] = (cells[2] ?? '').split('/').map(Number);
    const types = ['invoke', 'ok', 'fail', 'info'].map((t) => count(ops, (o) => o.type === t));
    assert.deepEqual(types, [inv, ok, fail, info], `${file} invoke/ok/fail/info`);
    assert.equal(new Set(ops.map((o) => o.process)).size, num(cells[3]), `${file} processes`);
  }
});

test('Porcupine etcd and kv logs: op counts match EXPECTED.md', () => {
  const rows = tableRows(join(root, 'porcupine/EXPECTED.md'));
  let checked = 0;
  for (const [file, cells] of rows) {
    const { ops } = readAnyHistory(join(root, 'porcupine', file));
    const invokes = ops.filter((o) => o.type === 'invoke');
    if (file.startsWith('jepsen/')) {
      if (cells[2] === '0') {
        assert.equal(ops.length, 0, file);
        continue;
      }
      assert.equal(invokes.length, num(cells[2]), `${file} ops`);
      const byF = ['read', 'write', 'cas'].map((f) => count(invokes, (o) => o.f === f)).join('/');
      assert.equal(byF, cells[3], `${file} read/write/cas`);
      assert.equal(
        count(ops, (o) => o.type === 'info'),
        num(cells[4]),
        `${file} crashed`,
      );
      assert.equal(
        count(ops, (o) => o.type === 'fail' && o.f === 'read'),
        num(cells[5]),
        `${file} read timeouts`,
      );
      assert.equal(new Set(ops.map((o) => o.process)).size, num(cells[6]), `${file} processes`);
    } else {
      assert.equal(invokes.length, num(cells[3]), `${file} ops`);
      const byF = ['get', 'put', 'append'].map((f) => count(invokes, (o) => o.f === f)).join('/');
      assert.equal(byF, cells[4], `${file} get/put/append`);
      assert.equal(new Set(ops.map((o) => o.process)).size, num(cells[5]), `${file} clients`);
      assert.equal(new Set(ops.map((o) => o.key)).size, num(cells[6]), `${file} keys`);
    }
    checked++;
  }
  assert.equal(checked, 102 + 6);
});

test('Elle and Plume list-append histories: event counts match EXPECTED.md', () => {
  for (const dir of ['elle', 'plume-mongodb']) {
    const rows = tableRows(join(root, dir, 'EXPECTED.md'));
    assert.ok(rows.size >= 3, `${dir}: read ${rows.size} rows`);
    for (const [file, cells] of rows) {
      const { ops } = readAnyHistory(join(root, dir, file));
      assert.equal(ops.length, num(cells[1]), `${dir}/${file} events`);
      const txn = ops.find((o) => o.type === 'ok' && o.f === 'txn');
      assert.ok(Array.isArray(txn?.value) && Array.isArray(txn.value[0]), `${file}: txn values are lists of micro-ops`);
    }
  }
});

test('dbcop non_cc.yaml: three sessions of one transaction each; S2 reads x0 initial and x1=1 atomically', () => {
  const { ops, format } = readAnyHistory(join(root, 'dbcop/non_cc.yaml'));
  assert.equal(format, 'dbcop');
  const s2 = ops.filter((o) => o.process === 2 && o.type === 'ok').map((o) => [o.f, o.value]);
  assert.deepEqual(s2, [
    [
      'txn',
      [
        ['r', 'x0', null],
        ['r', 'x1', 1],
      ],
    ],
  ]);
  assert.equal(new Set(ops.map((o) => o.process)).size, 3);
});
