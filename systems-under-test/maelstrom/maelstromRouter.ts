// The network at work: drives the pure model (maelstromNetwork.ts) with this process's clock and hands each
// arriving message to its endpoint (a node process's stdin, a client's pending request). Every send, delivery
// and drop is reported as a MessageEvent, which the system writes to the message log of a node.
import type { MessageLogEvent } from '../../harness/plugin.ts';
import type { DueEvent, MaelstromMessage, MaelstromNetwork } from './maelstromNetwork.ts';

/** One line of a message log (checkers/messageEvents.ts, through the plug-in API). */
export type MessageEvent = MessageLogEvent;

export type Deliver = (message: MaelstromMessage) => void;

export interface RouterOptions {
  /** Milliseconds on a monotonic clock; default performance.now. */
  now?: () => number;
  onEvent?: (event: MessageEvent) => void;
}

export class MaelstromRouter {
  private readonly network: MaelstromNetwork;
  private readonly now: () => number;
  private readonly onEvent: ((event: MessageEvent) => void) | undefined;
  private readonly endpoints = new Map<string, Deliver>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(network: MaelstromNetwork, options: RouterOptions = {}) {
    this.network = network;
    this.now = options.now ?? (() => performance.now());
    this.onEvent = options.onEvent;
  }

  get model(): MaelstromNetwork {
    return this.network;
  }

  /** Routes messages for `name` to `deliver` from now on (a restarted node attaches again). */
  attach(name: string, deliver: Deliver): void {
    this.endpoints.set(name, deliver);
    this.network.addEndpoint(name);
  }

  /** Messages for `name` are dropped as unreachable from now on, those in flight too. */
  detach(name: string): void {
    this.endpoints.delete(name);
    this.network.removeEndpoint(name);
  }

  send(message: MaelstromMessage): void {
    if (this.closed) return;
    const outcome = this.network.send(message, this.now());
    if (this.onEvent !== undefined) {
      this.onEvent(this.event('send', outcome.id, message));
      if (outcome.fate === 'dropped') this.onEvent(this.event('drop', outcome.id, message, outcome.reason));
    }
    if (outcome.fate === 'in-flight') this.schedule();
  }

  /** Records a message that bypasses the network (the harness's own init), as sent and delivered at once. */
  recordDirect(message: MaelstromMessage): void {
    if (this.onEvent === undefined) return;
    this.onEvent(this.event('send', -1, message));
    this.onEvent(this.event('deliver', -1, message));
  }

  /** Stops the timers; messages still in flight are never delivered. */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  private schedule(): void {
    const at = this.network.nextDueAt();
    if (at === undefined || at >= this.timerAt) return;
    this.clearTimer();
    this.timerAt = at;
    const wait = at - this.now();
    // Due now: flush after the current batch of sends (setImmediate), so a burst is routed in one pass.
    this.timer = wait <= 0 ? setImmediate(this.flush) : setTimeout(this.flush, Math.max(1, Math.ceil(wait)));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.closed) return;
    for (const e of this.network.due(this.now())) this.dispatch(e);
    this.schedule();
  };

  private dispatch(e: DueEvent): void {
    const { message, id, copy } = e.delivery;
    const deliver = this.endpoints.get(message.dest);
    if (e.kind === 'drop' || deliver === undefined) {
      this.onEvent?.(this.event('drop', id, message, e.kind === 'drop' ? e.reason : 'unreachable'));
      return;
    }
    this.onEvent?.({ ...this.event('deliver', id, message), ...(copy === 1 && { copy: 1 as const }) });
    deliver(message);
  }

  private event(kind: MessageEvent['event'], id: number, m: MaelstromMessage, reason?: string): MessageEvent {
    return {
      event: kind,
      id,
      time: performance.timeOrigin + this.now(),
      src: m.src,
      dest: m.dest,
      type: m.body.type,
      ...(m.body.msg_id !== undefined && { msg_id: m.body.msg_id }),
      ...(m.body.in_reply_to !== undefined && { in_reply_to: m.body.in_reply_to }),
      ...(reason !== undefined && { reason }),
    };
  }
}
