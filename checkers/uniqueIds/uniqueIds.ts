// The unique-ids checker (Maelstrom's unique-ids workload): every acknowledged generate returned an id that no
// other acknowledged generate returned. An indeterminate generate returned nothing, so it constrains nothing.
// One pass with a map from id to the ops that returned it: O(n).
import type { Operation } from '../history.ts';
import type { CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import { historyIndices, timedResult } from '../result.ts';
import { count, opAt, plural } from '../explanationText.ts';
import { onlyOpsOf, opOfAnotherKind } from '../oneKindOfOp.ts';

const name = 'unique-ids';
const model = 'unique ids: no two acknowledged generates return the same id';

/** At most this many duplicated ids are listed, each with the ops that returned it. */
const MAX_LISTED = 100;

/** Ids compare as Maelstrom's checker compares them: by value, so the integer 7 and the string "7" differ. */
const idKey = (v: Operation['output']): string => JSON.stringify(v) ?? 'undefined';

/** An id as JSON, so the string "7" reads apart from the integer 7; long ones cut. */
function showId(v: Operation['output']): string {
  const json = idKey(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Linear: the budgets of CheckOptions are never approached, so they are not consulted. */
export function checkUniqueIds(operations: readonly Operation[], _options: CheckOptions = {}): CheckResult {
  const { stats, done } = timedResult(name, model, operations.length);
  const other = opOfAnotherKind(name, 'generate', operations);
  if (other !== undefined) return done('unknown', [], other);
  const byId = new Map<string, Operation[]>();
  let acknowledged = 0;
  for (const op of operations) {
    if (op.status !== 'ok') continue;
    acknowledged++;
    const key = idKey(op.output);
    const same = byId.get(key);
    if (same === undefined) byId.set(key, [op]);
    else same.push(op);
  }
  stats['generated'] = acknowledged;
  if (acknowledged === 0) return done('unknown', [], 'no generate was acknowledged, so no id could be checked');
  const duplicated = [...byId.values()].filter((ops) => ops.length > 1);
  stats['duplicatedIds'] = duplicated.length;
  if (duplicated.length === 0) return done(true, []);
  const first = duplicated[0]!;
  const listed = duplicated.slice(0, MAX_LISTED);
  const ops = listed.flat();
  const more = duplicated.length > 1 ? `; ${count(duplicated.length - 1)} more ids were returned more than once` : '';
  return done(false, [
    {
      type: 'duplicate-id',
      ops: ops.map((o) => o.id),
      indices: historyIndices(ops.slice(0, 20)),
      explanation: `${plural(duplicated.length, 'id')} returned by more than one acknowledged generate: ${showId(first[0]!.output)} by ${first.map(opAt).join(' and ')}${more}`,
      detail: {
        ids: listed.map((same) => ({ id: same[0]!.output, ops: same.map((o) => o.id) })),
        omitted: duplicated.length - listed.length,
      },
    },
  ]);
}

export const uniqueIdsChecker: ConsistencyChecker = {
  name,
  model,
  description: 'Unique ids: no two acknowledged generate ops returned the same id (indeterminate ones returned none)',
  appliesTo: onlyOpsOf('generate'),
  check: (operations, options) => checkUniqueIds(operations, options),
};
