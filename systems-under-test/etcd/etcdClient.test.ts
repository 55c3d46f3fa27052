import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etcdCompletion, etcdKey, etcdRequest } from './etcdClient.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

test('requests carry base64 keys and JSON values', () => {
  assert.equal(etcdKey({ f: 'read', value: null }), 'faultline/register');
  assert.deepEqual(etcdRequest({ f: 'read', key: 'k1', value: null }), {
    path: '/v3/kv/range',
    body: { key: b64('faultline/k1'), serializable: false },
  });
  assert.deepEqual(etcdRequest({ f: 'write', value: '3-41' }), {
    path: '/v3/kv/put',
    body: { key: b64('faultline/register'), value: b64('"3-41"') },
  });
  const cas = etcdRequest({ f: 'cas', value: [1, 2] }).body as { compare: unknown[]; success: unknown[] };
  assert.deepEqual(cas.compare, [
    { key: b64('faultline/register'), target: 'VALUE', result: 'EQUAL', value: b64('1') },
  ]);
  assert.deepEqual(cas.success, [{ request_put: { key: b64('faultline/register'), value: b64('2') } }]);
  const fromNothing = etcdRequest({ f: 'cas', value: [null, 2] }).body as { compare: { target: string }[] };
  assert.equal(fromNothing.compare[0]?.target, 'CREATE');
});

test('replies become completions: reads decode, failed txns fail, write errors are info, read errors fail', () => {
  const read = { f: 'read', value: null };
  assert.deepEqual(etcdCompletion(read, 200, { header: {}, kvs: [{ key: 'x', value: b64('"3-41"') }] }), {
    type: 'ok',
    value: '3-41',
  });
  assert.deepEqual(etcdCompletion(read, 200, { header: {} }), { type: 'ok', value: null });
  assert.deepEqual(etcdCompletion({ f: 'cas', value: [1, 2] }, 200, { header: {}, succeeded: true }), {
    type: 'ok',
    value: [1, 2],
  });
  assert.equal(etcdCompletion({ f: 'cas', value: [1, 2] }, 200, { header: {} }).type, 'fail');
  const timeout = { error: 'etcdserver: request timed out', code: 14, message: 'etcdserver: request timed out' };
  assert.equal(etcdCompletion({ f: 'write', value: 1 }, 503, timeout).type, 'info');
  assert.equal(etcdCompletion({ f: 'cas', value: [1, 2] }, 503, timeout).type, 'info');
  assert.equal(etcdCompletion(read, 503, timeout).type, 'fail');
});
