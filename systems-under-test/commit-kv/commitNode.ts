// One file, over 400 lines: one state machine, whose prepare, commit, abort and recovery handlers share the
// node's locks, log and pending transactions; split, each would have to reach into the others' state.
// Two-phase and three-phase commit as one deterministic state machine per node: no I/O, no clock, no
// randomness. Every node owns one shard of the keys (key number mod N) and is a participant for it; it is also
// the coordinator of the transactions its clients send it. The server (server.ts) and the scripted schedules of
// the tests (commitSimulation.ts) feed it events and carry out the effects it returns, in order: a `log`
// effect must be durable before the effects after it run, which is what makes recovery from the log sound.
//
// Locking is strict two-phase and no-wait: prepare locks every key the shard's part of the txn touches (shared
// for keys it only reads, exclusive for keys it writes) and holds the locks until the outcome; a prepare that
// finds a conflicting lock of another txn votes no. So a
// committed txn's reads and writes happen at once between prepare and outcome, and 2PC is serializable (and
// strict: a txn invoked after another's ok either finds its locks or runs after its outcome was applied).
import type { Value } from '../../harness/plugin.ts';

export type Protocol = '2pc' | '3pc';

/** A micro-op as the list-append and rw-register workloads send it: ['r', key, null], ['append' | 'w', key, v]. */
export type MicroOp = [string, string, Value];

export type ParticipantPhase = 'prepared' | 'precommitted';
export type Outcome = 'committed' | 'aborted';
/** What a node knows of a txn, as it answers a state query. */
export type KnownState = 'unknown' | ParticipantPhase | Outcome;

export type Message =
  | { type: 'prepare'; txn: string; coordinator: string; participants: string[]; ops: MicroOp[] }
  | { type: 'vote'; txn: string; from: string; yes: true; ops: MicroOp[] }
  | { type: 'vote'; txn: string; from: string; yes: false; reason: string }
  | { type: 'precommit'; txn: string }
  | { type: 'ack'; txn: string; from: string }
  | { type: 'commit'; txn: string }
  | { type: 'abort'; txn: string }
  /** Asked of the txn's coordinator (its decision) or of a participant (its own state). */
  | { type: 'state-query'; txn: string; from: string; of: 'coordinator' | 'participant' }
  | { type: 'state-reply'; txn: string; from: string; state: KnownState };

export type TimerKind = 'votes' | 'acks' | 'participant' | 'termination';

export type Event =
  | { type: 'begin'; txn: string; ops: Value }
  | { type: 'message'; message: Message }
  | { type: 'timeout'; txn: string; timer: TimerKind };

export type Completion = { type: 'ok'; value: Value } | { type: 'fail'; error: string };

/** What the node's log holds; replaying it (recover) rebuilds the node as it was. */
export type LogRecord =
  | { type: 'prepared'; txn: string; coordinator: string; participants: string[]; ops: MicroOp[] }
  | { type: 'precommitted'; txn: string }
  | { type: 'outcome'; txn: string; outcome: Outcome }
  | { type: 'decision'; txn: string; decision: 'precommit' | 'commit' | 'abort'; participants: string[] };

export type Effect =
  | { type: 'log'; record: LogRecord }
  | { type: 'send'; to: string; message: Message }
  | { type: 'reply'; txn: string; completion: Completion }
  | { type: 'timer'; txn: string; timer: TimerKind; afterMs: number };

export interface CommitTimeouts {
  /** Coordinator: votes not all in by then => abort. */
  votesMs: number;
  /** 3PC coordinator: pre-commit acks not all in by then => commit anyway (the silent ones are presumed down). */
  acksMs: number;
  /** Participant in doubt this long: 2PC asks the coordinator again (and again); 3PC starts termination. */
  participantMs: number;
  /** 3PC: how long termination waits for the other nodes' states before the timeout rule decides. */
  terminationMs: number;
}

export const defaultTimeouts: CommitTimeouts = { votesMs: 1000, acksMs: 500, participantMs: 2000, terminationMs: 500 };

/** The node owning a key: its number mod N (k7 on 3 nodes: the second), or a character sum for other names. */
export function shardOf(key: string, nodes: readonly string[]): string {
  const digits = /(\d+)$/.exec(key);
  let n = digits === null ? 0 : Number(digits[1]);
  if (digits === null) for (let i = 0; i < key.length; i++) n += key.charCodeAt(i);
  return nodes[n % nodes.length]!;
}

interface InDoubt {
  coordinator: string;
  participants: string[];
  ops: MicroOp[];
  phase: ParticipantPhase;
}

interface Coordinating {
  participants: string[];
  ops: MicroOp[];
  phase: 'voting' | 'precommitting';
  votes: Map<string, MicroOp[]>;
  acks: Set<string>;
}

/** Runs `ops` against the committed values: the ops with reads filled in, and the keys' values after. */
function execute(
  store: ReadonlyMap<string, Value>,
  ops: readonly MicroOp[],
): { completed: MicroOp[]; writes: Map<string, Value> } | string {
  const writes = new Map<string, Value>();
  const current = (key: string): Value => (writes.has(key) ? writes.get(key)! : (store.get(key) ?? null));
  const completed: MicroOp[] = [];
  for (const [f, key, value] of ops) {
    if (f === 'r') {
      const seen = current(key);
      completed.push(['r', key, Array.isArray(seen) ? [...seen] : seen]);
    } else if (f === 'append') {
      const list = current(key);
      if (list !== null && !Array.isArray(list)) return `append to ${key}, which holds a register value`;
      writes.set(key, [...(list ?? []), value]);
      completed.push([f, key, value]);
    } else if (f === 'w') {
      writes.set(key, value);
      completed.push([f, key, value]);
    } else {
      return `unknown micro-op ${JSON.stringify(f)} (commit-kv runs r, append and w)`;
    }
  }
  return { completed, writes };
}

function parseOps(value: Value): MicroOp[] | string {
  if (!Array.isArray(value)) return 'a txn is a list of micro-ops [f, key, value]';
  const ops: MicroOp[] = [];
  for (const m of value) {
    if (!Array.isArray(m) || m.length < 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
      return `micro-op ${JSON.stringify(m)}: expected [f, key, value] with string f and key`;
    }
    ops.push([m[0], m[1], m[2] ?? null]);
  }
  return ops;
}

export class CommitNode {
  readonly store = new Map<string, Value>();
  /** key -> the txn holding its exclusive (write) lock. */
  readonly writeLocks = new Map<string, string>();
  /** key -> the txns holding shared (read) locks on it. */
  readonly readLocks = new Map<string, Set<string>>();
  /** Participant: txns prepared here and not yet finished (they hold their locks). */
  readonly inDoubt = new Map<string, InDoubt>();
  /** Participant: how finished txns ended here. */
  readonly outcomes = new Map<string, Outcome>();
  /** Coordinator: txns being decided. */
  readonly coordinating = new Map<string, Coordinating>();
  /** Coordinator: the decisions in its log. */
  readonly decisions = new Map<string, 'commit' | 'abort'>();

  readonly name: string;
  readonly nodes: readonly string[];
  readonly protocol: Protocol;
  readonly timeouts: CommitTimeouts;

  constructor(name: string, nodes: readonly string[], protocol: Protocol, timeouts: CommitTimeouts = defaultTimeouts) {
    this.name = name;
    this.nodes = nodes;
    this.protocol = protocol;
    this.timeouts = timeouts;
  }

  /** Rebuilds the node from its log, as after a crash and restart. */
  static recover(
    name: string,
    nodes: readonly string[],
    protocol: Protocol,
    records: readonly LogRecord[],
    timeouts: CommitTimeouts = defaultTimeouts,
  ): CommitNode {
    const node = new CommitNode(name, nodes, protocol, timeouts);
    const precommitting = new Map<string, string[]>();
    for (const record of records) {
      if (record.type === 'prepared') {
        node.inDoubt.set(record.txn, { ...record, phase: 'prepared' });
        node.lock(record.txn, record.ops);
      } else if (record.type === 'precommitted') {
        const entry = node.inDoubt.get(record.txn);
        if (entry !== undefined) entry.phase = 'precommitted';
      } else if (record.type === 'outcome') {
        node.finish(record.txn, record.outcome);
      } else if (record.decision === 'precommit') {
        precommitting.set(record.txn, record.participants);
      } else {
        precommitting.delete(record.txn);
        node.decisions.set(record.txn, record.decision);
      }
    }
    // A 3PC coordinator that logged its pre-commit may have sent it: it can only go on to commit. The votes
    // (the reads) are lost with the client's connection, which saw info.
    for (const [txn, participants] of precommitting) {
      node.coordinating.set(txn, { participants, ops: [], phase: 'precommitting', votes: new Map(), acks: new Set() });
    }
    return node;
  }

  /** After recover: what the node does first (in-doubt txns resume waiting, pre-committed decisions commit). */
  resume(): Effect[] {
    const effects: Effect[] = [];
    for (const txn of this.inDoubt.keys()) {
      effects.push({ type: 'timer', txn, timer: 'participant', afterMs: this.timeouts.participantMs });
    }
    for (const [txn, c] of this.coordinating)
      if (c.phase === 'precommitting') effects.push(...this.decide(txn, 'commit'));
    return effects;
  }

  handle(event: Event): Effect[] {
    if (event.type === 'begin') return this.begin(event.txn, event.ops);
    if (event.type === 'timeout') return this.timeout(event.txn, event.timer);
    const m = event.message;
    switch (m.type) {
      case 'prepare':
        return this.prepare(m.txn, m.coordinator, m.participants, m.ops);
      case 'vote':
        return this.vote(m.txn, m.from, m.yes ? m.ops : m.reason);
      case 'precommit':
        return this.precommit(m.txn);
      case 'ack':
        return this.ack(m.txn, m.from);
      case 'commit':
        return this.outcome(m.txn, 'committed');
      case 'abort':
        return this.outcome(m.txn, 'aborted');
      case 'state-query':
        return this.stateQuery(m.txn, m.from, m.of);
      case 'state-reply':
        return this.stateReply(m.txn, m.state);
    }
  }

  /** What this node knows of a txn as its coordinator: its decision, or how far it got. */
  coordinatorState(txn: string): KnownState {
    const decision = this.decisions.get(txn);
    if (decision !== undefined) return decision === 'commit' ? 'committed' : 'aborted';
    const phase = this.coordinating.get(txn)?.phase;
    return phase === undefined ? 'unknown' : phase === 'precommitting' ? 'precommitted' : 'prepared';
  }

  /** What this node knows of a txn as a participant. */
  participantState(txn: string): KnownState {
    return this.outcomes.get(txn) ?? this.inDoubt.get(txn)?.phase ?? 'unknown';
  }

  // --- coordinator ---

  private begin(txn: string, value: Value): Effect[] {
    const ops = parseOps(value);
    if (typeof ops === 'string') return [{ type: 'reply', txn, completion: { type: 'fail', error: ops } }];
    if (ops.length === 0) return [{ type: 'reply', txn, completion: { type: 'ok', value: [] } }];
    const participants = [...new Set(ops.map(([, key]) => shardOf(key, this.nodes)))].sort();
    this.coordinating.set(txn, { participants, ops, phase: 'voting', votes: new Map(), acks: new Set() });
    const effects: Effect[] = participants.map((to) => ({
      type: 'send',
      to,
      message: {
        type: 'prepare',
        txn,
        coordinator: this.name,
        participants,
        ops: ops.filter(([, key]) => shardOf(key, this.nodes) === to),
      },
    }));
    effects.push({ type: 'timer', txn, timer: 'votes', afterMs: this.timeouts.votesMs });
    return effects;
  }

  private vote(txn: string, from: string, result: MicroOp[] | string): Effect[] {
    const c = this.coordinating.get(txn);
    if (c === undefined || c.phase !== 'voting') return [];
    if (typeof result === 'string') return this.decide(txn, 'abort', `${from} voted no: ${result}`);
    c.votes.set(from, result);
    if (c.votes.size < c.participants.length) return [];
    if (this.protocol === '2pc') return this.decide(txn, 'commit');
    c.phase = 'precommitting';
    return [
      { type: 'log', record: { type: 'decision', txn, decision: 'precommit', participants: c.participants } },
      ...c.participants.map((to): Effect => ({ type: 'send', to, message: { type: 'precommit', txn } })),
      { type: 'timer', txn, timer: 'acks', afterMs: this.timeouts.acksMs },
    ];
  }

  private ack(txn: string, from: string): Effect[] {
    const c = this.coordinating.get(txn);
    if (c === undefined || c.phase !== 'precommitting') return [];
    c.acks.add(from);
    return c.acks.size < c.participants.length ? [] : this.decide(txn, 'commit');
  }

  /** Logs the decision, then sends it and answers the client (ok with the reads, or fail). */
  private decide(txn: string, decision: 'commit' | 'abort', reason = ''): Effect[] {
    const c = this.coordinating.get(txn);
    if (c === undefined) return [];
    this.coordinating.delete(txn);
    this.decisions.set(txn, decision);
    const effects: Effect[] = [
      { type: 'log', record: { type: 'decision', txn, decision, participants: c.participants } },
    ];
    for (const to of c.participants) {
      effects.push({ type: 'send', to, message: { type: decision, txn } });
    }
    if (decision === 'abort') {
      effects.push({ type: 'reply', txn, completion: { type: 'fail', error: `aborted: ${reason}` } });
    } else if (c.votes.size === c.participants.length) {
      // The reads, in the txn's own order, from each shard's vote.
      const taken = new Map<string, number>();
      const value = c.ops.map(([, key]): Value => {
        const shard = shardOf(key, this.nodes);
        const i = taken.get(shard) ?? 0;
        taken.set(shard, i + 1);
        return c.votes.get(shard)![i]!;
      });
      effects.push({ type: 'reply', txn, completion: { type: 'ok', value } });
    }
    return effects;
  }

  // --- participant ---

  private prepare(txn: string, coordinator: string, participants: string[], ops: MicroOp[]): Effect[] {
    const no = (reason: string): Effect[] => [
      { type: 'send', to: coordinator, message: { type: 'vote', txn, from: this.name, yes: false, reason } },
    ];
    if (this.outcomes.get(txn) === 'aborted') return no('already aborted here (timed out, or a peer asked first)');
    if (this.outcomes.has(txn) || this.inDoubt.has(txn)) return [];
    const conflict = this.lockConflict(txn, ops);
    if (conflict !== undefined) return no(conflict);
    const run = execute(this.store, ops);
    if (typeof run === 'string') return no(run);
    this.lock(txn, ops);
    this.inDoubt.set(txn, { coordinator, participants, ops, phase: 'prepared' });
    return [
      { type: 'log', record: { type: 'prepared', txn, coordinator, participants, ops } },
      { type: 'send', to: coordinator, message: { type: 'vote', txn, from: this.name, yes: true, ops: run.completed } },
      { type: 'timer', txn, timer: 'participant', afterMs: this.timeouts.participantMs },
    ];
  }

  private precommit(txn: string): Effect[] {
    const doubt = this.inDoubt.get(txn);
    if (doubt === undefined) return [];
    const ack: Effect = { type: 'send', to: doubt.coordinator, message: { type: 'ack', txn, from: this.name } };
    if (doubt.phase === 'precommitted') return [ack];
    doubt.phase = 'precommitted';
    return [{ type: 'log', record: { type: 'precommitted', txn } }, ack];
  }

  private lockConflict(txn: string, ops: readonly MicroOp[]): string | undefined {
    const written = new Set(ops.filter(([f]) => f !== 'r').map(([, key]) => key));
    for (const [, key] of ops) {
      const writer = this.writeLocks.get(key);
      const holder =
        writer !== undefined && writer !== txn
          ? writer
          : written.has(key)
            ? [...(this.readLocks.get(key) ?? [])].find((reader) => reader !== txn)
            : undefined;
      if (holder !== undefined) {
        return `${key} is locked by ${holder} (${this.inDoubt.get(holder)?.phase ?? 'in doubt'})`;
      }
    }
    return undefined;
  }

  private lock(txn: string, ops: readonly MicroOp[]): void {
    for (const [f, key] of ops) {
      if (f !== 'r') this.writeLocks.set(key, txn);
      else if (this.writeLocks.get(key) !== txn) {
        const readers = this.readLocks.get(key) ?? new Set<string>();
        readers.add(txn);
        this.readLocks.set(key, readers);
      }
    }
  }

  private unlock(txn: string, ops: readonly MicroOp[]): void {
    for (const [, key] of ops) {
      if (this.writeLocks.get(key) === txn) this.writeLocks.delete(key);
      const readers = this.readLocks.get(key);
      readers?.delete(txn);
      if (readers?.size === 0) this.readLocks.delete(key);
    }
  }

  /** Applies (committed) or drops (aborted) a txn's part here and frees its locks. */
  private finish(txn: string, outcome: Outcome): void {
    const doubt = this.inDoubt.get(txn);
    if (doubt !== undefined) {
      if (outcome === 'committed') {
        // The locks kept these keys as they were at prepare, so the writes come out as they did then.
        const run = execute(this.store, doubt.ops);
        if (typeof run !== 'string') for (const [key, value] of run.writes) this.store.set(key, value);
      }
      this.unlock(txn, doubt.ops);
      this.inDoubt.delete(txn);
    }
    this.outcomes.set(txn, outcome);
  }

  private outcome(txn: string, outcome: Outcome): Effect[] {
    if (this.outcomes.has(txn)) return [];
    // A commit for a txn never prepared here cannot be (its vote was needed); an abort is remembered so a
    // late prepare of it votes no.
    if (!this.inDoubt.has(txn) && outcome === 'committed') return [];
    this.finish(txn, outcome);
    return [{ type: 'log', record: { type: 'outcome', txn, outcome } }];
  }

  private stateQuery(txn: string, from: string, of: 'coordinator' | 'participant'): Effect[] {
    const state = of === 'coordinator' ? this.coordinatorState(txn) : this.participantState(txn);
    const reply = (answer: KnownState): Effect => ({
      type: 'send',
      to: from,
      message: { type: 'state-reply', txn, from: this.name, state: answer },
    });
    if (state !== 'unknown') return [reply(state)];
    // Never heard of it: a coordinator that crashed before deciding, or a prepare still on its way. Nobody can
    // have pre-committed or committed it then, so it is aborted here, for good (presumed abort).
    if (of === 'coordinator') {
      this.decisions.set(txn, 'abort');
      return [
        { type: 'log', record: { type: 'decision', txn, decision: 'abort', participants: [] } },
        reply('aborted'),
      ];
    }
    this.outcomes.set(txn, 'aborted');
    return [{ type: 'log', record: { type: 'outcome', txn, outcome: 'aborted' } }, reply('aborted')];
  }

  private stateReply(txn: string, state: KnownState): Effect[] {
    if (!this.inDoubt.has(txn)) return [];
    if (state === 'committed' || state === 'precommitted') return this.outcome(txn, 'committed');
    if (state === 'aborted') return this.outcome(txn, 'aborted');
    return [];
  }

  private timeout(txn: string, timer: TimerKind): Effect[] {
    if (timer === 'votes') {
      const c = this.coordinating.get(txn);
      if (c === undefined || c.phase !== 'voting') return [];
      const silent = c.participants.filter((p) => !c.votes.has(p));
      return this.decide(txn, 'abort', `no vote from ${silent.join(', ')} within ${this.timeouts.votesMs} ms`);
    }
    if (timer === 'acks') {
      return this.coordinating.get(txn)?.phase === 'precommitting' ? this.decide(txn, 'commit') : [];
    }
    const doubt = this.inDoubt.get(txn);
    if (doubt === undefined) return [];
    if (this.protocol === '2pc') {
      // Blocked: only the coordinator knows. Ask it, and keep asking; the locks stay held meanwhile.
      if (timer !== 'participant') return [];
      return [
        {
          type: 'send',
          to: doubt.coordinator,
          message: { type: 'state-query', txn, from: this.name, of: 'coordinator' },
        },
        { type: 'timer', txn, timer: 'participant', afterMs: this.timeouts.participantMs },
      ];
    }
    if (timer === 'participant') {
      // 3PC termination: ask everyone involved; a decisive answer settles it, else the timeout rule does.
      const ask = (to: string, of: 'coordinator' | 'participant'): Effect => ({
        type: 'send',
        to,
        message: { type: 'state-query', txn, from: this.name, of },
      });
      return [
        ask(doubt.coordinator, 'coordinator'),
        ...doubt.participants.filter((n) => n !== this.name).map((to) => ask(to, 'participant')),
        { type: 'timer', txn, timer: 'termination', afterMs: this.timeouts.terminationMs },
      ];
    }
    // The textbook non-blocking rule: pre-committed means everyone voted yes, so commit; merely prepared means
    // the coordinator may have aborted, so abort. Across a partition the two sides can take different branches.
    return this.outcome(txn, doubt.phase === 'precommitted' ? 'committed' : 'aborted');
  }
}
