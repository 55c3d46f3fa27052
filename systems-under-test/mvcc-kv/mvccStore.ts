// A multi-version store of lists (list-append) and registers (rw-register), with the isolation of each mode:
//   si:           every read sees the snapshot at the txn's start timestamp; at commit, a txn whose written key
//                 has a version newer than its start aborts (first committer wins). Write skew is allowed: two
//                 txns that read both keys and write different ones both commit.
//   rc:           a key's first read in a txn sees the latest committed version at the time it runs, so reads of
//                 two keys can straddle another txn's commit (read skew); nothing else is validated, except:
//   serializable: si, and a txn also aborts when a key it read has a version newer than its start (backward
//                 validation of the read set): a committed txn behaves as if it ran alone at its commit.
// In every mode a txn re-reading a key sees what it saw first plus its own writes (Elle's internal
// consistency, which read committed includes). rc keeps that, and its reads monotonic, by aborting a txn
// whose key changed after the txn read it and before it re-reads or writes it: otherwise its re-read would
// differ from its first, or its append would land after an element its own read did not show.
// Pure and synchronous: the server interleaves txns between micro-ops, and persists each commit record before
// it installs it (install() also replays the records after a restart).

/** JSON, as the ops carry it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type MvccMode = 'si' | 'rc' | 'serializable';

export const mvccModes: readonly MvccMode[] = ['si', 'rc', 'serializable'];

/** A write micro-op as a commit record holds it. */
export type WriteOp = [f: 'append' | 'w', key: string, value: Json];

/** A txn's micro-op as the workloads send it (a read's value is null until it runs). */
export type MicroOp = [f: 'r' | 'append' | 'w', key: string, value: Json];

/** What a commit persists: replaying every record in order rebuilds the committed state. */
export interface CommitRecord {
  ts: number;
  writes: WriteOp[];
}

interface Version {
  ts: number;
  value: Json;
}

export interface MvccTxn {
  readonly startTs: number;
  /** Per key, the committed version this txn read: fixed at its first read of the key. */
  readonly seen: Map<string, Version>;
  readonly writes: WriteOp[];
  done: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

const initial: Version = { ts: 0, value: null };

export class MvccStore {
  private readonly _versions = new Map<string, Version[]>();
  private _ts = 0;

  readonly mode: MvccMode;

  constructor(mode: MvccMode) {
    this.mode = mode;
  }

  /** The timestamp of the newest commit. */
  get lastTs(): number {
    return this._ts;
  }

  begin(): MvccTxn {
    return { startTs: this._ts, seen: new Map(), writes: [], done: false };
  }

  /** The committed value of `key` as `txn` sees it, its own writes applied on top; rc may abort (see above). */
  read(txn: MvccTxn, key: string): Outcome<Json> {
    let seen = txn.seen.get(key);
    if (seen === undefined) {
      seen = this.mode === 'rc' ? this._latest(key) : this._at(key, txn.startTs);
      txn.seen.set(key, seen);
    } else if (this.mode === 'rc' && this._latest(key).ts !== seen.ts) {
      txn.done = true;
      return { ok: false, error: `${key} changed after this txn first read it (read committed keeps no read view)` };
    }
    return { ok: true, value: applyWrites(seen.value, txn.writes, key) };
  }

  /** Buffers a write; nothing is visible to others before commit. */
  write(txn: MvccTxn, op: WriteOp): void {
    txn.writes.push(op);
  }

  /**
   * Validates and returns the record to persist (undefined for a read-only txn); install() makes it visible.
   * A refused txn is over: none of its writes happen.
   */
  prepare(txn: MvccTxn): Outcome<CommitRecord | undefined> {
    if (txn.done) return { ok: false, error: 'txn already finished' };
    txn.done = true;
    const written = new Set(txn.writes.map(([, key]) => key));
    for (const key of written) {
      const newest = this._latest(key).ts;
      if (this.mode !== 'rc' && newest > txn.startTs)
        return {
          ok: false,
          error: `write-write conflict on ${key}: a txn that committed after this one began wrote it (first committer wins)`,
        };
      const seen = txn.seen.get(key);
      if (this.mode === 'rc' && seen !== undefined && newest !== seen.ts)
        return { ok: false, error: `${key} changed after this txn read it and before its write committed` };
    }
    if (this.mode === 'serializable' && written.size > 0) {
      // A read-only txn read one snapshot: it is serializable at its start, with nothing to validate.
      for (const key of txn.seen.keys()) {
        if (this._latest(key).ts > txn.startTs)
          return {
            ok: false,
            error: `read-write conflict on ${key}: a txn that committed after this one began wrote what it read`,
          };
      }
    }
    return { ok: true, value: written.size === 0 ? undefined : { ts: this._ts + 1, writes: txn.writes } };
  }

  /** Makes a prepared (or replayed) commit visible. Records must come in timestamp order. */
  install(record: CommitRecord): void {
    if (record.ts <= this._ts) throw new Error(`commit ${record.ts} is not after the last one (${this._ts})`);
    const keys = new Set(record.writes.map(([, key]) => key));
    for (const key of keys) {
      const versions = this._versions.get(key) ?? [];
      versions.push({ ts: record.ts, value: applyWrites(this._latest(key).value, record.writes, key) });
      this._versions.set(key, versions);
    }
    this._ts = record.ts;
  }

  /** Validates and installs at once (nothing persisted between): for tests. */
  commit(txn: MvccTxn): Outcome<CommitRecord | undefined> {
    const outcome = this.prepare(txn);
    if (outcome.ok && outcome.value !== undefined) this.install(outcome.value);
    return outcome;
  }

  private _latest(key: string): Version {
    const versions = this._versions.get(key);
    return versions === undefined ? initial : versions[versions.length - 1]!;
  }

  private _at(key: string, ts: number): Version {
    const versions = this._versions.get(key) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.ts <= ts) return versions[i]!;
    return initial;
  }
}

/** Runs one micro-op of `txn`: a read comes back with its value filled in, a write is buffered. */
export function runMicroOp(store: MvccStore, txn: MvccTxn, [f, key, value]: MicroOp): Outcome<MicroOp> {
  if (f !== 'r') {
    store.write(txn, [f, key, value]);
    return { ok: true, value: [f, key, value] };
  }
  const read = store.read(txn, key);
  return read.ok ? { ok: true, value: ['r', key, read.value] } : read;
}

/** `base` with the writes to `key` applied in order: appends extend a fresh list, a w replaces the value. */
function applyWrites(base: Json, writes: readonly WriteOp[], key: string): Json {
  let value = base;
  for (const [f, k, v] of writes) {
    if (k !== key) continue;
    value = f === 'w' ? v : [...(Array.isArray(value) ? value : []), v];
  }
  return value;
}
