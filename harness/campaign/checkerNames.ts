// The checker names a campaign may use: whatever the checker registry holds.
import { listCheckers } from '../../checkers/registry.ts';

export function knownCheckerNames(): string[] {
  return listCheckers()
    .map((c) => c.name)
    .sort();
}
