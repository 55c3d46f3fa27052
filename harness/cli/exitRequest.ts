// How a command tells the CLI's entry point how the process should end: main.ts is the only place that sets
// the exit code or calls process.exit, so a command asks here instead.
export interface ExitRequest {
  code: number;
  /**
   * End the process this long after the command returns if something (a plug-in's stray socket or timer)
   * still holds it open, naming what does. Unset: wait for the event loop to empty.
   */
  exitAfterMs?: number;
  /** End the process now, from a signal handler (a second Ctrl-C, a signal during a report). */
  now?: boolean;
}

export type RequestExit = (request: ExitRequest) => void;
