// Interned JSON values, for models whose state is one value that grows by appends (the kv model). A search
// meets a new appended string in nearly every configuration (Porcupine's c50 kv: 165k distinct values of
// ~1 KB in 185k configurations), so building, flattening and hashing each one dominated the check. Here a
// value is a small id; a string's id is found by a polynomial hash updated in O(suffix) per append, and an
// appended string is kept as (parent id, suffix), spelled out only to confirm a hash match or to be shown.
import type { Value } from '../history.ts';
import { canonicalKey } from './model.ts';

// Two polynomial hashes mod primes below 2^26: a product of two residues stays an exact double.
const p1 = 67108859;
const p2 = 67108837;
const b1 = 1000003;
const b2 = 65599;

/** A string suffix prepared for appending: its length, hashes, and base^length per hash. */
export interface Suffix {
  /** Its index in the table that prepared it. */
  index: number;
  text: string;
  h1: number;
  h2: number;
  pow1: number;
  pow2: number;
}

/**
 * Value id <-> value, one id per distinct value (sameValue). Only grows; an id always means the same value,
 * so models built on it stay pure functions of their inputs.
 */
export interface ValueTable {
  /** The id of any value (hashes a string in full: for op inputs and outputs, not per step). */
  idOf(v: Value): number;
  value(id: number): Value;
  /** A string to append with appendString. */
  suffix(text: string): Suffix;
  /** The id of value(id) with `suffix` appended, when value(id) is a string; -1 otherwise. */
  appendString(id: number, suffix: Suffix): number;
  /**
   * A small number naming a string value by its length and first hash (equal strings, equal numbers; unequal
   * ones rarely collide): what prefixFingerprints gives for its text. -1 for a value that is not a string.
   */
  fingerprint(id: number): number;
}

/** Length and first hash mixed into a small integer: a Map keyed by it hashes it without boxing. */
const fingerprintOf = (length: number, h1: number): number => (h1 ^ Math.imul(length, 0x9e3779b1)) & 0x3fffffff;

/** The fingerprint (ValueTable.fingerprint) of text.slice(0, end) for each of `ends`, which must ascend. */
export function prefixFingerprints(text: string, ends: readonly number[]): number[] {
  const out: number[] = [];
  let h1 = 0;
  let at = 0;
  for (const end of ends) {
    for (; at < end; at++) h1 = (h1 * b1 + text.charCodeAt(at)) % p1;
    out.push(fingerprintOf(end, h1));
  }
  return out;
}

// Per id, interleaved for one cache miss: string length (-1: not a string), the string's two hashes, and
// for an appended string its parent id and suffix index (-1: the value is held whole).
const stride = 5;

export function createValueTable(): ValueTable {
  const held: Array<Value | undefined> = [];
  let meta = new Int32Array(stride << 10);
  let count = 0;
  const suffixes: Suffix[] = [];
  const suffixIndex = new Map<string, Suffix>();
  const add = (length: number, h1: number, h2: number, parent: number, suffix: number, v?: Value): number => {
    const id = count++;
    if (count * stride > meta.length) {
      const wider = new Int32Array(meta.length * 2);
      wider.set(meta);
      meta = wider;
    }
    const at = id * stride;
    meta[at] = length;
    meta[at + 1] = h1;
    meta[at + 2] = h2;
    meta[at + 3] = parent;
    meta[at + 4] = suffix;
    held[id] = v;
    return id;
  };
  /** A string id's text, spelled out from its chain of appends (and kept) when it is not held. */
  const text = (id: number): string => {
    const have = held[id];
    if (have !== undefined) return have as string;
    const parts: string[] = [];
    let at = id;
    while (held[at] === undefined) {
      parts.push(suffixes[meta[at * stride + 4]!]!.text);
      at = meta[at * stride + 3]!;
    }
    parts.push(held[at] as string);
    const whole = parts.reverse().join('');
    held[id] = whole;
    return whole;
  };
  const others = new Map<string, number>();
  // Open addressing over string ids: (id + 1, 0 = empty; first hash) per slot. The rest is checked in
  // `meta` only when the first hash matches.
  let capacity = 1 << 12;
  let table = new Int32Array(capacity * 2);
  let strings = 0;
  const slotOf = (h1: number, mask: number): number => (Math.imul(h1, 0x9e3779b1) >>> 6) & mask;
  /** The id of a string, given its length and hashes and either its text or its parent and suffix. */
  const internString = (
    length: number,
    h1: number,
    h2: number,
    whole: string | undefined,
    parent: number,
    s: number,
  ) => {
    const mask = capacity - 1;
    let slot = slotOf(h1, mask);
    for (;;) {
      const at = table[slot * 2]! - 1;
      if (at < 0) break;
      if (table[slot * 2 + 1] === h1 && meta[at * stride + 2] === h2 && meta[at * stride] === length) {
        whole ??= `${text(parent)}${suffixes[s]!.text}`;
        if (text(at) === whole) return at;
      }
      slot = (slot + 1) & mask;
    }
    const id = whole === undefined ? add(length, h1, h2, parent, s) : add(length, h1, h2, -1, -1, whole);
    table[slot * 2] = id + 1;
    table[slot * 2 + 1] = h1;
    if (++strings * 2 >= capacity) {
      const old = table;
      capacity <<= 1;
      table = new Int32Array(capacity * 2);
      const wider = capacity - 1;
      for (let k = 0; k < old.length; k += 2) {
        if (old[k] === 0) continue;
        let to = slotOf(old[k + 1]!, wider);
        while (table[to * 2] !== 0) to = (to + 1) & wider;
        table[to * 2] = old[k]!;
        table[to * 2 + 1] = old[k + 1]!;
      }
    }
    return id;
  };
  const suffix = (t: string): Suffix => {
    let s = suffixIndex.get(t);
    if (s === undefined) {
      let h1 = 0;
      let h2 = 0;
      let pow1 = 1;
      let pow2 = 1;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        h1 = (h1 * b1 + c) % p1;
        h2 = (h2 * b2 + c) % p2;
        pow1 = (pow1 * b1) % p1;
        pow2 = (pow2 * b2) % p2;
      }
      s = { index: suffixes.length, text: t, h1, h2, pow1, pow2 };
      suffixes.push(s);
      suffixIndex.set(t, s);
    }
    return s;
  };
  // Op inputs and outputs are the same string objects step after step, and V8 keeps a string's hash in it.
  const stringIds = new Map<string, number>();
  const idOf = (v: Value): number => {
    if (typeof v === 'string') {
      let id = stringIds.get(v);
      if (id === undefined) {
        const s = suffix(v);
        id = internString(v.length, s.h1, s.h2, v, -1, -1);
        stringIds.set(v, id);
      }
      return id;
    }
    const k = canonicalKey(v);
    let id = others.get(k);
    if (id === undefined) {
      id = add(-1, 0, 0, -1, -1, v);
      others.set(k, id);
    }
    return id;
  };
  return {
    idOf,
    value: (id) => (id < count && meta[id * stride]! >= 0 ? text(id) : (held[id] ?? null)),
    suffix,
    appendString(id, s) {
      const at = id * stride;
      const length = meta[at]!;
      if (length < 0) return -1;
      const h1 = (meta[at + 1]! * s.pow1 + s.h1) % p1;
      const h2 = (meta[at + 2]! * s.pow2 + s.h2) % p2;
      return internString(length + s.text.length, h1, h2, undefined, id, s.index);
    },
    fingerprint(id) {
      const length = id < count ? meta[id * stride]! : -1;
      return length < 0 ? -1 : fingerprintOf(length, meta[id * stride + 1]!);
    },
  };
}
