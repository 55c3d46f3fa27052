// A scripted cluster of CommitNodes for deterministic tests: messages wait in flight until the script delivers
// (or a partition or crash drops) them, timers fire only when the script says, and each client txn is recorded
// as a history the project's checkers judge. Time is a step counter, so real-time order is the script's order.
import type { HistoryOp, Operation, Value } from '../../../checkers/history.ts';
import { pairOperations } from '../../../checkers/history.ts';
import type { CommitTimeouts, Effect, LogRecord, Message, Protocol, TimerKind } from '../commitNode.ts';
import { CommitNode, defaultTimeouts } from '../commitNode.ts';

export interface InFlight {
  from: string;
  to: string;
  message: Message;
}

export interface PendingTimer {
  node: string;
  txn: string;
  timer: TimerKind;
}

export class CommitSimulation {
  readonly nodes = new Map<string, CommitNode>();
  readonly logs = new Map<string, LogRecord[]>();
  readonly down = new Set<string>();
  inFlight: InFlight[] = [];
  timers: PendingTimer[] = [];
  readonly events: HistoryOp[] = [];
  /** Txns awaiting their client's answer: txn -> process and the node it was sent to. */
  private readonly waiting = new Map<string, { process: number; node: string; ops: Value }>();
  private cut = new Set<string>();
  private step = 0;
  private nextTxn = 0;

  readonly names: readonly string[];
  readonly protocol: Protocol;
  readonly timeouts: CommitTimeouts;

  constructor(names: readonly string[], protocol: Protocol, timeouts: CommitTimeouts = defaultTimeouts) {
    this.names = names;
    this.protocol = protocol;
    this.timeouts = timeouts;
    for (const name of names) {
      this.nodes.set(name, new CommitNode(name, names, protocol, timeouts));
      this.logs.set(name, []);
    }
  }

  private record(event: Omit<HistoryOp, 'index' | 'time'>): void {
    this.events.push({ ...event, index: this.events.length, time: this.step++ });
  }

  private run(node: string, effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'log') this.logs.get(node)!.push(effect.record);
      else if (effect.type === 'send') this.send(node, effect.to, effect.message);
      else if (effect.type === 'timer') this.timers.push({ node, txn: effect.txn, timer: effect.timer });
      else this.answer(effect.txn, effect.completion.type, effect.completion);
    }
  }

  private answer(txn: string, type: 'ok' | 'fail' | 'info', completion: { value?: Value; error?: string }): void {
    const client = this.waiting.get(txn);
    if (client === undefined) return;
    this.waiting.delete(txn);
    const value = type === 'ok' ? (completion.value ?? null) : client.ops;
    const error = completion.error === undefined ? {} : { error: completion.error };
    this.record({ type, process: client.process, f: 'txn', value, node: client.node, ...error });
  }

  private send(from: string, to: string, message: Message): void {
    if (this.down.has(to) || this.cut.has(`${from}|${to}`)) return;
    this.inFlight.push({ from, to, message });
  }

  /** A client txn sent to `node` as `process`; returns the txn's id. */
  begin(node: string, process: number, ops: Value): string {
    const txn = `${node}-t${this.nextTxn++}`;
    this.record({ type: 'invoke', process, f: 'txn', value: ops, node });
    this.waiting.set(txn, { process, node, ops });
    this.run(node, this.nodes.get(node)!.handle({ type: 'begin', txn, ops }));
    return txn;
  }

  /**
   * Delivers messages in flight that match, oldest first, including those the deliveries send, until none
   * matching is left; returns how many were delivered.
   */
  deliver(match: (m: InFlight) => boolean = () => true): number {
    let delivered = 0;
    for (;;) {
      const i = this.inFlight.findIndex(match);
      if (i < 0) return delivered;
      const [m] = this.inFlight.splice(i, 1);
      if (this.down.has(m!.to) || this.cut.has(`${m!.from}|${m!.to}`)) continue;
      delivered++;
      this.run(m!.to, this.nodes.get(m!.to)!.handle({ type: 'message', message: m!.message }));
    }
  }

  /** Drops the messages in flight that match (lost on the wire). */
  drop(match: (m: InFlight) => boolean): number {
    const before = this.inFlight.length;
    this.inFlight = this.inFlight.filter((m) => !match(m));
    return before - this.inFlight.length;
  }

  /** Fires the pending timers that match, in the order they were set; timers they set wait for the next call. */
  fire(match: (t: PendingTimer) => boolean): number {
    const due = this.timers.filter(match);
    this.timers = this.timers.filter((t) => !match(t));
    for (const t of due) {
      if (this.down.has(t.node)) continue;
      this.run(t.node, this.nodes.get(t.node)!.handle({ type: 'timeout', txn: t.txn, timer: t.timer }));
    }
    return due.length;
  }

  /** kill -9: the node's memory, timers and messages to it are gone; its clients' open txns end in info. */
  crash(node: string): void {
    this.down.add(node);
    this.timers = this.timers.filter((t) => t.node !== node);
    this.inFlight = this.inFlight.filter((m) => m.to !== node);
    for (const [txn, client] of [...this.waiting]) {
      if (client.node === node) this.answer(txn, 'info', { error: 'connection lost' });
    }
  }

  /** Restarts a crashed node from its log. */
  restart(node: string): void {
    this.down.delete(node);
    const recovered = CommitNode.recover(node, this.names, this.protocol, this.logs.get(node)!, this.timeouts);
    this.nodes.set(node, recovered);
    this.run(node, recovered.resume());
  }

  /** Cuts every link between the groups (both ways); messages already in flight across it are lost too. */
  partition(...groups: readonly (readonly string[])[]): void {
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        for (const x of a) for (const y of b) this.cut.add(`${x}|${y}`);
      }
    }
    this.inFlight = this.inFlight.filter((m) => !this.cut.has(`${m.from}|${m.to}`));
  }

  heal(): void {
    this.cut = new Set();
  }

  /** The txn's client answer so far: the completion event, or undefined while it waits. */
  completion(process: number): HistoryOp | undefined {
    return this.events.findLast((e) => e.process === process && e.type !== 'invoke');
  }

  /** Heals, restarts every node and runs messages and timers until nothing is in doubt (at most `rounds`). */
  settle(rounds = 10): void {
    this.heal();
    for (const node of [...this.down]) this.restart(node);
    for (let i = 0; i < rounds; i++) {
      this.deliver();
      if ([...this.nodes.values()].every((n) => n.inDoubt.size === 0 && n.coordinating.size === 0)) return;
      this.fire(() => true);
    }
  }

  operations(): Operation[] {
    // Txns still waiting are open: the checker treats them as indeterminate.
    return pairOperations(this.events);
  }
}

/** Messages of one type, to or from a node. */
export const ofType =
  (type: Message['type'], where: { to?: string; from?: string } = {}) =>
  (m: InFlight): boolean =>
    m.message.type === type &&
    (where.to === undefined || m.to === where.to) &&
    (where.from === undefined || m.from === where.from);
