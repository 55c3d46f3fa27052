// read / write / cas against etcd's v3 JSON gateway (grpc-gateway: /v3/kv/range, /v3/kv/put, /v3/kv/txn),
// keys and values base64-encoded. Values are stored as JSON text so numbers and strings round-trip.
// Outcome rules: an error on a read is a fail (a read changes nothing); an error on a write or cas after
// the request was sent is info, because etcd's errors ("request timed out", "leader changed") do not say
// whether the proposal was committed.
import type { Client, ClientOp, Completion, Value } from '../../harness/plugin.ts';
import { completionFromReply, requestJson } from '../common/index.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** The etcd key for an op: the register workload (no key) uses one fixed key. */
export function etcdKey(op: ClientOp): string {
  return `faultline/${op.key ?? 'register'}`;
}

interface EtcdError {
  error?: string;
  message?: string;
  code?: number;
}

function errorOf(status: number, body: unknown): string | undefined {
  if (status === 200) return undefined;
  const error = (body ?? {}) as EtcdError;
  return `etcd HTTP ${status}: ${error.message ?? error.error ?? JSON.stringify(body)}`;
}

/** Builds the request for an op: path and JSON body. */
export function etcdRequest(op: ClientOp): { path: string; body: unknown } {
  const key = b64(etcdKey(op));
  switch (op.f) {
    case 'read':
      return { path: '/v3/kv/range', body: { key, serializable: false } };
    case 'write':
      return { path: '/v3/kv/put', body: { key, value: b64(JSON.stringify(op.value)) } };
    case 'cas': {
      const [from, to] = op.value as [Value, Value];
      // "Never written" is a create_revision of 0; a value compare on a missing key is false.
      const compare =
        from === null
          ? { key, target: 'CREATE', result: 'EQUAL', create_revision: '0' }
          : { key, target: 'VALUE', result: 'EQUAL', value: b64(JSON.stringify(from)) };
      return {
        path: '/v3/kv/txn',
        body: { compare: [compare], success: [{ request_put: { key, value: b64(JSON.stringify(to)) } }] },
      };
    }
    default:
      throw new Error(`etcd adapter: unsupported f ${op.f} (read, write, cas)`);
  }
}

/** Reads etcd's reply to an op as a completion. */
export function etcdCompletion(op: ClientOp, status: number, body: unknown): Completion {
  const error = errorOf(status, body);
  if (error !== undefined) return op.f === 'read' ? { type: 'fail', error } : { type: 'info', error };
  switch (op.f) {
    case 'read': {
      const kvs = (body as { kvs?: { value?: string }[] }).kvs;
      const stored = kvs?.[0]?.value;
      // An absent value field is an empty value, which we never write.
      return { type: 'ok', value: stored === undefined ? null : (JSON.parse(unb64(stored)) as Value) };
    }
    case 'write':
      return { type: 'ok', value: op.value };
    case 'cas':
      // grpc-gateway omits false booleans.
      return (body as { succeeded?: boolean }).succeeded === true
        ? { type: 'ok', value: op.value }
        : { type: 'fail', error: 'cas mismatch' };
    default:
      return { type: 'fail', error: `unsupported f ${op.f}` };
  }
}

export function etcdClient(baseUrl: string): Client {
  return {
    async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
      if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') {
        return { type: 'fail', error: `etcd adapter: unsupported f ${op.f} (read, write, cas)` };
      }
      const request = etcdRequest(op);
      const reply = await requestJson(baseUrl + request.path, request.body, { signal, timeoutMs: 30_000 });
      const completion = completionFromReply(reply, (status, body) => etcdCompletion(op, status, body));
      // A read that got no answer changed nothing either.
      return op.f === 'read' && completion.type === 'info' ? { type: 'fail', error: completion.error } : completion;
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
