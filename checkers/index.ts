// The checkers' public surface for the harness and the report: the one analysis entry, the checker list and
// the model hierarchy.
export {
  analyze,
  defaultTimeBudgetMs,
  exitCodeFor,
  exitCodeOf,
  interruptedReason,
  notCheckedAnalysis,
  nothingObserved,
  settleByHierarchy,
  verdictExitCodes,
  whyNotApplicable,
  worstVerdict,
} from './analyze.ts';
export type { Analysis, AnalysisOptions, VerdictExitCode } from './analyze.ts';
export { checkersForWorkloadModel, getChecker, listCheckers, registeredCheckers } from './registry.ts';
export type { RegisteredChecker } from './registry.ts';
export type { HistoryShape } from './historyShape.ts';
export { claimVerdict, impliedModels, modelImplications, profileCheckers } from './modelHierarchy.ts';
export type { Anomaly, CheckOptions, CheckResult, ConsistencyChecker, Verdict, ViolationDetail } from './result.ts';
