// Settling indeterminate (info) writes before any search (checking.md §1.7.3). Each one otherwise stays
// pending to the end of its partition, and a few hundred of them (a killed primary's clients) made a
// 2,000-op register history explode into millions of configurations.
//
// In a cell whose state is the last value set (model.cells):
// - An info write or CAS setting value v that no ok read and no CAS (ok or info) ever observes can be taken
//   as never having happened: in any linearization, the ops between it and the next set of the cell must
//   accept v, so there are none, and removing it changes no other op's state.
// - When v is set by that op alone (and is not the initial value), every observer of v observes that op, so
//   it took effect before the first observer returned: its return can be taken as that observer's return.
//
// In a grow-only set (model.members; issue 14: set histories with info adds timed out), where an ok read
// returns exactly the members added before it:
// - An info add of element e that no ok read returns can be taken as never having happened: in any
//   linearization, every ok read after it would return e (a member stays a member), so no ok read comes
//   after it; the ops after it are adds (legal in every state) and reads that check nothing, so removing it
//   leaves a linearization. And an info op may be left out, so one without it is one of the history too.
// - An info add B of e that an ok read returns can be given the return of r, the first such read to return
//   (when r returned after B was called). Take a linearization L; e is a member from r on (some add of e
//   precedes r). Move B (or put it, if L left it out) to just before r, or, when later, just after the last
//   op that returned before B was called: it respects B's call, and every op called after r returned comes
//   after it (such an op follows r and that last op in real time). Between its new and old places every op
//   comes after r, where e is already a member: no state an op sees changes. Unlike a register's write, this
//   holds however many adds of e there are, since adding a member again changes nothing.
import type { Operation, Value } from '../history.ts';
import { canonicalKey } from '../models/model.ts';
import type { MemberAccess, Model } from '../models/model.ts';
import { ElementNumbers } from './setChains.ts';

export interface Settled {
  ops: Operation[];
  /** Indeterminate ops dropped as never observed. */
  dropped: number;
  /** Indeterminate ops given the return of their first observer. */
  bounded: number;
}

function valueKey(v: Value): string | number {
  return typeof v === 'number' ? v : canonicalKey(v);
}

interface Cell {
  opaque: boolean;
  /** Values some op observes (ok reads, CAS from-values). */
  observed: Set<string | number>;
  /** Value -> how many ops may set it. */
  setters: Map<string | number, number>;
  /** Value -> the earliest return of an ok op that observes it. */
  firstSeen: Map<string | number, number>;
}

/** Returns the partition's ops with its indeterminate writes settled; the same array when nothing applies. */
export function settleIndeterminate(model: Model, ops: readonly Operation[]): Settled {
  const unchanged = { ops: ops as Operation[], dropped: 0, bounded: 0 };
  if (!ops.some((op) => op.status === 'info')) return unchanged;
  if (model.members !== undefined) return settleAdds(model.members.access, ops) ?? unchanged;
  const cells = model.cells;
  if (cells === undefined) return unchanged;
  const byCell = new Map<string, Cell>();
  const cellOf = (name: string): Cell => {
    let c = byCell.get(name);
    if (c === undefined) {
      c = { opaque: false, observed: new Set(), setters: new Map(), firstSeen: new Map() };
      byCell.set(name, c);
    }
    return c;
  };
  const accesses = ops.map((op) => cells.access(op));
  const seen = (c: Cell, k: string | number, op: Operation): void => {
    c.observed.add(k);
    if (op.status !== 'ok') return;
    const at = c.firstSeen.get(k);
    if (at === undefined || op.ret < at) c.firstSeen.set(k, op.ret);
  };
  for (let i = 0; i < ops.length; i++) {
    const a = accesses[i]!;
    const op = ops[i]!;
    if (a === null) {
      // Which cell it touches is unknown too: every cell stays as it is.
      return unchanged;
    }
    const c = cellOf(a.cell);
    if (a.kind === 'other') c.opaque = true;
    else if (a.kind === 'read') seen(c, valueKey(a.value), op);
    else if (a.kind === 'write' || a.kind === 'cas') {
      const k = valueKey(a.kind === 'write' ? a.value : a.to);
      c.setters.set(k, (c.setters.get(k) ?? 0) + 1);
      if (a.kind === 'cas') seen(c, valueKey(a.from), op);
    }
  }
  const initialKey = valueKey(cells.initial);
  const out: Operation[] = [];
  let dropped = 0;
  let bounded = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const a = accesses[i]!;
    if (op.status !== 'info' || a === null || (a.kind !== 'write' && a.kind !== 'cas')) {
      out.push(op);
      continue;
    }
    const c = byCell.get(a.cell)!;
    if (c.opaque) {
      out.push(op);
      continue;
    }
    const k = valueKey(a.kind === 'write' ? a.value : a.to);
    if (!c.observed.has(k)) {
      dropped++;
      continue;
    }
    const first = c.firstSeen.get(k);
    // An observer that returned before this op was even called is a violation the search must find.
    if (first !== undefined && first >= op.call && first < op.ret && k !== initialKey && c.setters.get(k) === 1) {
      bounded++;
      out.push({ ...op, ret: first });
      continue;
    }
    out.push(op);
  }
  return dropped === 0 && bounded === 0 ? unchanged : { ops: out, dropped, bounded };
}

interface GrowOnlySet {
  opaque: boolean;
  /** Element -> the earliest return of an ok read that returns it. */
  firstSeen: ElementNumbers;
}

/** Settles the info adds of a grow-only set (see the head of the file); null when nothing applies. */
function settleAdds(access: (op: Operation) => MemberAccess | null, ops: readonly Operation[]): Settled | null {
  const sets = new Map<string, GrowOnlySet>();
  const accesses: MemberAccess[] = [];
  for (const op of ops) {
    const a = access(op);
    // Which set it touches is unknown: every set stays as it is.
    if (a === null) return null;
    accesses.push(a);
    let s = sets.get(a.set);
    if (s === undefined) sets.set(a.set, (s = { opaque: false, firstSeen: new ElementNumbers() }));
    if (a.kind === 'other') s.opaque = true;
    else if (a.kind === 'read' && op.status === 'ok') {
      const elements = a.elements;
      const ret = op.ret;
      for (let j = 0; j < elements.length; j++) {
        const e = elements[j]!;
        // NaN when not seen yet: the comparison is then false, so the first sighting is taken.
        if (!(ret >= s.firstSeen.get(e))) s.firstSeen.set(e, ret);
      }
    }
  }
  const out: Operation[] = [];
  let dropped = 0;
  let bounded = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const a = accesses[i]!;
    const s = sets.get(a.set)!;
    if (op.status !== 'info' || a.kind !== 'add' || s.opaque) {
      out.push(op);
      continue;
    }
    const first = s.firstSeen.get(a.element);
    if (Number.isNaN(first)) {
      dropped++;
      continue;
    }
    // A read that returned e before this add was called is a violation the search must find.
    if (first >= op.call && first < op.ret) {
      bounded++;
      out.push({ ...op, ret: first });
      continue;
    }
    out.push(op);
  }
  return dropped === 0 && bounded === 0 ? null : { ops: out, dropped, bounded };
}
