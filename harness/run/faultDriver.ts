// What the run needs from the nemesis: run a seeded fault schedule during the fault window, recording every
// fault's start and stop in the history, and heal everything (idempotent; it runs first and in teardown).
// `unavailable` lists requested faults that cannot be applied on these nodes, with the reason, for the
// run's output and results.json.

export interface FaultDriver {
  /** Faults this driver will apply (kinds, e.g. partition, kill). */
  readonly applied: readonly string[];
  readonly unavailable: readonly { fault: string; reason: string }[];
  /** Each applied kind's colour in the reports, so the store index can draw it without the fault packages. */
  readonly colors?: Readonly<Record<string, string>>;
  /** Environment the system's processes must start with for clock faults (libfaketime); absent otherwise. */
  readonly clockEnv?: Record<string, string>;
  /** Faults currently in effect, for the status line. */
  active(): string[];
  /** Runs the schedule until `signal` aborts (the end of the fault window); leaves faults active. */
  run(signal: AbortSignal): Promise<void>;
  /** Heals every fault this driver may have applied. Safe to call at any time, repeatedly. */
  healAll(): Promise<void>;
}

/** The driver for a campaign without faults. */
export function noFaults(unavailable: readonly { fault: string; reason: string }[] = []): FaultDriver {
  return {
    applied: [],
    unavailable,
    active: () => [],
    run: () => Promise.resolve(),
    healAll: () => Promise.resolve(),
  };
}
