// faultline ops as Maelstrom bodies and replies as completions, with Maelstrom's definite / indefinite errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSupportedWorkload, completionOf, protocolFor, requestBody, timeoutCompletion } from './workloadBodies.ts';

test('lin-kv requests: integer keys as Maelstrom uses them, a register on key 0, cas as from/to', () => {
  assert.deepEqual(requestBody('key-value', { f: 'read', key: 'k3', value: null }), {
    body: { type: 'read', key: 3 },
  });
  assert.deepEqual(requestBody('register', { f: 'write', value: 7 }), { body: { type: 'write', key: 0, value: 7 } });
  assert.deepEqual(requestBody('key-value', { f: 'cas', key: 'k1', value: [1, 2] }), {
    body: { type: 'cas', key: 1, from: 1, to: 2 },
  });
  assert.deepEqual(requestBody('key-value', { f: 'read', key: 'odd', value: null }), {
    body: { type: 'read', key: 'odd' },
  });
});

test('g-set and counter requests, and their single set or counter', () => {
  assert.deepEqual(requestBody('set', { f: 'add', key: 'k0', value: 5 }), { body: { type: 'add', element: 5 } });
  assert.deepEqual(requestBody('counter', { f: 'add', key: 'k0', value: 1 }), { body: { type: 'add', delta: 1 } });
  assert.deepEqual(requestBody('counter', { f: 'read', key: 'k0', value: null }), { body: { type: 'read' } });
  const refused = requestBody('set', { f: 'add', key: 'k2', value: 5 });
  assert.ok('refused' in refused && /keys: 1/.test(refused.refused));
});

test('ok replies: a read returns its value, anything else the invoked value', () => {
  assert.deepEqual(completionOf({ f: 'read', key: 'k1', value: null }, { type: 'read_ok', value: 4 }), {
    type: 'ok',
    value: 4,
  });
  assert.deepEqual(completionOf({ f: 'write', key: 'k1', value: 9 }, { type: 'write_ok' }), { type: 'ok', value: 9 });
  assert.deepEqual(completionOf({ f: 'read', value: null }, { type: 'read_ok', value: [1, 2] }), {
    type: 'ok',
    value: [1, 2],
  });
});

test('definite errors fail, indefinite ones are info, and a read always fails', () => {
  const write = { f: 'write', key: 'k1', value: 9 };
  const cas = { f: 'cas', key: 'k1', value: [1, 2] };
  const read = { f: 'read', key: 'k1', value: null };
  const error = (code: number, text = ''): { type: string; code: number; text: string } => ({
    type: 'error',
    code,
    text,
  });
  assert.deepEqual(completionOf(cas, error(22, 'expected 1, found 3')), {
    type: 'fail',
    error: 'error 22 precondition-failed: expected 1, found 3',
  });
  assert.equal(completionOf(write, error(11)).type, 'fail');
  assert.equal(completionOf(write, error(14)).type, 'fail');
  assert.equal(completionOf(cas, error(20)).type, 'fail');
  assert.equal(completionOf(write, error(13)).type, 'info', 'crash is indefinite');
  assert.equal(completionOf(write, error(0)).type, 'info', 'timeout is indefinite');
  assert.deepEqual(completionOf(write, error(1234)), { type: 'info', error: 'error 1234 unknown' });
  assert.equal(completionOf(read, error(13)).type, 'fail', 'a read changes nothing');
  assert.deepEqual(completionOf(read, error(20)), { type: 'ok', value: null }, 'no such key: never written');
  assert.equal(completionOf(write, { type: 'read_ok' }).type, 'info', 'a reply of the wrong type');
  assert.equal(timeoutCompletion(write, 1000).type, 'info');
  assert.match((timeoutCompletion(read, 1000) as { error: string }).error, /no reply within 1000 ms/);
  assert.equal(timeoutCompletion(read, 1000).type, 'fail');
});

test('an unsupported workload is refused, naming the supported ones', () => {
  assert.throws(() => {
    checkSupportedWorkload('queue');
  }, /the queue workload has no Maelstrom mapping yet; supported: register \(as lin-kv\), key-value \(as lin-kv\), set \(as g-set\), counter/);
  assert.doesNotThrow(() => {
    checkSupportedWorkload('counter');
  });
});

test('the set workload may speak broadcast: broadcast/read requests, broadcast_ok and read_ok with messages', () => {
  assert.equal(protocolFor('set', 'broadcast'), 'broadcast');
  assert.equal(protocolFor('set', 'g-set'), 'g-set');
  assert.equal(protocolFor('counter', 'broadcast'), 'g-counter / pn-counter');
  const add = { f: 'add', key: 'k0', value: 12 };
  const read = { f: 'read', key: 'k0', value: null };
  assert.deepEqual(requestBody('set', add, 'broadcast'), { body: { type: 'broadcast', message: 12 } });
  assert.deepEqual(requestBody('set', read, 'broadcast'), { body: { type: 'read' } });
  const refused = requestBody('set', { ...add, key: 'k1' }, 'broadcast');
  assert.ok('refused' in refused && /broadcast has no keys/.test(refused.refused));
  assert.deepEqual(completionOf(add, { type: 'broadcast_ok' }, 'broadcast'), { type: 'ok', value: 12 });
  assert.equal(completionOf(add, { type: 'add_ok' }, 'broadcast').type, 'info', 'a reply of another type');
  assert.deepEqual(completionOf(read, { type: 'read_ok', messages: [3, 1] }, 'read'), { type: 'ok', value: [3, 1] });
});

test("txn requests: Maelstrom's micro-ops with integer keys; txn_ok back with faultline's keys and the reads filled in", () => {
  const append = {
    f: 'txn',
    value: [
      ['r', 'k1', null],
      ['append', 'k2', 7],
    ],
  };
  assert.deepEqual(requestBody('list-append', append), {
    body: {
      type: 'txn',
      txn: [
        ['r', 1, null],
        ['append', 2, 7],
      ],
    },
  });
  const rw = {
    f: 'txn',
    value: [
      ['w', 'k0', 3],
      ['r', 'k0', null],
    ],
  };
  assert.deepEqual(requestBody('rw-register', rw), {
    body: {
      type: 'txn',
      txn: [
        ['w', 0, 3],
        ['r', 0, null],
      ],
    },
  });
  assert.deepEqual(
    completionOf(append, {
      type: 'txn_ok',
      txn: [
        ['r', 1, [3, 5]],
        ['append', 2, 7],
      ],
    }),
    {
      type: 'ok',
      value: [
        ['r', 'k1', [3, 5]],
        ['append', 'k2', 7],
      ],
    },
  );
  assert.deepEqual(
    completionOf(rw, {
      type: 'txn_ok',
      txn: [
        ['w', 0, 3],
        ['r', 0, 3],
      ],
    }),
    {
      type: 'ok',
      value: [
        ['w', 'k0', 3],
        ['r', 'k0', 3],
      ],
    },
  );
  // What is not Maelstrom's shape comes back as it came, for the workload's shape check to record as info.
  assert.deepEqual(completionOf(rw, { type: 'txn_ok', txn: [['w', 'x', 3], 'junk'] }), {
    type: 'ok',
    value: [['w', 'x', 3], 'junk'],
  });
  assert.deepEqual(completionOf(rw, { type: 'txn_ok' }), { type: 'ok', value: null });
  assert.ok('refused' in requestBody('list-append', { f: 'read', value: null }));
});

test('txn errors: txn-conflict and temporarily-unavailable definitely did not happen, a crash or a timeout may have', () => {
  const txn = { f: 'txn', value: [['r', 'k1', null]] };
  assert.deepEqual(completionOf(txn, { type: 'error', code: 30, text: 'conflict on k1' }), {
    type: 'fail',
    error: 'error 30 txn-conflict: conflict on k1',
  });
  assert.equal(completionOf(txn, { type: 'error', code: 11 }).type, 'fail');
  assert.equal(completionOf(txn, { type: 'error', code: 13 }).type, 'info');
  assert.equal(timeoutCompletion(txn, 1000).type, 'info', 'even a read-only txn: Maelstrom retries no txn');
  assert.equal(completionOf(txn, { type: 'read_ok', value: 1 }).type, 'info', 'a reply of another type');
});

test("echo requests carry the payload; echo_ok's payload is the completion, whatever it is, for the checker", () => {
  const echo = { f: 'echo', value: 'Please echo 4' };
  assert.deepEqual(requestBody('echo', echo), { body: { type: 'echo', echo: 'Please echo 4' } });
  assert.deepEqual(completionOf(echo, { type: 'echo_ok', echo: 'Please echo 4' }), {
    type: 'ok',
    value: 'Please echo 4',
  });
  assert.deepEqual(completionOf(echo, { type: 'echo_ok', echo: 'Please echo 5' }), {
    type: 'ok',
    value: 'Please echo 5',
  });
  assert.deepEqual(completionOf(echo, { type: 'echo_ok' }), { type: 'ok', value: null });
  assert.equal(timeoutCompletion(echo, 1000).type, 'info');
  assert.ok('refused' in requestBody('echo', { f: 'read', value: null }));
});
