import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findHistoryProblems, pairOperations, type HistoryOp } from '../../checkers/history.ts';
import type { RecordInput } from '../history/recorder.ts';
import type { Client, ClientOp, Completion, NodeInfo } from '../plugin.ts';
import { ClientAdapterError, ClientPool, failBackoffMs } from './clientPool.ts';
import { getWorkload } from '../workloads/index.ts';

const nodes: NodeInfo[] = [
  { name: 'n1', address: '127.0.0.1' },
  { name: 'n2', address: '127.0.0.1' },
];

function memoryRecorder(): { ops: HistoryOp[]; record(input: RecordInput): void } {
  const ops: HistoryOp[] = [];
  const origin = process.hrtime.bigint();
  return {
    ops,
    record(input) {
      ops.push({ ...input, index: ops.length, time: Number(process.hrtime.bigint() - origin) });
    },
  };
}

function registerClient(
  state: { value: number | null },
  behave: (op: ClientOp) => Completion | 'hang' | 'throw' | null,
): Client {
  return {
    async invoke(op, signal) {
      await new Promise((r) => setImmediate(r));
      const b = behave(op);
      if (b === 'throw') throw new Error('connection reset');
      if (b === 'hang')
        return new Promise<Completion>((_, reject) => {
          signal.addEventListener('abort', () => {
            reject(new Error('aborted'));
          });
        });
      if (b !== null) return b;
      if (op.f === 'write') {
        state.value = op.value as number;
        return { type: 'ok', value: op.value };
      }
      return { type: 'ok', value: state.value };
    },
    close: () => Promise.resolve(),
  };
}

function counterOps(): (p: number) => ClientOp {
  let n = 0;
  return () => (++n % 2 === 0 ? { f: 'read', value: null } : { f: 'write', value: n });
}

test('workers record well-formed pairs; info retires the process for a fresh one', async () => {
  const rec = memoryRecorder();
  let calls = 0;
  const opened: number[] = [];
  const state = { value: null as number | null };
  const pool = new ClientPool({
    concurrency: 4,
    nodes,
    timeoutMs: 50,
    record: (i) => {
      rec.record(i);
    },
    openClient: (node) => {
      opened.push(Number(node.name.slice(1)));
      return Promise.resolve(
        registerClient(state, (op) => {
          calls++;
          if (calls % 17 === 0) return 'throw';
          if (calls % 23 === 0) return 'hang';
          if (calls % 11 === 0) return { type: 'fail', error: 'not leader' };
          if (calls % 29 === 0 && op.f === 'read') return { type: 'bogus' } as unknown as Completion;
          return null;
        }),
      );
    },
  });
  const stop = new AbortController();
  setTimeout(() => {
    stop.abort();
  }, 400);
  await pool.run(counterOps(), stop.signal);
  await pool.close();
  assert.deepEqual(findHistoryProblems(rec.ops), []);
  const ops = pairOperations(rec.ops);
  assert.ok(ops.length > 50, `only ${ops.length} ops`);
  assert.ok(
    ops.every((o) => o.status !== 'info' || o.completeIndex !== null),
    'every op completed',
  );
  const infos = ops.filter((o) => o.status === 'info');
  assert.ok(
    infos.some((o) => o.error === 'timeout'),
    'a hung op became info: timeout',
  );
  assert.ok(
    infos.some((o) => o.error === 'indeterminate: connection reset'),
    'a thrown op became info',
  );
  assert.ok(
    ops.some((o) => o.status === 'fail' && o.error === 'not leader'),
    'definite failures stay fail',
  );
  assert.ok(pool.counts.pluginErrors > 0, 'a bogus completion counts as a plugin error');
  // Every info retired its process: processes beyond the slot count appear.
  assert.ok(Math.max(...ops.map((o) => o.process)) >= 4);
  // A fresh client per retired process, except for slots whose last op (at the stop) was info.
  assert.ok(
    opened.length >= infos.length && opened.length <= 4 + infos.length,
    `${opened.length} opens, ${infos.length} infos`,
  );
  assert.equal(pool.counts.ok + pool.counts.fail + pool.counts.info, ops.length);
});

test('a client that ignores the abort signal still times out', async () => {
  const rec = memoryRecorder();
  const pool = new ClientPool({
    concurrency: 1,
    nodes,
    timeoutMs: 30,
    record: (i) => {
      rec.record(i);
    },
    openClient: () =>
      Promise.resolve({ invoke: () => new Promise<Completion>(() => undefined), close: () => Promise.resolve() }),
  });
  const stop = new AbortController();
  setTimeout(() => {
    stop.abort();
  }, 100);
  const started = Date.now();
  await pool.run(() => ({ f: 'read', value: null }), stop.signal);
  assert.ok(Date.now() - started < 1000);
  assert.ok(rec.ops.filter((o) => o.type === 'info' && o.error === 'timeout').length >= 2);
  assert.deepEqual(findHistoryProblems(rec.ops), []);
});

test('rate limits the total op rate', async () => {
  const rec = memoryRecorder();
  const state = { value: null as number | null };
  const pool = new ClientPool({
    concurrency: 5,
    nodes,
    timeoutMs: 1000,
    rate: 100,
    record: (i) => {
      rec.record(i);
    },
    openClient: () => Promise.resolve(registerClient(state, () => null)),
  });
  const stop = new AbortController();
  setTimeout(() => {
    stop.abort();
  }, 500);
  await pool.run(counterOps(), stop.signal);
  const n = pairOperations(rec.ops).length;
  assert.ok(n >= 20 && n <= 90, `${n} ops in 0.5 s at 100/s`);
});

test('final reads retry until ok on every worker', async () => {
  const rec = memoryRecorder();
  let failures = 3;
  const pool = new ClientPool({
    concurrency: 2,
    nodes,
    timeoutMs: 1000,
    record: (i) => {
      rec.record(i);
    },
    openClient: () =>
      Promise.resolve(
        registerClient({ value: 5 }, () => (failures-- > 0 ? { type: 'fail', error: 'no quorum' } : null)),
      ),
  });
  await pool.finalReads([{ f: 'read', key: 'k0', value: null }], new AbortController().signal);
  const ok = pairOperations(rec.ops).filter((o) => o.status === 'ok');
  assert.equal(ok.length, 2);
  assert.ok(ok.every((o) => o.output === 5 && o.key === 'k0'));
});

test('the backoff after consecutive definite failures doubles from 10 ms to at most 500 ms', () => {
  assert.deepEqual([0, 1, 2, 3, 6, 7, 8, 50].map(failBackoffMs), [0, 10, 20, 40, 320, 500, 500, 500]);
});

test('a completion JSON cannot hold is recorded as info, stops every worker and rejects naming the op', async () => {
  const rec = memoryRecorder();
  const pool = new ClientPool({
    concurrency: 3,
    nodes,
    timeoutMs: 1000,
    record: (i) => {
      rec.record(i);
    },
    openClient: () =>
      Promise.resolve(
        registerClient({ value: null }, (op) =>
          op.f === 'read' ? { type: 'ok', value: 1n as unknown as number } : null,
        ),
      ),
  });
  const stop = new AbortController();
  await assert.rejects(pool.run(counterOps(), stop.signal), (e: unknown) => {
    assert.ok(e instanceof ClientAdapterError);
    assert.match(
      e.message,
      /process \d+ on n[12], op read: the client adapter's completion cannot be written as JSON: .*BigInt/,
    );
    return true;
  });
  assert.ok(!stop.signal.aborted, 'the pool stopped on its own');
  assert.deepEqual(findHistoryProblems(rec.ops), []);
  assert.ok(rec.ops.some((o) => o.type === 'info' && o.error?.includes('cannot be written as JSON') === true));
});

test('a client() that never opens fails the pool under hookTimeoutMs, named', async () => {
  const pool = new ClientPool({
    concurrency: 2,
    nodes,
    timeoutMs: 1000,
    hookTimeoutMs: 50,
    systemName: 'hangs',
    record: () => undefined,
    openClient: () => new Promise<Client>(() => undefined),
  });
  await assert.rejects(
    pool.run(counterOps(), new AbortController().signal),
    /hangs: client\(\) on n[12] did not finish within 0.05 s/,
  );
});

test('a client() that refuses to open is said to the user once with its reason, and logged at every retry', async () => {
  const logged: string[] = [];
  const warned: string[] = [];
  const pool = new ClientPool({
    concurrency: 2,
    nodes,
    timeoutMs: 1000,
    record: () => undefined,
    openClient: () => Promise.reject(new Error('the set workload needs keys: 1')),
    log: (m) => logged.push(m),
    warn: (m) => warned.push(m),
  });
  const stop = new AbortController();
  setTimeout(() => {
    stop.abort();
  }, 600);
  await pool.run(counterOps(), stop.signal);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(
    warned[0]!,
    /^client for process [01] on n[12] could not open: the set workload needs keys: 1 \(retried every 250 ms; further failures in harness\.log\)$/,
  );
  // Two processes, each retried after 250 ms within the 600 ms: more than one failure, every one logged.
  assert.ok(logged.length >= 3, logged.join('\n'));
  assert.ok(logged.every((m) => m.includes('could not open: the set workload needs keys: 1')));
});

test('an ok completion of the wrong shape for the workload is recorded as info with why, counted, never coerced', async () => {
  const rec = memoryRecorder();
  const register = getWorkload('register')!;
  let n = 0;
  const pool = new ClientPool({
    concurrency: 2,
    nodes,
    timeoutMs: 1000,
    checkCompletion: register.checkCompletion,
    record: (i) => {
      rec.record(i);
    },
    // Every third read answers the integer as a string, as a driver returning text would.
    openClient: () =>
      Promise.resolve({
        invoke: (op: ClientOp) =>
          Promise.resolve<Completion>(
            op.f === 'read' ? { type: 'ok', value: ++n % 3 === 0 ? '5' : 5 } : { type: 'ok', value: op.value },
          ),
        close: () => Promise.resolve(),
      }),
  });
  const stop = new AbortController();
  const ops = [
    { f: 'read', value: null },
    { f: 'write', value: 5 },
  ] as const;
  let i = 0;
  setTimeout(() => {
    stop.abort();
  }, 100);
  await pool.run(() => ops[i++ % 2]!, stop.signal);
  assert.deepEqual(findHistoryProblems(rec.ops), []);
  const paired = pairOperations(rec.ops);
  const wrong = paired.filter((o) => o.error?.startsWith('completion of the wrong shape') === true);
  assert.ok(wrong.length > 0);
  assert.equal(pool.counts.wrongShape, wrong.length);
  assert.equal(pool.counts.firstWrongShape, 'read returned a string ("5"), expected an integer or null');
  for (const o of wrong) {
    assert.equal(o.status, 'info');
    assert.equal(o.f, 'read');
    assert.equal(o.output, null, 'the string is not recorded as if it were a read value');
  }
  // The well-formed reads are ok with their integer.
  assert.ok(paired.some((o) => o.f === 'read' && o.status === 'ok' && o.output === 5));
  assert.equal(paired.filter((o) => o.status === 'ok' && typeof o.output === 'string').length, 0);
});

test('the node that served an op is recorded on its completion beside the bound node; a name outside the cluster is not', async () => {
  const rec = memoryRecorder();
  const logs: string[] = [];
  const pool = new ClientPool({
    concurrency: 2,
    nodes,
    timeoutMs: 1000,
    record: (i) => {
      rec.record(i);
    },
    log: (m) => logs.push(m),
    // Slot 0 is bound to n1 and forwards to n2; slot 1 (n2) names a node that does not exist.
    openClient: (node) =>
      Promise.resolve({
        invoke: () =>
          Promise.resolve<Completion>({ type: 'ok', value: null, servedBy: node.name === 'n1' ? 'n2' : 'n9' }),
        close: () => Promise.resolve(),
      }),
  });
  const stop = new AbortController();
  setTimeout(() => {
    stop.abort();
  }, 50);
  await pool.run(() => ({ f: 'read', value: null }), stop.signal);
  const completions = rec.ops.filter((o) => o.type !== 'invoke');
  const atN1 = completions.filter((o) => o.node === 'n1');
  const atN2 = completions.filter((o) => o.node === 'n2');
  assert.ok(atN1.length > 0 && atN2.length > 0);
  assert.ok(atN1.every((o) => o.servedBy === 'n2' && o.type === 'ok'));
  assert.ok(
    atN2.every((o) => o.servedBy === undefined && o.type === 'ok'),
    'an unknown name is left out',
  );
  assert.ok(rec.ops.filter((o) => o.type === 'invoke').every((o) => o.servedBy === undefined));
  assert.ok(logs.some((m) => m.includes('servedBy "n9" names no node of the cluster')));
  assert.equal(pairOperations(rec.ops).find((o) => o.node === 'n1')?.servedBy, 'n2');
});
