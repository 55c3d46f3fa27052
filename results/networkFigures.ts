// A run's network figures from its message log, as Maelstrom's net checker counts them (net/checker.clj):
// messages sent, those between servers, per client op invoked, and, beyond Maelstrom, the drops by reason and
// the duplicates. For the broadcast protocol, the stable latency of its elements as well (broadcastLatency.ts).
// Pure: the caller reads the log (messageLog.ts) and the history.
import type { HistoryOp, Operation } from '../checkers/history.ts';
import type { StableLatency } from './broadcastLatency.ts';
import { stableLatency } from './broadcastLatency.ts';
import type { MessageLogEvent } from './messageLog.ts';

export interface NetworkFigures {
  /** Messages sent through the network: the harness's init and init_ok, which bypass it, are not counted. */
  messages: number;
  /** Of those, from a node to a node (Maelstrom's servers). */
  serverMessages: number;
  /** Client ops invoked (nemesis events excluded), Maelstrom's op count. */
  clientOps: number;
  /** messages / clientOps (Maelstrom's all msgs-per-op); null without client ops. */
  messagesPerOp: number | null;
  /** serverMessages / clientOps (Maelstrom's servers msgs-per-op); null without client ops. */
  serverMessagesPerOp: number | null;
  /** Deliveries that never happened, by reason (lost, partitioned, unreachable). */
  drops: Record<string, number>;
  /** Second deliveries of a duplicated message. */
  duplicates: number;
  /** The events that were not counted because the log could not be read whole (torn lines). */
  skippedLines: number;
  /** For the set workload spoken as Maelstrom's broadcast: stable latency per element. */
  stableLatency?: StableLatency;
}

export interface NetworkFigureInputs {
  events: readonly MessageLogEvent[];
  skippedLines?: number;
  /** The run's nodes: a message between two of them is a server message. */
  nodes: readonly string[];
  history: readonly HistoryOp[];
  /** The history's paired ops, given when the stable latency is wanted (the broadcast protocol). */
  setOperations?: readonly Operation[];
}

const perOp = (n: number, ops: number): number | null => (ops === 0 ? null : Math.round((n / ops) * 1000) / 1000);

export function networkFigures(inputs: NetworkFigureInputs): NetworkFigures {
  const servers = new Set(inputs.nodes);
  let messages = 0;
  let serverMessages = 0;
  let duplicates = 0;
  const drops: Record<string, number> = {};
  for (const e of inputs.events) {
    if (e.id < 0) continue;
    if (e.event === 'send') {
      messages++;
      if (servers.has(e.src) && servers.has(e.dest)) serverMessages++;
    } else if (e.event === 'drop') {
      const reason = e.reason ?? 'unknown';
      drops[reason] = (drops[reason] ?? 0) + 1;
    } else if (e.copy === 1) duplicates++;
  }
  let clientOps = 0;
  for (const op of inputs.history) if (op.type === 'invoke' && op.process !== 'nemesis') clientOps++;
  return {
    messages,
    serverMessages,
    clientOps,
    messagesPerOp: perOp(messages, clientOps),
    serverMessagesPerOp: perOp(serverMessages, clientOps),
    drops,
    duplicates,
    skippedLines: inputs.skippedLines ?? 0,
    ...(inputs.setOperations !== undefined && { stableLatency: stableLatency(inputs.setOperations) }),
  };
}
