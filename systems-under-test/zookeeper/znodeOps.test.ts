import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ClientOp, Completion, Value } from '../../harness/plugin.ts';
import type { ZkCall, ZkReply, ZnodeStepOptions } from './znodeOps.ts';
import { ZkCode, znodePath, znodeStep } from './znodeOps.ts';

const err = (code: number): ZkReply => ({ ok: false, code, error: `code ${code}` });

/** Runs an op's steps against one znode held in memory, answering each call with `fault` when it gives one. */
function runAgainst(
  op: ClientOp,
  znode: { data: string; version: number } | undefined,
  fault: (call: ZkCall, index: number) => ZkReply | undefined = () => undefined,
  options: ZnodeStepOptions = {},
): { completion: Completion; znode: { data: string; version: number } | undefined; calls: ZkCall[] } {
  const replies: ZkReply[] = [];
  const calls: ZkCall[] = [];
  for (;;) {
    const step = znodeStep(op, replies, options);
    if (step.kind === 'done') return { completion: step.completion, znode, calls };
    const c = step.call;
    calls.push(c);
    const injected = fault(c, calls.length - 1);
    if (injected !== undefined) {
      replies.push(injected);
      continue;
    }
    if (c.call === 'sync') replies.push({ ok: true });
    else if (c.call === 'getData') replies.push(znode ? { ok: true, ...znode } : err(ZkCode.noNode));
    else if (c.call === 'create') {
      if (znode) replies.push(err(ZkCode.nodeExists));
      else {
        znode = { data: c.data, version: 0 };
        replies.push({ ok: true });
      }
    } else if (!znode) replies.push(err(ZkCode.noNode));
    else if (c.version !== -1 && c.version !== znode.version) replies.push(err(ZkCode.badVersion));
    else {
      znode = { data: c.data, version: znode.version + 1 };
      replies.push({ ok: true, version: znode.version });
    }
  }
}

test('znodes: one per key, one for the register', () => {
  assert.equal(znodePath({}), '/faultline-register');
  assert.equal(znodePath({ key: 'k3' }), '/faultline-k3');
});

test('read: JSON data, a missing znode is null, an error fails (a read changes nothing)', () => {
  const read: ClientOp = { f: 'read', value: null };
  assert.deepEqual(runAgainst(read, { data: '"3-41"', version: 2 }).completion, { type: 'ok', value: '3-41' });
  assert.deepEqual(runAgainst(read, undefined).completion, { type: 'ok', value: null });
  assert.equal(runAgainst(read, undefined, () => err(ZkCode.connectionLoss)).completion.type, 'fail');
  // An expired session retires the process: info, so the pool opens a fresh session.
  assert.equal(runAgainst(read, undefined, () => err(ZkCode.sessionExpired)).completion.type, 'info');
});

test('read with syncBeforeRead: sync, then getData; a sync that fails fails the read, an expired session is info', () => {
  const read: ClientOp = { f: 'read', key: 'k', value: null };
  const synced = runAgainst(read, { data: '4', version: 1 }, undefined, { syncBeforeRead: true });
  assert.deepEqual(synced.completion, { type: 'ok', value: 4 });
  assert.deepEqual(synced.calls, [
    { call: 'sync', path: '/faultline-k' },
    { call: 'getData', path: '/faultline-k' },
  ]);
  assert.deepEqual(runAgainst(read, undefined, undefined, { syncBeforeRead: true }).completion, {
    type: 'ok',
    value: null,
  });
  const timedOut = runAgainst(
    read,
    { data: '4', version: 1 },
    (c) => (c.call === 'sync' ? err(ZkCode.operationTimeout) : undefined),
    { syncBeforeRead: true },
  );
  assert.equal(timedOut.completion.type, 'fail');
  assert.deepEqual(
    timedOut.calls.map((c) => c.call),
    ['sync'],
    'no getData after a failed sync: it could be stale',
  );
  const expired = runAgainst(read, undefined, () => err(ZkCode.sessionExpired), { syncBeforeRead: true });
  assert.equal(expired.completion.type, 'info');
  // Only reads sync: cas is already conditional on the version it read, so a stale read only makes it fail.
  const cas = runAgainst({ f: 'cas', value: [1, 2] }, { data: '1', version: 0 }, undefined, { syncBeforeRead: true });
  assert.deepEqual(
    cas.calls.map((c) => c.call),
    ['getData', 'setData'],
  );
  assert.deepEqual(
    runAgainst(read, { data: '4', version: 1 }).calls.map((c) => c.call),
    ['getData'],
  );
});

test('write: sets, creates a missing znode, and is info when the connection is lost mid-call', () => {
  const write: ClientOp = { f: 'write', value: 7 };
  const onExisting = runAgainst(write, { data: '1', version: 4 });
  assert.deepEqual(onExisting.completion, { type: 'ok', value: 7 });
  assert.deepEqual(onExisting.znode, { data: '7', version: 5 });
  const onMissing = runAgainst(write, undefined);
  assert.deepEqual(onMissing.completion, { type: 'ok', value: 7 });
  assert.deepEqual(
    onMissing.calls.map((c) => c.call),
    ['setData', 'create'],
  );
  assert.equal(runAgainst(write, undefined, () => err(ZkCode.connectionLoss)).completion.type, 'info');
  // Another client's create wins between our setData and create: set again.
  const raced = runAgainst(write, undefined, (c, i) =>
    i === 1 && c.call === 'create' ? err(ZkCode.nodeExists) : undefined,
  );
  assert.deepEqual(
    raced.calls.map((c) => c.call),
    ['setData', 'create', 'setData'],
  );
});

test('cas: conditional on the version read, fails on a mismatch or a write in between, info when unknown', () => {
  const cas: ClientOp = { f: 'cas', value: [1, 2] };
  const hit = runAgainst(cas, { data: '1', version: 3 });
  assert.deepEqual(hit.completion, { type: 'ok', value: [1, 2] });
  assert.deepEqual(hit.calls[1], { call: 'setData', path: '/faultline-register', data: '2', version: 3 });
  const miss = runAgainst(cas, { data: '5', version: 3 });
  assert.equal(miss.completion.type, 'fail');
  assert.deepEqual(miss.znode, { data: '5', version: 3 });
  const between = runAgainst(cas, { data: '1', version: 3 }, (c) =>
    c.call === 'setData' ? err(ZkCode.badVersion) : undefined,
  );
  assert.equal(between.completion.type, 'fail');
  const lost = runAgainst(cas, { data: '1', version: 3 }, (c) =>
    c.call === 'setData' ? err(ZkCode.connectionLoss) : undefined,
  );
  assert.equal(lost.completion.type, 'info');
  assert.equal(runAgainst(cas, undefined).completion.type, 'fail');
  assert.deepEqual(runAgainst({ f: 'cas', value: [null, 2] }, undefined).znode, { data: '2', version: 0 });
  assert.equal(runAgainst({ f: 'cas', value: [null, 2] }, { data: '1', version: 0 }).completion.type, 'fail');
});

test('against a faithful znode, ops act as on a register; an injected error never makes ok of what did not happen', () => {
  const valueArb = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 }));
  const opArb: fc.Arbitrary<ClientOp> = fc.oneof(
    fc.constant<ClientOp>({ f: 'read', value: null }),
    fc.integer({ min: 0, max: 3 }).map((v): ClientOp => ({ f: 'write', value: v })),
    fc.tuple(valueArb, fc.integer({ min: 0, max: 3 })).map(([a, b]): ClientOp => ({ f: 'cas', value: [a, b] })),
  );
  const codes = [ZkCode.connectionLoss, ZkCode.operationTimeout, ZkCode.sessionExpired];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(opArb, fc.option(fc.tuple(fc.nat(3), fc.constantFrom(...codes)), { nil: undefined })), {
        maxLength: 30,
      }),
      fc.boolean(),
      (ops, syncBeforeRead) => {
        let znode: { data: string; version: number } | undefined;
        let model: Value = null;
        for (const [op, fault] of ops) {
          const ran = runAgainst(
            op,
            znode,
            (_c, i) => (fault !== undefined && fault[0] === i ? err(fault[1]) : undefined),
            { syncBeforeRead },
          );
          const changed = JSON.stringify(ran.znode) !== JSON.stringify(znode);
          znode = ran.znode;
          const { completion } = ran;
          if (completion.type === 'ok') {
            if (op.f === 'read') assert.deepEqual(completion.value, model);
            if (op.f === 'write') model = op.value;
            if (op.f === 'cas') {
              assert.deepEqual((op.value as Value[])[0], model);
              model = (op.value as Value[])[1] ?? null;
            }
          }
          // fail means nothing was written; info may or may not have (here: never, the fault replaced the call).
          if (completion.type === 'fail') assert.equal(changed, false);
          if (completion.type === 'info') model = znode === undefined ? null : (JSON.parse(znode.data) as Value);
          assert.deepEqual(znode === undefined ? null : JSON.parse(znode.data), model);
        }
      },
    ),
  );
});
