// Elle's rw-register inference: written values are unique per key, so each read names its writer (wr). The
// version order is only partly known: the initial version comes first, a txn that read v1 and then wrote v2
// puts v1 before v2 (write follows read), and optionally each process (sequential keys) or real time
// (linearizable keys) never goes back to an older version. A key whose inferred order has a cycle is reported
// and its ww and rw edges left out. Sound, but it misses what a list's history would have shown. Lost updates
// (two txns updating the same version) need no version order and are found directly.
import type { Value } from '../history.ts';
import { EdgeList, PROCESS, REALTIME, RW, WR, WW } from './dependencyGraph.ts';
import {
  committed,
  explainOrderEdge,
  unjudgeableInference,
  type Inference,
  type ObservedRead,
  type TxnAnomaly,
} from './inference.ts';
import { showTxn, valueId, type Txn } from './transactions.ts';

export interface RegisterOptions {
  /** Each process observes each key's versions in order (Elle's :sequential-keys?). */
  sequentialKeys?: boolean;
  /** A txn invoked after another completed observes each key at the same or a later version. */
  linearizableKeys?: boolean;
}

interface Write {
  txn: number;
  micro: number;
  value: Value;
  final: boolean;
}

/** An ok txn's read of a key (micro-op `micro`, value `value`) that the txn followed with a write of it. */
interface Update {
  txn: number;
  micro: number;
  value: Value;
}

const INIT = '\u0000init';
const show = (v: Value) => (v === null ? 'the initial value' : JSON.stringify(v));

/** Adds `value` to the list under `key`, made on first use: pushed, not copied (a version may have many readers). */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function inferRwRegister(txns: readonly Txn[], options: RegisterOptions = {}): Inference {
  const anomalies: TxnAnomaly[] = [];
  const edges = new EdgeList();
  const writes = new Map<string, Map<string | number, Write>>();
  let unjudgeable: string | undefined;
  for (const t of txns) {
    const lastWrite = new Map<string, number>();
    t.micro.forEach((m, i) => {
      if (m.f === 'w') lastWrite.set(m.key, i);
    });
    t.micro.forEach((m, i) => {
      if (m.f !== 'w') return;
      if (m.value === null) unjudgeable ??= `T${t.index} writes null to ${m.key}: null stands for the initial value`;
      let kw = writes.get(m.key);
      if (kw === undefined) writes.set(m.key, (kw = new Map<string | number, Write>()));
      const id = valueId(m.value);
      const prior = kw.get(id);
      if (prior !== undefined)
        unjudgeable ??= `${m.key} = ${JSON.stringify(m.value)} is written twice (T${prior.txn} and T${t.index}): rw-register needs unique written values per key`;
      kw.set(id, { txn: t.index, micro: i, value: m.value, final: lastWrite.get(m.key) === i });
    });
  }
  if (unjudgeable !== undefined) return unjudgeableInference(unjudgeable, anomalies, edges);
  /** External reads of ok txns: the writer read from (-1 initial), for the weak levels. */
  const externalReads: { txn: number; micro: number; key: string; from: number }[] = [];

  // Per key: version id -> later version ids (direct inferred order), readers of each version.
  const versionsAfter = new Map<string, Map<string | number, Set<string | number>>>();
  const readers = new Map<string, Map<string | number, number[]>>();
  const before = (key: string, v1: string | number, v2: string | number) => {
    if (v1 === v2) return;
    let m = versionsAfter.get(key);
    if (m === undefined) versionsAfter.set(key, (m = new Map<string | number, Set<string | number>>()));
    let s = m.get(v1);
    if (s === undefined) m.set(v1, (s = new Set()));
    s.add(v2);
  };
  /** What each committed txn observed of each key: its final write, else its external read. */
  const observed: Map<string, string | number>[] = txns.map(() => new Map<string, string | number>());
  /** Per key and value read: the ok txns whose first micro-op on the key read that value, then wrote the key. */
  const updates = new Map<string, Map<string | number, Update[]>>();
  for (const t of txns) {
    const reads = t.status === 'ok';
    /** Per key: the last value read or written, whether the txn wrote it, and its first read (-1: none). */
    const state = new Map<string, { value: Value; own: boolean; firstRead: number }>();
    t.micro.forEach((m, i) => {
      const kw = writes.get(m.key);
      if (m.f === 'w') {
        const s = state.get(m.key);
        // Reads only so far (only an ok txn's are kept): its first write of the key, after reading it.
        if (s !== undefined && !s.own) {
          before(m.key, s.value === null ? INIT : valueId(s.value), valueId(m.value));
          const value = t.micro[s.firstRead]!.value;
          const id = value === null ? INIT : valueId(value);
          let byValue = updates.get(m.key);
          if (byValue === undefined) updates.set(m.key, (byValue = new Map<string | number, Update[]>()));
          pushTo(byValue, id, { txn: t.index, micro: s.firstRead, value });
        }
        state.set(m.key, { value: m.value, own: true, firstRead: -1 });
        if (kw?.get(valueId(m.value))?.final === true) observed[t.index]!.set(m.key, valueId(m.value));
        return;
      }
      if (!reads) return;
      // A read after the txn's own write must see that write; a second read without one may see another
      // txn's write (a non-repeatable read, which read committed allows but read atomic, repeatable read and
      // snapshot isolation do not), so it is reported and then judged as any read.
      const s = state.get(m.key);
      if (s !== undefined && !s.own && valueId(s.value ?? INIT) !== valueId(m.value ?? INIT))
        anomalies.push({
          type: 'non-repeatable-read',
          txns: [t.index],
          key: m.key,
          micro: i,
          explanation: `${showTxn(t)} read ${m.key} = ${show(s.value)}, then ${show(m.value)} at micro-op ${i + 1}, with no write of its own between: another txn's write became visible in between (a non-repeatable read).`,
        });
      if (s !== undefined && s.own) {
        if (valueId(s.value ?? INIT) !== valueId(m.value ?? INIT))
          anomalies.push({
            type: 'internal',
            txns: [t.index],
            key: m.key,
            micro: i,
            explanation: `${showTxn(t)}: micro-op ${i + 1} read ${m.key} = ${show(m.value)}, but the txn had written ${show(s.value)} there before.`,
          });
        return;
      }
      state.set(m.key, { value: m.value, own: false, firstRead: s?.firstRead ?? i });
      const vid = m.value === null ? INIT : valueId(m.value);
      if (!observed[t.index]!.has(m.key)) observed[t.index]!.set(m.key, vid);
      let kr = readers.get(m.key);
      if (kr === undefined) readers.set(m.key, (kr = new Map<string | number, number[]>()));
      if (m.value === null) {
        pushTo(kr, INIT, t.index);
        externalReads.push({ txn: t.index, micro: i, key: m.key, from: -1 });
        return;
      }
      const w = kw?.get(vid);
      if (w === undefined) {
        anomalies.push({
          type: 'thin-air-read',
          txns: [t.index],
          key: m.key,
          element: m.value,
          micro: i,
          explanation: `${showTxn(t)} read ${m.key} = ${show(m.value)}, which no transaction wrote.`,
        });
        // As Elle does, take the value for the version of an unseen writer: it follows the initial value, and
        // a write ordered after it overwrote what its readers read (rw edges). The history is invalid at every
        // level already; the edges let the cycles Elle reports be found too. No wr edge, no weak-level read.
        before(m.key, INIT, vid);
        pushTo(kr, vid, t.index);
        return;
      }
      if (w.txn === t.index) {
        anomalies.push({
          type: 'future-read',
          txns: [t.index],
          key: m.key,
          element: m.value,
          micro: i,
          explanation: `${showTxn(t)} read ${m.key} = ${show(m.value)} at micro-op ${i + 1}, a value it writes only later, at micro-op ${w.micro + 1}.`,
        });
        return;
      }
      const writer = txns[w.txn]!;
      if (writer.status === 'fail') {
        anomalies.push({
          type: 'G1a',
          txns: [t.index, w.txn],
          key: m.key,
          element: m.value,
          micro: i,
          explanation: `${showTxn(t)} read ${m.key} = ${show(m.value)}, written by ${showTxn(writer)}, which aborted (aborted read).`,
        });
        return;
      }
      if (!w.final) {
        anomalies.push({
          type: 'G1b',
          txns: [t.index, w.txn],
          key: m.key,
          element: m.value,
          micro: i,
          explanation: `${showTxn(t)} read ${m.key} = ${show(m.value)}, an intermediate value: ${showTxn(writer)} wrote ${m.key} again before it committed (intermediate read).`,
        });
        return;
      }
      pushTo(kr, vid, t.index);
      edges.add(w.txn, t.index, WR, edges.keyId(m.key));
      externalReads.push({ txn: t.index, micro: i, key: m.key, from: w.txn });
    });
  }

  anomalies.push(...lostUpdates(txns, writes, updates));

  if (options.sequentialKeys === true || options.linearizableKeys === true) {
    const order = new EdgeList();
    if (options.sequentialKeys === true) {
      const last = new Map<number, number>();
      for (const t of [...txns].filter(committed).sort((a, b) => a.op.invokeIndex - b.op.invokeIndex)) {
        const prev = last.get(t.process);
        if (prev !== undefined) order.add(prev, t.index, PROCESS);
        last.set(t.process, t.index);
      }
    }
    if (options.linearizableKeys === true) {
      const done = txns.filter((t) => t.status === 'ok').sort((a, b) => a.op.ret - b.op.ret);
      for (const b of txns.filter(committed))
        for (const a of done) {
          if (a.op.ret >= b.op.call) break;
          order.add(a.index, b.index, REALTIME);
        }
    }
    for (let i = 0; i < order.size; i++) {
      const a = observed[order.from[i]!]!;
      for (const [key, vb] of observed[order.to[i]!]!) {
        const va = a.get(key);
        if (va !== undefined && va !== vb) before(key, va, vb);
      }
    }
  }

  // Every written version follows the initial one.
  for (const [key, kw] of writes)
    for (const w of kw.values()) if (w.final && committed(txns[w.txn]!)) before(key, INIT, valueId(w.value));

  for (const [key, after] of versionsAfter) {
    const keyId = edges.keyId(key);
    const cycle = versionCycle(after);
    if (cycle !== null) {
      // A key may have been only read (its values thin air): then no writer is involved.
      const kw = writes.get(key);
      const involved = [...new Set(cycle.map((v) => kw?.get(v)?.txn).filter((x): x is number => x !== undefined))];
      anomalies.push({
        type: 'cyclic-versions',
        txns: involved,
        key,
        explanation: `The inferred version order of ${key} is cyclic: ${[...cycle, cycle[0]!].map((v) => (v === INIT ? 'the initial value' : JSON.stringify(v))).join(' < ')}; no order of writes explains what was read.`,
      });
      continue;
    }
    const kw = writes.get(key);
    const kr = readers.get(key);
    for (const [v1, laters] of after)
      for (const v2 of laters) {
        const w2 = kw?.get(v2);
        if (w2 === undefined || !committed(txns[w2.txn]!)) continue;
        const w1 = v1 === INIT ? undefined : kw?.get(v1);
        if (w1 !== undefined && committed(txns[w1.txn]!)) edges.add(w1.txn, w2.txn, WW, keyId);
        for (const r of kr?.get(v1) ?? []) edges.add(r, w2.txn, RW, keyId);
      }
  }

  const explainEdge = (list: EdgeList, id: number): string => {
    const a = list.from[id]!;
    const b = list.to[id]!;
    const kind = list.kind[id]!;
    const order = explainOrderEdge(txns, list, id);
    if (order !== undefined) return order;
    const key = list.keys[list.key[id]!]!;
    const wrote = (t: number) => txns[t]!.micro.findLast((m) => m.f === 'w' && m.key === key)?.value ?? null;
    const writesOf = (t: number) =>
      new Set(txns[t]!.micro.filter((m) => m.f === 'w' && m.key === key).map((m) => valueId(m.value)));
    // A txn may read the key more than once: quote the read the edge comes from, not merely the first.
    const readOf = (t: number, from: (value: Value) => boolean) => {
      const reads = txns[t]!.micro.filter((m) => m.f === 'r' && m.key === key);
      return (reads.find((m) => from(m.value)) ?? reads[0])?.value ?? null;
    };
    if (kind === WW)
      return `T${b}'s write of ${key} = ${show(wrote(b))} is a later version than T${a}'s ${show(wrote(a))}`;
    if (kind === WR) {
      const byA = writesOf(a);
      return `T${b} read ${key} = ${show(readOf(b, (v) => byA.has(valueId(v))))}, written by T${a}`;
    }
    if (kind === RW) {
      const byB = writesOf(b);
      const read = readOf(a, (v) => !byB.has(valueId(v)));
      return `T${a} read ${key} = ${show(read)}, which T${b}'s write of ${show(wrote(b))} overwrote`;
    }
    return 'precedes';
  };
  const finalWriters = new Map<string, number[]>();
  for (const [key, kw] of writes)
    finalWriters.set(
      key,
      [...kw.values()].filter((w) => w.final && committed(txns[w.txn]!)).map((w) => w.txn),
    );
  const readsOf = new Map<number, typeof externalReads>();
  for (const r of externalReads) readsOf.set(r.txn, [...(readsOf.get(r.txn) ?? []), r]);
  const forEachRead = (visit: (read: ObservedRead) => void) => {
    for (const r of externalReads)
      visit({
        ...r,
        missed: (finalWriters.get(r.key) ?? []).filter((w) => w !== r.from && w !== r.txn),
        missedAreLater: false,
      });
  };
  const saw = (reader: number, writer: number, beforeMicro: number) =>
    (readsOf.get(reader) ?? []).some((r) => r.micro < beforeMicro && r.from === writer);
  const visibility = (add: (from: number, to: number) => void) => {
    for (const r of externalReads) if (r.from !== -1) add(r.from, r.txn);
    return { extraNodes: 0 };
  };
  return { anomalies, edges, explainEdge, forEachRead, saw, visibility };
}

/**
 * Lost update (Elle's lost-update-cases): two or more ok txns whose first micro-op on a key read it, at the
 * same value, and that then wrote it. Each wrote the key without seeing the other's write, which snapshot
 * isolation and repeatable read forbid, whatever order the writes took. Ok txns only: an info txn's write may
 * not have happened, and its reads are unknown.
 */
function lostUpdates(
  txns: readonly Txn[],
  writes: ReadonlyMap<string, ReadonlyMap<string | number, Write>>,
  updates: ReadonlyMap<string, ReadonlyMap<string | number, readonly Update[]>>,
): TxnAnomaly[] {
  const found: TxnAnomaly[] = [];
  for (const [key, byValue] of updates)
    for (const [id, group] of byValue) {
      if (group.length < 2) continue;
      const value = group[0]!.value;
      const writer = writes.get(key)?.get(id);
      const source =
        value === null ? '' : writer === undefined ? ', which no transaction wrote' : `, written by T${writer.txn}`;
      const wrote = (t: number) => txns[t]!.micro.findLast((m) => m.f === 'w' && m.key === key)!.value;
      found.push({
        type: 'lost-update',
        txns: group.map((u) => u.txn),
        key,
        element: value,
        micro: group[0]!.micro,
        explanation: `${group.map((u) => showTxn(txns[u.txn]!)).join(' and ')} all read ${key} = ${show(value)}${source}, and then wrote ${key} (${group.map((u) => `T${u.txn} ${show(wrote(u.txn))}`).join(', ')}): all committed, so each made its update without seeing the other's (lost update).`,
      });
    }
  return found;
}

/** A cycle among one key's versions, or null (iterative DFS). */
function versionCycle(after: Map<string | number, Set<string | number>>): (string | number)[] | null {
  const state = new Map<string | number, number>();
  for (const root of after.keys()) {
    if (state.has(root)) continue;
    const stack: [string | number, Iterator<string | number>][] = [[root, (after.get(root) ?? new Set()).values()]];
    const path: (string | number)[] = [root];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].next();
      if (next.done === true) {
        state.set(top[0], 2);
        stack.pop();
        path.pop();
        continue;
      }
      const w = next.value;
      const s = state.get(w);
      if (s === 1) return path.slice(path.indexOf(w));
      if (s === undefined) {
        state.set(w, 1);
        path.push(w);
        stack.push([w, (after.get(w) ?? new Set()).values()]);
      }
    }
  }
  return null;
}
