// The session-guarantee checkers as the registry lists them: one per guarantee, and 'session' for all four
// together (which is stronger than the four verdicts apart: their constraints can close a cycle jointly).
import { isSingleOpHistory } from '../causal/registerHistory.ts';
import type { ConsistencyChecker } from '../result.ts';
import type { SessionGuarantee } from './sessionGuarantees.ts';
import { SESSION_GUARANTEES, checkSessionGuarantees, guaranteeNames } from './sessionGuarantees.ts';

const descriptions: Record<SessionGuarantee, string> = {
  'monotonic-reads': 'Monotonic reads, per key: a process never reads a value older than one it already read.',
  'monotonic-writes': 'Monotonic writes, per key: one write order in which each process’s writes keep their order.',
  'read-your-writes': 'Read your writes, per key: a process sees its own earlier writes (or newer values).',
  'writes-follow-reads':
    'Writes follow reads, per key: a write is ordered after the values its process read before it.',
};

export const sessionGuaranteeCheckers: ConsistencyChecker[] = SESSION_GUARANTEES.map((g) => ({
  appliesTo: isSingleOpHistory,
  name: g,
  model: guaranteeNames[g],
  description: descriptions[g],
  check: (operations, options) =>
    checkSessionGuarantees([g], operations, options, { checker: g, model: guaranteeNames[g] }),
}));

export const sessionChecker: ConsistencyChecker = {
  appliesTo: isSingleOpHistory,
  name: 'session',
  model: 'session guarantees (MR + MW + RYW + WFR)',
  description:
    'All four session guarantees at once, per key: monotonic reads and writes, read your writes, writes follow reads.',
  check: (operations, options) =>
    checkSessionGuarantees(SESSION_GUARANTEES, operations, options, {
      checker: 'session',
      model: 'session guarantees (MR + MW + RYW + WFR)',
    }),
};
