// The options `run`, `matrix` and `check` share: the checkers' time and memory budgets and the progress mode,
// declared once so their names, units, parsing and error words cannot drift apart.
import { Option } from '@commander-js/extra-typings';
import type { CheckBudgets } from '../../run/runChecks.ts';
import { UserError } from '../../errors.ts';

/** A positive number of `unit`s, scaled to the analysis' unit; anything else is a usage error naming the option. */
export function parsePositive(name: string, unit: string, scale: number) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
      throw new UserError(`${name} must be a positive number of ${unit}, not '${text}'`, undefined, 'usage');
    return Math.round(n * scale);
  };
}

/** `--time-budget <seconds>`, in ms; `overrides` says what it takes the place of (a campaign's setting, a default). */
export function timeBudgetOption(overrides: string) {
  return new Option(
    '--time-budget <seconds>',
    `per checker: give up with verdict unknown after this long (${overrides})`,
  ).argParser(parsePositive('--time-budget', 'seconds', 1000));
}

/** `--memory-budget <MiB>`, in bytes. */
export function memoryBudgetOption(overrides: string) {
  return new Option(
    '--memory-budget <MiB>',
    `per checker: give up with verdict unknown beyond this much search memory (${overrides})`,
  ).argParser(parsePositive('--memory-budget', 'MiB', 1024 * 1024));
}

export function progressOption() {
  return new Option('--progress <mode>', 'live status line or plain lines')
    .choices(['auto', 'live', 'plain'] as const)
    .default('auto' as const);
}

/** The budgets the options gave, for the run's checks (absent ones left to the campaign and the defaults). */
export function checkBudgetsFrom(opts: { timeBudget?: number; memoryBudget?: number }): CheckBudgets {
  return {
    ...(opts.timeBudget !== undefined && { timeBudgetMs: opts.timeBudget }),
    ...(opts.memoryBudget !== undefined && { memoryBudgetBytes: opts.memoryBudget }),
  };
}
