// For checkers that read ops of one function only (unique-ids reads generates, echo echoes): when they
// apply, and why a history with any other op is theirs to leave unknown.
import type { Operation } from './history.ts';
import { escapeControl, opAt } from './explanationText.ts';

/** appliesTo of such a checker: a history of `f` ops and nothing else. */
export function onlyOpsOf(f: string): (operations: readonly Operation[]) => boolean {
  return (operations) => operations.length > 0 && operations.every((o) => o.f === f);
}

/** Why the checker `checker` cannot judge this history (an op of another function in it), or undefined. */
export function opOfAnotherKind(checker: string, f: string, operations: readonly Operation[]): string | undefined {
  const other = operations.find((o) => o.f !== f);
  return other === undefined
    ? undefined
    : `the ${checker} checker reads ${f} ops only, but ${opAt(other)} is a ${escapeControl(other.f)}`;
}
