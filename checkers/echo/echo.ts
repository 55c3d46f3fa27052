// The echo checker (Maelstrom's echo workload): every acknowledged echo returned the payload it sent. An
// indeterminate or failed echo returned nothing, so it is not checked; a history with no acknowledged echo is
// unknown, never valid. One pass: O(n).
import type { Operation, Value } from '../history.ts';
import type { CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import { historyIndices, timedResult } from '../result.ts';
import { opAt, plural, showValue } from '../explanationText.ts';
import { onlyOpsOf, opOfAnotherKind } from '../oneKindOfOp.ts';
// Objects equal by their keys in any order: a node may reorder an object's keys.
import { sameValue } from '../models/model.ts';

const name = 'echo';
const model = 'echo: every acknowledged echo returns the payload it sent';

/** At most this many mismatched echoes are listed in the anomaly's detail. */
const MAX_LISTED = 100;

/** A payload as JSON, so the string "7" reads apart from the integer 7; long ones cut. */
const show = (v: Value): string => showValue(JSON.stringify(v), 60);

/** Linear: the budgets of CheckOptions are never approached, so they are not consulted. */
export function checkEcho(operations: readonly Operation[], _options: CheckOptions = {}): CheckResult {
  const { stats, done } = timedResult(name, model, operations.length);
  const other = opOfAnotherKind(name, 'echo', operations);
  if (other !== undefined) return done('unknown', [], other);
  const acknowledged = operations.filter((o) => o.status === 'ok');
  const mismatched = acknowledged.filter((o) => !sameValue(o.input, o.output));
  stats['echoed'] = acknowledged.length;
  stats['unchecked'] = operations.length - acknowledged.length;
  if (acknowledged.length === 0) return done('unknown', [], 'no echo was acknowledged, so no reply could be checked');
  stats['mismatched'] = mismatched.length;
  if (mismatched.length === 0) return done(true, []);
  const first = mismatched[0]!;
  const listed = mismatched.slice(0, MAX_LISTED);
  return done(false, [
    {
      type: 'echo-mismatch',
      ops: listed.map((o) => o.id),
      indices: historyIndices(listed.slice(0, 20)),
      explanation: `${plural(mismatched.length, 'acknowledged echo', 'acknowledged echoes')} returned something other than what was sent: ${opAt(first)} sent ${show(first.input)} and got back ${show(first.output)}`,
      detail: {
        echoes: listed.map((o) => ({ op: o.id, sent: o.input, received: o.output })),
        omitted: mismatched.length - listed.length,
      },
    },
  ]);
}

export const echoChecker: ConsistencyChecker = {
  name,
  model,
  description: 'Echo: every acknowledged echo op returned the payload it sent (indeterminate ones are not checked)',
  appliesTo: onlyOpsOf('echo'),
  check: (operations, options) => checkEcho(operations, options),
};
