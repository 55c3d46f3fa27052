// The maelstrom system's in-process network (issue 20): messages per second routed between 25 endpoints, and
// the latency the router adds (send to delivery, no faults, no configured latency), at p50/p99, under a light
// load (one message in flight per endpoint) and under a heavy one (40 each). Each endpoint answers every
// message it gets with a message to another endpoint, as gossiping nodes do; no processes, no stdio: the
// router alone. Targets from the issue: >= 100,000 messages/s, p99 added latency < 1 ms without faults. The
// latency target is the light load's: under the heavy one a message waits behind the ~1,000 others in flight
// (Little's law: in flight / rate), which is queueing in the load, not the router's own cost.
import { MaelstromNetwork } from '../systems-under-test/maelstrom/maelstromNetwork.ts';
import type { MaelstromMessage } from '../systems-under-test/maelstrom/maelstromNetwork.ts';
import { MaelstromRouter } from '../systems-under-test/maelstrom/maelstromRouter.ts';
import type { MessageEvent } from '../systems-under-test/maelstrom/maelstromRouter.ts';

const endpoints = 25;
const runMs = 2000;

function line(label: string, value: string, target?: string, met?: boolean): void {
  const verdict = target === undefined ? '' : `  (target ${target}: ${met === true ? 'met' : 'MISSED'})`;
  process.stdout.write(`${label.padEnd(66)} ${value}${verdict}\n`);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(inFlightPerEndpoint: number, recordEvents: boolean): Promise<Figures> {
  const recorded: MessageEvent[] = [];
  const router = new MaelstromRouter(new MaelstromNetwork(1), {
    // Keeps the last event, as a log writer would hold it until written.
    ...(recordEvents && {
      onEvent: (e: MessageEvent) => {
        recorded[0] = e;
      },
    }),
  });
  const names = Array.from({ length: endpoints }, (_, i) => `n${i + 1}`);
  const latencies = new Float64Array(4_000_000);
  let delivered = 0;
  let measuring = true;
  let next = 0;
  for (const [i, name] of names.entries()) {
    router.attach(name, (m: MaelstromMessage) => {
      if (!measuring) return;
      const sentAt = m.body['sentAt'] as number;
      if (delivered < latencies.length) latencies[delivered] = performance.now() - sentAt;
      delivered++;
      // Answer someone else: a deterministic spread over the other endpoints.
      next = (next + 7) % endpoints;
      const dest = names[next === i ? (next + 1) % endpoints : next]!;
      router.send({ src: name, dest, body: { type: 'gossip', msg_id: delivered, sentAt: performance.now() } });
    });
  }
  const started = performance.now();
  for (const [i, name] of names.entries())
    for (let k = 0; k < inFlightPerEndpoint; k++)
      router.send({
        src: name,
        dest: names[(i + 1 + k) % endpoints]!,
        body: { type: 'gossip', msg_id: k, sentAt: performance.now() },
      });
  await new Promise((resolve) => setTimeout(resolve, runMs));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  router.close();
  const sorted = latencies.slice(0, Math.min(delivered, latencies.length)).sort();
  return { perSecond: delivered / elapsed, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

for (const [label, inFlight, record] of [
  ['light load (1 in flight per endpoint)', 1, false],
  ['heavy load (40 in flight per endpoint)', 40, false],
  ['heavy load, every event to a message-log callback', 40, true],
] as const) {
  const f = await measure(inFlight, record);
  line(`${label}: messages/s`, Math.round(f.perSecond).toLocaleString('en-US'), '>= 100,000', f.perSecond >= 100_000);
  line(`${label}: added latency p50`, `${f.p50.toFixed(3)} ms`);
  if (inFlight === 1) line(`${label}: added latency p99`, `${f.p99.toFixed(3)} ms`, '< 1 ms', f.p99 < 1);
  else
    line(`${label}: added latency p99`, `${f.p99.toFixed(3)} ms (queueing behind ${inFlight * endpoints} in flight)`);
}
