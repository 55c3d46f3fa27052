// One file, over 400 lines: the inference is one function; its version orders, anomalies, edges and edge
// explanations all read the per-key state it builds as it goes.
// Elle's list-append inference (Kingsbury & Alvaro, VLDB 2020, and checking.md §5.1): every appended element
// is unique per key, so each read list reveals a prefix of the key's version order. From the reads come the
// non-cycle anomalies and the ww, wr and rw edges. An ok txn's append that nobody observed still happened:
// it follows every observed element. An info txn's append counts only once a read observes it.
import type { Value } from '../history.ts';
import { EdgeList, RW, WR, WW } from './dependencyGraph.ts';
import {
  committed,
  explainOrderEdge,
  unjudgeableInference,
  type Inference,
  type ObservedRead,
  type TxnAnomaly,
} from './inference.ts';
import { showTxn, valueId, type Txn } from './transactions.ts';

interface Append {
  txn: number;
  micro: number;
  value: Value;
  /** The txn appends nothing more to this key after this element. */
  last: boolean;
  /** Index in the key's version order; -1 when no read observed it. */
  pos: number;
}

interface Read {
  txn: number;
  micro: number;
  list: Value[];
  /** Length of the prefix before the reader's own first element: what it read from others. */
  ext: number;
  /** A prefix of the key's version order (set in pass 2). */
  compatible: boolean;
  /** The txn's first micro-op on this key, and the txn appends to it later: a lost update if another did too. */
  readThenAppend: boolean;
}

export interface KeyVersions {
  appends: Map<string | number, Append>;
  reads: Read[];
  /** The longest read: the key's version order as far as it was observed. */
  order: Value[];
  /** Ok txns whose append to this key no read observed, in history order. */
  unobserved: number[];
}

const show = (v: Value) => JSON.stringify(v);
const posOf = (kv: KeyVersions, v: Value) => kv.appends.get(valueId(v))?.pos ?? -1;
const showList = (l: readonly Value[]) => `[${l.map(show).join(' ')}]`;

/** The position of the first element of `list` equal to an earlier one, or -1. */
function firstRepeat(list: readonly Value[]): number {
  if (list.length < 2) return -1;
  const seen = new Set<string | number>();
  for (let at = 0; at < list.length; at++) {
    const id = valueId(list[at]!);
    if (seen.has(id)) return at;
    seen.add(id);
  }
  return -1;
}

/**
 * The first element of `list` that its appender appended before an element shown ahead of it (a txn's appends
 * out of their own order), with that earlier-shown element; undefined when there is none.
 */
function appendOrderSwap(
  list: readonly Value[],
  appends: ReadonlyMap<string | number, Append>,
): { at: number; element: Value; before: Value; txn: number } | undefined {
  let lastMicro: Map<number, { micro: number; value: Value }> | undefined;
  let previousTxn = -1;
  let previous: { micro: number; value: Value } | undefined;
  for (let at = 0; at < list.length; at++) {
    const e = list[at]!;
    const a = appends.get(valueId(e));
    if (a === undefined) continue;
    // Most neighbours come from different txns: a map only once a txn shows up again after another.
    let before: { micro: number; value: Value } | undefined;
    if (a.txn === previousTxn) before = previous;
    else if (lastMicro !== undefined) before = lastMicro.get(a.txn);
    if (before !== undefined && before.micro > a.micro) return { at, element: e, before: before.value, txn: a.txn };
    const mine = { micro: a.micro, value: e };
    if (previousTxn !== -1 && previousTxn !== a.txn && previous !== undefined)
      (lastMicro ??= new Map()).set(previousTxn, previous);
    previousTxn = a.txn;
    previous = mine;
  }
  return undefined;
}

export function inferListAppend(txns: readonly Txn[]): Inference & { keys: Map<string, KeyVersions> } {
  const anomalies: TxnAnomaly[] = [];
  // About six data edges per txn, plus process and realtime edges added later.
  const edges = new EdgeList(txns.length * 16);
  const keys = new Map<string, KeyVersions>();
  const keyOf = (k: string) => {
    let kv = keys.get(k);
    if (kv === undefined) keys.set(k, (kv = { appends: new Map(), reads: [], order: [], unobserved: [] }));
    return kv;
  };
  let unjudgeable: string | undefined;

  // Pass 1: appends (unique), reads of ok txns, and what each txn says about itself (internal, future read).
  // Txns are short, so scans over the txn's micro-ops replace per-txn maps (a million txns, little garbage).
  for (const t of txns) {
    const micro = t.micro;
    for (let i = 0; i < micro.length; i++) {
      const m = micro[i]!;
      const kv = keyOf(m.key);
      if (m.f === 'append') {
        const id = valueId(m.value);
        const prior = kv.appends.get(id);
        if (prior !== undefined) {
          unjudgeable ??= `${show(m.value)} is appended to ${m.key} twice (T${prior.txn} and T${t.index}): list-append needs unique elements per key`;
          continue;
        }
        let last = true;
        for (let j = i + 1; j < micro.length && last; j++)
          if (micro[j]!.f === 'append' && micro[j]!.key === m.key) last = false;
        kv.appends.set(id, { txn: t.index, micro: i, value: m.value, last, pos: -1 });
        continue;
      }
      if (m.f !== 'r' || t.status !== 'ok') continue;
      if (m.value !== null && !Array.isArray(m.value)) {
        unjudgeable ??= `T${t.index} (op ${t.op.invokeIndex}) read ${m.key} = ${show(m.value)}, not a list: is this an rw-register history?`;
        continue;
      }
      const list = m.value ?? [];
      // What this txn's own earlier micro-ops say the read must return: the last earlier read of the key
      // plus the appends after it, or (no earlier read) a list ending with every earlier append.
      let lastRead = -1;
      let ownBefore = 0;
      let ownAnywhere = false;
      for (let j = 0; j < micro.length; j++) {
        const x = micro[j]!;
        if (x.key !== m.key) continue;
        if (x.f === 'append') {
          ownAnywhere = true;
          if (j < i) ownBefore++;
        } else if (j < i && x.f === 'r') lastRead = j;
      }
      if (lastRead !== -1 || ownBefore > 0) {
        const expected: Value[] = lastRead === -1 ? [] : [...((micro[lastRead]!.value as Value[] | null) ?? [])];
        for (let j = lastRead + 1; j < i; j++)
          if (micro[j]!.f === 'append' && micro[j]!.key === m.key) expected.push(micro[j]!.value);
        const ok =
          lastRead !== -1
            ? expected.length === list.length && expected.every((e, j) => valueId(e) === valueId(list[j]!))
            : list.length >= expected.length &&
              expected.every((e, j) => valueId(e) === valueId(list[list.length - expected.length + j]!));
        // After an earlier read, a read that extends it with other txns' appends (then its own since, as an
        // update on the newest version does at read committed) is a non-repeatable read: read committed allows
        // it (as Elle and the rw-register rule do), read atomic, SI and repeatable read do not. Any other
        // mismatch is internal.
        const earlier = lastRead === -1 ? [] : ((micro[lastRead]!.value as Value[] | null) ?? []);
        const ownSince = expected.slice(earlier.length);
        const nonRepeatable =
          lastRead !== -1 &&
          list.length > expected.length &&
          earlier.every((e, j) => valueId(e) === valueId(list[j]!)) &&
          ownSince.every((e, j) => valueId(e) === valueId(list[list.length - ownSince.length + j]!));
        if (!ok)
          anomalies.push({
            type: nonRepeatable ? 'non-repeatable-read' : 'internal',
            txns: [t.index],
            key: m.key,
            micro: i,
            explanation: nonRepeatable
              ? `${showTxn(t)} read ${m.key} = ${showList(earlier)} at micro-op ${lastRead + 1}, then ${showList(list)} at micro-op ${i + 1}: other txns' appends became visible in between (a non-repeatable read).`
              : lastRead !== -1
                ? `${showTxn(t)}: after its own earlier reads and appends, micro-op ${i + 1} should have read ${m.key} = ${showList(expected)}, but read ${showList(list)}.`
                : `${showTxn(t)} appended ${showList(expected)} to ${m.key}, then read ${showList(list)}, which does not end with its own appends.`,
          });
      }
      let ext = list.length;
      if (ownAnywhere) {
        const mine = new Set<string | number>();
        for (const x of micro) if (x.f === 'append' && x.key === m.key) mine.add(valueId(x.value));
        for (let j = 0; j < list.length; j++)
          if (mine.has(valueId(list[j]!))) {
            ext = j;
            break;
          }
      }
      kv.reads.push({
        txn: t.index,
        micro: i,
        list,
        ext,
        compatible: false,
        readThenAppend: lastRead === -1 && ownBefore === 0 && ownAnywhere,
      });
    }
  }
  // A read holding an element twice: found per key below (a prefix of the order shares the order's answer).
  const duplicate = (r: Read, key: string, at: number) =>
    anomalies.push({
      type: 'duplicate-elements',
      txns: [r.txn],
      key,
      element: r.list[at]!,
      micro: r.micro,
      explanation: `${showTxn(txns[r.txn]!)} read ${key} = ${showList(r.list)}, which holds ${show(r.list[at]!)} more than once: each element was appended once.`,
    });
  if (unjudgeable !== undefined) {
    for (const [key, kv] of keys)
      for (const r of kv.reads) {
        const at = firstRepeat(r.list);
        if (at !== -1) duplicate(r, key, at);
      }
    return { ...unjudgeableInference(unjudgeable, anomalies, edges), keys };
  }

  // Pass 2, per key: version order, the anomalies it shows, and the edges.
  for (const [key, kv] of keys) {
    const keyId = edges.keyId(key);
    let longest: Read | undefined;
    for (const r of kv.reads) if (longest === undefined || r.list.length > longest.list.length) longest = r;
    kv.order = longest?.list ?? [];
    // Positions of the version order whose element nobody appended or an aborted txn did: a read that is a
    // prefix of the order needs checking only there (and where it holds its own appends).
    const bad: number[] = [];
    kv.order.forEach((e, i) => {
      const a = kv.appends.get(valueId(e));
      if (a !== undefined && a.pos === -1) a.pos = i;
      if (a === undefined || txns[a.txn]!.status === 'fail') bad.push(i);
    });
    const isPrefix = (r: Read) =>
      r.list.length <= kv.order.length && r.list.every((e, j) => valueId(e) === valueId(kv.order[j]!));
    let reportedOrder = false;
    const thinAirReported = new Set<number>();
    // Elements the reader got: each must exist, be committed, and (its own) be appended before the read.
    const inspect = (r: Read, ok: boolean, j: number) => {
      const reader = txns[r.txn]!;
      const e = r.list[j]!;
      const a = kv.appends.get(valueId(e));
      if (a === undefined) {
        if (!ok || !thinAirReported.has(j))
          anomalies.push({
            type: 'thin-air-read',
            txns: [r.txn],
            key,
            element: e,
            micro: r.micro,
            explanation: `${showTxn(reader)} read ${show(e)} in ${key}, but no transaction appended ${show(e)} to ${key}.`,
          });
        if (ok) thinAirReported.add(j);
        return;
      }
      if (a.txn === r.txn) {
        if (a.micro > r.micro)
          anomalies.push({
            type: 'future-read',
            txns: [r.txn],
            key,
            element: e,
            micro: r.micro,
            explanation: `${showTxn(reader)} read ${show(e)} in ${key} at micro-op ${r.micro + 1}, before it appended ${show(e)} itself at micro-op ${a.micro + 1}.`,
          });
        return;
      }
      const writer = txns[a.txn]!;
      if (writer.status === 'fail')
        anomalies.push({
          type: 'G1a',
          txns: [r.txn, a.txn],
          key,
          element: e,
          micro: r.micro,
          explanation: `${showTxn(reader)} read ${show(e)} in ${key}, appended by ${showTxn(writer)}, which aborted (aborted read).`,
        });
    };
    // A prefix of the version order shows a txn's appends out of their own order exactly when the order does
    // so within the prefix: found once on the order, not again per read (a million reads, no maps).
    const orderSwap = appendOrderSwap(kv.order, kv.appends);
    const orderRepeat = firstRepeat(kv.order);
    for (const r of kv.reads) {
      const ok = (r.compatible = isPrefix(r));
      const repeat = ok ? (orderRepeat !== -1 && orderRepeat < r.list.length ? orderRepeat : -1) : firstRepeat(r.list);
      if (repeat !== -1) duplicate(r, key, repeat);
      // A txn's appends to a key happen in its own order, at any isolation level: a read that shows them
      // otherwise fits no order of appends (a brute-force check found the checker missing this).
      if (!reportedOrder) {
        const swap = ok
          ? orderSwap !== undefined && orderSwap.at < r.list.length
            ? orderSwap
            : undefined
          : appendOrderSwap(r.list, kv.appends);
        if (swap !== undefined) {
          reportedOrder = true;
          anomalies.push({
            type: 'incompatible-order',
            txns: [r.txn, swap.txn],
            key,
            element: swap.element,
            micro: r.micro,
            explanation: `${showTxn(txns[r.txn]!)} read ${key} = ${showList(r.list)}, with ${show(swap.before)} before ${show(swap.element)}, but ${showTxn(txns[swap.txn]!)} appended ${show(swap.element)} first: no order of appends explains it.`,
          });
        }
      }
      if (!ok && !reportedOrder) {
        reportedOrder = true;
        anomalies.push({
          type: 'incompatible-order',
          txns: [r.txn, longest!.txn],
          key,
          micro: r.micro,
          explanation: `${showTxn(txns[r.txn]!)} read ${key} = ${showList(r.list)} and ${showTxn(txns[longest!.txn]!)} read ${showList(kv.order)}: neither is a prefix of the other, so no single order of appends explains both.`,
        });
      }
      if (!ok) for (let j = 0; j < r.list.length; j++) inspect(r, ok, j);
      else {
        for (const j of bad) if (j < r.list.length) inspect(r, ok, j);
        for (let j = r.ext; j < r.list.length; j++) if (!bad.includes(j)) inspect(r, ok, j);
      }
      if (r.ext > 0) {
        const e = r.list[r.ext - 1]!;
        const a = kv.appends.get(valueId(e));
        if (a !== undefined && !a.last && txns[a.txn]!.status !== 'fail' && a.txn !== r.txn)
          anomalies.push({
            type: 'G1b',
            txns: [r.txn, a.txn],
            key,
            element: e,
            micro: r.micro,
            explanation: `${showTxn(txns[r.txn]!)} read ${key} = ${showList(r.list)}, ending in ${show(e)}, an intermediate state: ${showTxn(txns[a.txn]!)} appended more to ${key} after ${show(e)} (intermediate read).`,
          });
      }
    }
    // The committed elements of the version order, in order; a failed txn's element after them is dirty.
    const writers: number[] = [];
    let failedAt = -1;
    for (let i = 0; i < kv.order.length; i++) {
      const a = kv.appends.get(valueId(kv.order[i]!));
      if (a === undefined) continue;
      const w = txns[a.txn]!;
      if (w.status === 'fail') {
        if (failedAt === -1) failedAt = i;
        continue;
      }
      if (failedAt >= 0) {
        const f = kv.appends.get(valueId(kv.order[failedAt]!))!;
        anomalies.push({
          type: 'dirty-update',
          txns: [f.txn, a.txn],
          key,
          element: kv.order[i]!,
          explanation: `${showTxn(txns[f.txn]!)} aborted, yet its append of ${show(kv.order[failedAt]!)} to ${key} is in the version order ${showList(kv.order)}, followed by ${showTxn(w)}'s ${show(kv.order[i]!)} (dirty update).`,
        });
        failedAt = -2;
      }
      if (writers.length > 0 && writers[writers.length - 1] !== a.txn)
        edges.add(writers[writers.length - 1]!, a.txn, WW, keyId);
      writers.push(a.txn);
    }
    const unobserved = new Set<number>();
    for (const a of kv.appends.values()) if (a.pos === -1 && txns[a.txn]!.status === 'ok') unobserved.add(a.txn);
    kv.unobserved = [...unobserved];
    const lastWriter = writers[writers.length - 1];
    if (lastWriter !== undefined) for (const u of kv.unobserved) edges.add(lastWriter, u, WW, keyId);
    // nextCommitted[i]: the writer of the first committed element at position >= i, or -1.
    const nextCommitted = new Int32Array(kv.order.length + 1).fill(-1);
    for (let i = kv.order.length - 1; i >= 0; i--) {
      const a = kv.appends.get(valueId(kv.order[i]!));
      nextCommitted[i] = a !== undefined && txns[a.txn]!.status !== 'fail' ? a.txn : nextCommitted[i + 1]!;
    }
    for (const r of kv.reads) {
      for (let j = r.ext - 1; j >= 0; j--) {
        const a = kv.appends.get(valueId(r.list[j]!));
        if (a !== undefined && committed(txns[a.txn]!)) {
          edges.add(a.txn, r.txn, WR, keyId);
          break;
        }
      }
      if (!r.compatible) continue;
      const next = nextCommitted[r.ext]!;
      if (next !== -1) edges.add(r.txn, next, RW, keyId);
      else for (const u of kv.unobserved) edges.add(r.txn, u, RW, keyId);
    }
  }

  // Lost update: committed txns that read the same version of a key (before appending to it themselves)
  // and then appended to it. Reads that are prefixes of the key's order are the same version iff the same length.
  for (const [key, kv] of keys) {
    let groups: Map<string | number, Read[]> | undefined;
    for (const r of kv.reads) {
      if (!r.readThenAppend) continue;
      const version = r.compatible ? r.list.length : JSON.stringify(r.list);
      groups ??= new Map();
      let g = groups.get(version);
      if (g === undefined) groups.set(version, (g = []));
      g.push(r);
    }
    for (const group of groups?.values() ?? []) {
      if (group.length < 2) continue;
      anomalies.push({
        type: 'lost-update',
        txns: group.map((r) => r.txn),
        key,
        explanation: `${group.map((r) => showTxn(txns[r.txn]!)).join(' and ')} all read ${key} = ${showList(group[0]!.list)} and then appended to it: all committed, so each made its update without seeing the other's (lost update).`,
      });
    }
  }

  const explainEdge = (list: EdgeList, id: number): string => {
    const a = list.from[id]!;
    const b = list.to[id]!;
    const kind = list.kind[id]!;
    const order = explainOrderEdge(txns, list, id);
    if (order !== undefined) return order;
    const key = list.keys[list.key[id]!]!;
    const kv = keys.get(key)!;
    const appendOf = (t: number) => txns[t]!.micro.filter((m) => m.f === 'append' && m.key === key).map((m) => m.value);
    const observedAppend = (t: number) => {
      const mine = appendOf(t).filter((v) => posOf(kv, v) !== -1);
      return mine[mine.length - 1] ?? appendOf(t)[0] ?? null;
    };
    if (kind === WW) {
      const eb = appendOf(b).find((v) => {
        const p = posOf(kv, v);
        return p === -1 || p > 0;
      });
      const pb = eb === undefined ? -1 : posOf(kv, eb);
      return pb === -1
        ? `T${b} appended ${show(eb ?? null)} to ${key}, unobserved but committed, so after T${a}'s ${show(observedAppend(a))}, the last element read`
        : `T${b} appended ${show(eb!)} to ${key} after T${a}'s ${show(observedAppend(a))}`;
    }
    const reads = kv.reads.filter((r) => r.txn === (kind === WR ? b : a));
    if (kind === WR) {
      const r = reads.find((x) => x.list.slice(0, x.ext).some((e) => kv.appends.get(valueId(e))?.txn === a));
      const e = r?.list.slice(0, r.ext).findLast((x) => kv.appends.get(valueId(x))?.txn === a) ?? null;
      return `T${b} saw T${a}'s append of ${show(e)} to ${key}${r !== undefined ? ` (it read ${showList(r.list)})` : ''}`;
    }
    const r = reads[0];
    const missed = appendOf(b).find((v) => !(r?.list ?? []).some((x) => valueId(x) === valueId(v))) ?? null;
    return `T${a} did not see T${b}'s append of ${show(missed)} to ${key}${r !== undefined ? ` (it read ${showList(r.list)})` : ''}`;
  };
  const compatibleRead = (_: KeyVersions, r: Read) => r.compatible;
  // Each txn's reads, for `saw`: built on its first call (the weak levels ask only inside a cycle's
  // component), not for every history (a million txns: a map and two million entries kept for nothing).
  let readsOf: Map<number, { kv: KeyVersions; r: Read }[]> | undefined;
  const readsOfTxn = (txn: number) => {
    if (readsOf === undefined) {
      readsOf = new Map();
      for (const kv of keys.values())
        for (const r of kv.reads) {
          let l = readsOf.get(r.txn);
          if (l === undefined) readsOf.set(r.txn, (l = []));
          l.push({ kv, r });
        }
    }
    return readsOf.get(txn) ?? [];
  };
  const readSees = (kv: KeyVersions, r: Read, element: Value) => {
    const id = valueId(element);
    if (compatibleRead(kv, r)) {
      const p = kv.appends.get(id)?.pos ?? -1;
      return p !== -1 && p < r.ext;
    }
    return r.list.slice(0, r.ext).some((e) => valueId(e) === id);
  };
  const saw = (reader: number, writer: number, beforeMicro: number) => {
    for (const { kv, r } of readsOfTxn(reader)) {
      if (r.micro >= beforeMicro) continue;
      for (const m of txns[writer]!.micro)
        if (m.f === 'append' && keys.get(m.key) === kv && readSees(kv, r, m.value)) return true;
    }
    return false;
  };
  const forEachRead = (visit: (read: ObservedRead) => void) => {
    for (const [key, kv] of keys)
      for (const r of kv.reads) {
        if (!compatibleRead(kv, r)) continue;
        let from = -1;
        for (let j = r.ext - 1; j >= 0 && from === -1; j--) {
          const a = kv.appends.get(valueId(r.list[j]!));
          if (a !== undefined && committed(txns[a.txn]!)) from = a.txn;
        }
        const missed = new Set<number>();
        for (let j = r.ext; j < kv.order.length; j++) {
          const a = kv.appends.get(valueId(kv.order[j]!));
          if (a !== undefined && a.txn !== r.txn && committed(txns[a.txn]!)) missed.add(a.txn);
        }
        for (const u of kv.unobserved) if (u !== r.txn) missed.add(u);
        for (let j = 0; j < r.ext && missed.size > 0; j++)
          missed.delete(kv.appends.get(valueId(r.list[j]!))?.txn ?? -1);
        visit({ txn: r.txn, micro: r.micro, key, from, missed: [...missed], missedAreLater: true });
      }
  };
  const visibility = (add: (from: number, to: number) => void) => {
    // Node n + base + i stands for "the first i+1 elements of this key's version order".
    let next = txns.length;
    for (const kv of keys.values()) {
      const base = next;
      next += kv.order.length;
      kv.order.forEach((e, i) => {
        const a = kv.appends.get(valueId(e));
        if (a !== undefined && committed(txns[a.txn]!)) add(a.txn, base + i);
        if (i > 0) add(base + i - 1, base + i);
      });
      for (const r of kv.reads) {
        if (r.ext === 0) continue;
        if (compatibleRead(kv, r)) add(base + r.ext - 1, r.txn);
        else
          for (let j = 0; j < r.ext; j++) {
            const a = kv.appends.get(valueId(r.list[j]!));
            if (a !== undefined && committed(txns[a.txn]!)) add(a.txn, r.txn);
          }
      }
    }
    return { extraNodes: next - txns.length };
  };
  return { anomalies, edges, keys, explainEdge, forEachRead, saw, visibility };
}
