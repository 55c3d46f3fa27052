// faultline's workload ops as Maelstrom request bodies, and Maelstrom replies as completions, with Maelstrom's
// error semantics (doc/protocol.md, src/maelstrom/client.clj): a definite error means the op did not happen
// (fail), anything else may have happened (info), except that a read changes nothing, so a read that errs or
// times out is always fail (Maelstrom's clients treat reads as idempotent the same way).
import type { ClientOp, Completion, Value } from '../../harness/plugin.ts';
import type { MessageBody } from './maelstromNetwork.ts';

/** faultline workload → the Maelstrom workload whose node protocol serves it. */
export const maelstromWorkloadFor: Readonly<Record<string, string>> = {
  register: 'lin-kv',
  'key-value': 'lin-kv',
  set: 'g-set',
  counter: 'g-counter / pn-counter',
  'unique-ids': 'unique-ids',
  'list-append': 'txn-list-append',
  'rw-register': 'txn-rw-register',
  echo: 'echo',
};

/**
 * The protocol a client speaks: its workload's, except that the set workload may speak broadcast (option
 * setProtocol), whose reads return `messages`.
 */
export function protocolFor(workload: string, setProtocol: 'g-set' | 'broadcast'): string {
  return workload === 'set' && setProtocol === 'broadcast' ? 'broadcast' : (maelstromWorkloadFor[workload] ?? workload);
}

/** Maelstrom's defined error codes (protocol.md's table; 20-22 are lin-kv's, 30 the txn workloads'). */
export const maelstromErrors: Readonly<Record<number, { name: string; definite: boolean }>> = {
  0: { name: 'timeout', definite: false },
  1: { name: 'node-not-found', definite: true },
  10: { name: 'not-supported', definite: true },
  11: { name: 'temporarily-unavailable', definite: true },
  12: { name: 'malformed-request', definite: true },
  13: { name: 'crash', definite: false },
  14: { name: 'abort', definite: true },
  20: { name: 'key-does-not-exist', definite: true },
  21: { name: 'key-already-exists', definite: true },
  22: { name: 'precondition-failed', definite: true },
  30: { name: 'txn-conflict', definite: true },
};

const keyDoesNotExist = 20;

/** Throws at client() for a workload no Maelstrom protocol here serves, naming the ones that are. */
export function checkSupportedWorkload(workload: string): void {
  if (Object.hasOwn(maelstromWorkloadFor, workload)) return;
  const supported = Object.entries(maelstromWorkloadFor)
    .map(([w, m]) => `${w} (as ${m})`)
    .join(', ');
  throw new Error(`maelstrom: the ${workload} workload has no Maelstrom mapping yet; supported: ${supported}`);
}

/**
 * Keys: Maelstrom's own lin-kv and txn workloads use integer keys, and nodes written for them may assume them,
 * so faultline's k3 is sent as 3 (a register is key 0). A key of another form is sent as given.
 */
export function maelstromKey(key: string | undefined): Value {
  if (key === undefined) return 0;
  const m = /^k(\d+)$/.exec(key);
  return m === null ? key : Number(m[1]);
}

/** A key in a reply, back as faultline names it: 3 is k3; anything else is kept for the shape check to judge. */
export function faultlineKey(key: Value): Value {
  return typeof key === 'number' && Number.isInteger(key) && key >= 0 ? `k${key}` : key;
}

/** Each micro-op [f, key, value] of a txn with its key mapped (maelstromKey or faultlineKey); others as given. */
function mapTxnKeys(txn: Value, mapKey: (key: Value) => Value): Value {
  if (!Array.isArray(txn)) return txn;
  return txn.map((micro) =>
    Array.isArray(micro) && micro.length === 3 ? [micro[0]!, mapKey(micro[1]!), micro[2]!] : micro,
  );
}

/**
 * The request body for an op (without msg_id), or why it cannot be sent (a definite fail). `protocol` is the
 * client's (protocolFor), `workload` the faultline workload it serves.
 */
export function requestBody(
  workload: string,
  op: ClientOp,
  protocol = maelstromWorkloadFor[workload],
): { body: MessageBody } | { refused: string } {
  switch (protocol) {
    case 'lin-kv': {
      const key = maelstromKey(op.key);
      if (op.f === 'read') return { body: { type: 'read', key } };
      if (op.f === 'write') return { body: { type: 'write', key, value: op.value } };
      if (op.f === 'cas' && Array.isArray(op.value) && op.value.length === 2)
        return { body: { type: 'cas', key, from: op.value[0], to: op.value[1] } };
      break;
    }
    case 'g-set':
    case 'g-counter / pn-counter': {
      // Maelstrom's g-set and counters hold one set or counter per cluster: no keys to spread over.
      if (op.key !== undefined && op.key !== 'k0')
        return { refused: `Maelstrom's ${workload === 'set' ? 'g-set' : 'counters'} have no keys: set keys: 1` };
      if (op.f === 'read') return { body: { type: 'read' } };
      if (op.f === 'add')
        return { body: workload === 'set' ? { type: 'add', element: op.value } : { type: 'add', delta: op.value } };
      break;
    }
    case 'broadcast':
      // One broadcast set per cluster, as g-set.
      if (op.key !== undefined && op.key !== 'k0') return { refused: "Maelstrom's broadcast has no keys: set keys: 1" };
      if (op.f === 'add') return { body: { type: 'broadcast', message: op.value } };
      if (op.f === 'read') return { body: { type: 'read' } };
      break;
    case 'unique-ids':
      if (op.f === 'generate') return { body: { type: 'generate' } };
      break;
    case 'txn-list-append':
    case 'txn-rw-register':
      // The micro-ops are Maelstrom's own (["r", k, null], ["append" or "w", k, v]); only keys change.
      if (op.f === 'txn' && Array.isArray(op.value))
        return {
          body: { type: 'txn', txn: mapTxnKeys(op.value, (k) => (typeof k === 'string' ? maelstromKey(k) : k)) },
        };
      break;
    case 'echo':
      if (op.f === 'echo') return { body: { type: 'echo', echo: op.value } };
      break;
    case undefined:
    default:
      break;
  }
  return { refused: `maelstrom: no request for ${op.f} in the ${workload} workload` };
}

/** The completion of an op from its reply body. */
export function completionOf(op: ClientOp, reply: MessageBody, requestType: string = op.f): Completion {
  if (reply.type === 'error') return errorCompletion(op, reply);
  const expected = `${requestType}_ok`;
  if (reply.type !== expected) {
    const error = `expected a ${expected} reply, got ${reply.type}`;
    return op.f === 'read' ? { type: 'fail', error } : { type: 'info', error };
  }
  // A broadcast read answers `messages`; every other read `value`.
  if (op.f === 'read') return { type: 'ok', value: (reply['value'] ?? reply['messages'] ?? null) as Value };
  // generate_ok carries the new id (anything of another shape is the workload's contract to judge).
  if (op.f === 'generate') return { type: 'ok', value: (reply['id'] ?? null) as Value };
  // txn_ok carries the txn with its reads filled in; a reply of another shape is the workload's to judge.
  if (op.f === 'txn') return { type: 'ok', value: mapTxnKeys((reply['txn'] ?? null) as Value, faultlineKey) };
  // echo_ok carries the payload back: whether it is the one sent is the echo checker's to judge.
  if (op.f === 'echo') return { type: 'ok', value: (reply['echo'] ?? null) as Value };
  return { type: 'ok', value: op.value };
}

function errorCompletion(op: ClientOp, reply: MessageBody): Completion {
  const code = typeof reply['code'] === 'number' ? reply['code'] : undefined;
  const known = code === undefined ? undefined : maelstromErrors[code];
  const text = typeof reply['text'] === 'string' && reply['text'] !== '' ? `: ${reply['text']}` : '';
  const error = `error ${code ?? '(no code)'} ${known?.name ?? 'unknown'}${text}`;
  // The node says the key holds nothing: exactly what a read of a never-written register returns.
  if (op.f === 'read' && code === keyDoesNotExist) return { type: 'ok', value: null };
  if (op.f === 'read' || known?.definite === true) return { type: 'fail', error };
  return { type: 'info', error };
}

/** The completion of an op that got no reply in time. */
export function timeoutCompletion(op: ClientOp, afterMs: number): Completion {
  const error = `no reply within ${afterMs} ms (Maelstrom error 0, timeout: indefinite)`;
  return op.f === 'read' ? { type: 'fail', error } : { type: 'info', error };
}
