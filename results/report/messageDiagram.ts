// Which messages a report draws around an anomaly, as Maelstrom's Lamport diagrams do: from the message log,
// those sent in the window of the ops the anomaly cites, starting at the first of them. The requests and
// replies of the cited ops are kept, with every message between nodes; other clients' traffic is counted,
// not drawn. Capped, so the picture stays readable, saying how many were left out. Pure: the log's times are
// placed on the report's clock by the history's origin on the wall clock (results.json historyOriginEpochMs).
import type { MessageLogEvent } from '../messageLog.ts';
import type { ReportAnomaly, ReportData } from './model.ts';

/** One arrow: a delivery of a message, or its drop. A duplicated message is two arrows. */
export interface DiagramArrow {
  id: number;
  src: string;
  dest: string;
  type: string;
  /** ms since the first client op, as every time in the report. */
  sentAt: number;
  /** When it arrived, or was dropped. null: neither happened before the log ended (still in flight). */
  endAt: number | null;
  /** lost, partitioned, unreachable; null when delivered. */
  dropped: string | null;
  duplicate: boolean;
  /** The cited op whose request or reply this is (Operation id), else null. */
  op: number | null;
}

export interface MessageDiagram {
  anomaly: ReportAnomaly;
  /** Lanes left to right: the clients of the cited ops (named with their process), then the nodes. */
  lanes: { name: string; label: string }[];
  arrows: DiagramArrow[];
  /** The ops' window (ms): from the first cited op's invoke to the last one's completion. */
  window: { start: number; end: number };
  /** Arrows of the window that would have been drawn but for the cap. */
  leftOut: number;
  /** Messages of other clients' ops in the window, not drawn. */
  otherClients: number;
}

export const maxDiagramArrows = 30;
/** The client's send follows the recorded invoke at once; this much slack covers the two clocks' reading. */
const sendSlackMs = 0.5;

interface Sent {
  send: MessageLogEvent;
  ends: MessageLogEvent[];
}

const isNode = (nodes: ReadonlySet<string>, name: string) => nodes.has(name);

/** ops sorted by call, and the index of the last one called at or before `at` (-1 when none). */
function lastCalledBy(sorted: readonly number[], call: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (call[sorted[mid]!]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function groupBy(count: number, keyOf: (op: number) => string | undefined, call: readonly number[]) {
  const groups = new Map<string, number[]>();
  for (let op = 0; op < count; op++) {
    const k = keyOf(op);
    if (k === undefined) continue;
    let list = groups.get(k);
    if (list === undefined) groups.set(k, (list = []));
    list.push(op);
  }
  for (const list of groups.values()) list.sort((a, b) => call[a]! - call[b]!);
  return groups;
}

/**
 * Client requests (src, msg_id) → the op each belongs to. A client is one process's (one request at a time,
 * as a process has one op at a time): first each request votes for the process of the latest op invoked on its
 * node before it, and the client goes to the process most votes name; then each request is that process's op
 * open when it was sent, which is unambiguous. (By node alone, two processes on one node invoking together
 * would swap ops.)
 */
function requestOps(
  sends: readonly MessageLogEvent[],
  data: ReportData,
  nodes: ReadonlySet<string>,
  toReportMs: (epochMs: number) => number,
): Map<string, number> {
  const { call, count, process } = data.ops;
  const byNode = groupBy(count, (op) => data.nodeNames[data.ops.node[op] ?? -1], call);
  const byProcess = groupBy(count, (op) => String(process[op]), call);
  const requests = sends.filter((s) => !isNode(nodes, s.src) && s.msg_id !== undefined && s.in_reply_to === undefined);
  const votes = new Map<string, Map<number, number>>();
  for (const s of requests) {
    const list = byNode.get(s.dest);
    if (list === undefined) continue;
    const i = lastCalledBy(list, call, toReportMs(s.time) + sendSlackMs);
    if (i < 0) continue;
    let v = votes.get(s.src);
    if (v === undefined) votes.set(s.src, (v = new Map<number, number>()));
    const p = process[list[i]!]!;
    v.set(p, (v.get(p) ?? 0) + 1);
  }
  const processOf = new Map(
    [...votes].map(([client, v]) => [client, [...v].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]]),
  );
  const owner = new Map<string, number>();
  for (const s of requests) {
    const p = processOf.get(s.src);
    if (p === undefined) continue;
    const list = byProcess.get(String(p))!;
    const i = lastCalledBy(list, call, toReportMs(s.time) + sendSlackMs);
    if (i >= 0) owner.set(`${s.src} ${s.msg_id}`, list[i]!);
  }
  return owner;
}

/**
 * The history's origin on the wall clock, checked against the log: a client sends its request as soon as its
 * invoke is recorded, so on each node the k-th request follows the k-th invoke. A scheduler stall between the
 * recorder's two clock readings makes the recorded origin late, and requests then seem to precede their
 * invokes; the origin is then moved back to the earliest it can be with every request after its invoke (on
 * nodes whose counts of requests and invokes agree, so the pairing is sound). Never moved forward.
 */
export function placedOrigin(
  events: readonly MessageLogEvent[],
  data: ReportData,
  nodeNames: readonly string[],
  historyOriginEpochMs: number,
): number {
  const nodes = new Set([...nodeNames, ...data.nodeNames]);
  const requests = new Map<string, number[]>();
  for (const e of events)
    if (e.event === 'send' && e.id >= 0 && !nodes.has(e.src) && e.msg_id !== undefined && e.in_reply_to === undefined) {
      let list = requests.get(e.dest);
      if (list === undefined) requests.set(e.dest, (list = []));
      list.push(e.time);
    }
  const invokes = groupBy(data.ops.count, (op) => data.nodeNames[data.ops.node[op] ?? -1], data.ops.call);
  let earliest = historyOriginEpochMs;
  for (const [node, ops] of invokes) {
    const sent = requests.get(node);
    if (sent === undefined || sent.length !== ops.length) continue;
    sent.sort((a, b) => a - b);
    // send = origin + originMs + call + gap, gap >= 0: origin <= send - originMs - call.
    ops.forEach((op, k) => {
      earliest = Math.min(earliest, sent[k]! - data.originMs - data.ops.call[op]!);
    });
  }
  return earliest;
}

/**
 * The diagram of the anomaly's messages, or null when it cites no op with a time. `historyOriginEpochMs`
 * places the log's wall-clock times on the history's clock.
 */
export function messageDiagram(
  events: readonly MessageLogEvent[],
  data: ReportData,
  anomaly: ReportAnomaly,
  nodeNames: readonly string[],
  historyOriginEpochMs: number,
  cap = maxDiagramArrows,
): MessageDiagram | null {
  const origin = placedOrigin(events, data, nodeNames, historyOriginEpochMs);
  const toReportMs = (epochMs: number) => epochMs - origin - data.originMs;
  const cited = anomaly.ops.filter((op) => op >= 0 && op < data.ops.count);
  if (cited.length === 0) return null;
  const start = Math.min(...cited.map((op) => data.ops.call[op]!));
  const end = Math.max(...cited.map((op) => Math.max(data.ops.call[op]!, data.ops.ret[op]!)));
  const nodes = new Set([...nodeNames, ...data.nodeNames]);
  const byId = new Map<number, Sent>();
  const sends: MessageLogEvent[] = [];
  for (const e of events) {
    if (e.id < 0) continue;
    if (e.event === 'send') {
      byId.set(e.id, { send: e, ends: [] });
      sends.push(e);
    } else byId.get(e.id)?.ends.push(e);
  }
  const owner = requestOps(sends, data, nodes, toReportMs);
  const citedSet = new Set(cited);
  const opOf = (s: MessageLogEvent): number | null => {
    const fromClient = !isNode(nodes, s.src);
    const key = fromClient ? `${s.src} ${s.msg_id ?? ''}` : `${s.dest} ${s.in_reply_to ?? ''}`;
    if (!fromClient && isNode(nodes, s.dest)) return null;
    return owner.get(key) ?? null;
  };
  const arrows: DiagramArrow[] = [];
  let leftOut = 0;
  let otherClients = 0;
  for (const s of sends) {
    const sentAt = toReportMs(s.time);
    if (sentAt < start - sendSlackMs || sentAt > end) continue;
    const op = opOf(s);
    const betweenNodes = isNode(nodes, s.src) && isNode(nodes, s.dest);
    if (!betweenNodes && (op === null || !citedSet.has(op))) {
      otherClients++;
      continue;
    }
    const ends = byId.get(s.id)!.ends;
    const outcomes = ends.length === 0 ? [null] : ends;
    for (const e of outcomes) {
      if (arrows.length >= cap) {
        leftOut++;
        continue;
      }
      arrows.push({
        id: s.id,
        src: s.src,
        dest: s.dest,
        type: s.type,
        sentAt,
        endAt: e === null ? null : toReportMs(e.time),
        dropped: e?.event === 'drop' ? (e.reason ?? 'dropped') : null,
        duplicate: e?.copy === 1,
        op,
      });
    }
  }
  // Lanes: clients in order of appearance (with the process of their op), then nodes in their natural order.
  const clientLabel = new Map<string, string>();
  for (const a of arrows) {
    const client = isNode(nodes, a.src) ? (isNode(nodes, a.dest) ? null : a.dest) : a.src;
    if (client === null || clientLabel.has(client)) continue;
    clientLabel.set(client, a.op === null ? client : `${client} · p${data.ops.process[a.op] ?? '?'}`);
  }
  const used = new Set(arrows.flatMap((a) => [a.src, a.dest]));
  const nodeLanes = [...nodes]
    .filter((n) => used.has(n) || nodeNames.includes(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return {
    anomaly,
    lanes: [
      ...[...clientLabel].map(([name, label]) => ({ name, label })),
      ...nodeLanes.map((n) => ({ name: n, label: n })),
    ],
    arrows,
    window: { start, end },
    leftOut,
    otherClients,
  };
}
