import type { Value } from '../../checkers/history.ts';

/** A JSON copy, so interface-typed values fit the history's Value. */
export function toValue(x: unknown): Value {
  return JSON.parse(JSON.stringify(x)) as Value;
}
