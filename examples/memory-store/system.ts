// memory-store: the workload contracts of docs/workloads.md as a runnable adapter. Every workload's ops are
// applied to one in-memory store inside the harness process, each op whole and at once, so every history is
// linearizable (and strictly serializable for the transactional workloads). The nodes run nothing: this
// system is about what a client receives and what it must answer, not about a server.
//
// Option `stringReadsEvery: N` answers every Nth read with its value as JSON text ("5" for 5), as a driver
// that returns text would: faultline records those completions as info, with the reason, and counts them.
import { defineSystem, type Client, type ClientOp, type Completion, type Value } from 'faultline/plugin';

/** Per key: a register's value, a set's elements, a counter's sum or a list, by workload. */
let store = new Map<string, Value>();

/** Ids handed out so far (the unique-ids workload). */
let issuedIds = 0;

function readRegister(key: string): Value {
  return store.get(key) ?? null;
}

/** One op of the register, key-value, set, counter, unique-ids or echo workload, applied at once. */
function apply(workload: string, op: ClientOp): Completion {
  const key = op.key ?? 'register';
  switch (`${workload}:${op.f}`) {
    case 'register:read':
    case 'key-value:read':
      return { type: 'ok', value: readRegister(key) };
    case 'register:write':
    case 'key-value:write':
      store.set(key, op.value);
      return { type: 'ok', value: op.value };
    case 'register:cas':
    case 'key-value:cas': {
      const [from, to] = op.value as [Value, Value];
      if (readRegister(key) !== from) return { type: 'fail', error: `expected ${String(from)}` };
      store.set(key, to);
      return { type: 'ok', value: op.value };
    }
    case 'set:add':
      store.set(key, [...((store.get(key) as number[] | undefined) ?? []), op.value as number]);
      return { type: 'ok', value: op.value };
    case 'set:read':
      // Every element added so far; a key never added to reads as the empty set.
      return { type: 'ok', value: [...((store.get(key) as number[] | undefined) ?? [])].sort((a, b) => a - b) };
    case 'counter:add':
      store.set(key, ((store.get(key) as number | undefined) ?? 0) + (op.value as number));
      return { type: 'ok', value: op.value };
    case 'counter:read':
      return { type: 'ok', value: (store.get(key) as number | undefined) ?? 0 };
    case 'unique-ids:generate':
      // One counter for the whole store: each id is handed out once.
      return { type: 'ok', value: `id-${++issuedIds}` };
    case 'echo:echo':
      return { type: 'ok', value: op.value };
    default:
      return { type: 'fail', error: `memory-store has no ${op.f} for ${workload}` };
  }
}

/** A list-append or rw-register txn, applied whole: the txn as invoked, with each read's value filled in. */
function applyTxn(txn: readonly Value[]): Completion {
  const done: Value[] = [];
  for (const micro of txn) {
    const [f, key, v] = micro as [string, string, Value];
    if (f === 'r') {
      const current = store.get(key);
      // A list is copied: later appends must not change what this read returned.
      done.push([f, key, Array.isArray(current) ? [...current] : (current ?? null)]);
    } else if (f === 'append') {
      store.set(key, [...((store.get(key) as Value[] | undefined) ?? []), v]);
      done.push([f, key, v]);
    } else if (f === 'w') {
      store.set(key, v);
      done.push([f, key, v]);
    } else return { type: 'fail', error: `unknown micro-op ${f}` };
  }
  return { type: 'ok', value: done };
}

let reads = 0;

export default defineSystem({
  name: 'memory-store',
  description: 'every workload on one in-memory store in the harness process (docs/workloads.md, by example)',
  guarantees: ['linearizable', 'strict-serializable'],
  install(ctx) {
    // Once per run, not once per node: the nodes share the one store.
    if (ctx.node.name === ctx.nodes[0]?.name) {
      store = new Map();
      reads = 0;
      issuedIds = 0;
    }
    return Promise.resolve();
  },
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
  kill: () => Promise.resolve(),
  pause: () => Promise.resolve(),
  resume: () => Promise.resolve(),
  client({ node, options, workload }): Promise<Client> {
    // faultline says which workload this client serves; the ops alone do not tell a set's add from a counter's.
    const name = workload?.name;
    if (name === undefined) return Promise.reject(new Error('memory-store needs to be told its workload'));
    const every = typeof options.stringReadsEvery === 'number' ? options.stringReadsEvery : 0;
    return Promise.resolve({
      invoke(op) {
        const completion = op.f === 'txn' ? applyTxn(op.value as Value[]) : apply(name, op);
        if (completion.type === 'ok' && op.f === 'read' && every > 0 && ++reads % every === 0)
          return Promise.resolve({ ...completion, value: JSON.stringify(completion.value), servedBy: node.name });
        // Every op is performed by the store the client's node fronts: that node served it.
        return Promise.resolve({ ...completion, servedBy: node.name });
      },
      close: () => Promise.resolve(),
    });
  },
});
