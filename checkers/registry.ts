// Every consistency checker by name, for `faultline check --checker NAME`, `faultline list`, campaign files
// and the consistency profile. Each checker module adds itself here.
import type { ConsistencyChecker } from './result.ts';

const checkers = new Map<string, ConsistencyChecker>();

export function registerChecker(checker: ConsistencyChecker): void {
  if (checkers.has(checker.name)) throw new Error(`checker ${checker.name} is registered twice`);
  checkers.set(checker.name, checker);
}

export function getChecker(name: string): ConsistencyChecker | undefined {
  return checkers.get(name);
}

export function listCheckers(): ConsistencyChecker[] {
  return [...checkers.values()];
}
