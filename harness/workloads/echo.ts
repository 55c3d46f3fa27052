// echo: each op sends a payload and expects the same payload back (Maelstrom's echo workload, the first of
// its challenges). Checks: every acknowledged echo returned exactly what it sent.
import type { GeneratorCore } from './workload.ts';
import { defineWorkload } from './workload.ts';

export const echo = defineWorkload({
  name: 'echo',
  description: 'send a payload and get it back; every acknowledged echo must return what it sent',
  model: 'echo',
  fs: ['echo'],
  defaultMix: { echo: 1 },
  multiKey: false,
  // Any value fits: a reply that differs from the payload is what the echo checker judges, and recording it
  // as info (what a misfit becomes) would hide it from that checker.
  checkCompletion: () => undefined,
  create: (): GeneratorCore<{ sent: number }> => ({
    initial: { sent: 0 },
    // A payload unique per run, so an echo answered with another op's payload is caught too.
    next: (state) => ({ op: { f: 'echo', value: `Please echo ${state.sent + 1}` }, state: { sent: state.sent + 1 } }),
    finalReads: () => [],
  }),
});
