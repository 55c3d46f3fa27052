// Playwright's SigIntWatcher: the first Ctrl-C (or SIGTERM) interrupts the run so teardown heals faults and
// stops nodes; npm's duplicate SIGINT within 1 s is ignored. A second signal after that stops the process at
// once: `onForcedExit` says what teardown had not yet removed and how to remove it, and ends the process (the
// CLI's entry point does, exit 130).

export interface SigIntWatcherOptions {
  /** Called on the second signal: say what is left and how to clean it, then end the process. */
  onForcedExit(): void;
}

export class SigIntWatcher {
  readonly promise: Promise<void>;
  private _hadSignal = false;
  private _armedForSecond = false;
  private readonly _handler: () => void;
  private _timer: NodeJS.Timeout | undefined;

  constructor(options: SigIntWatcherOptions) {
    let resolve!: () => void;
    this.promise = new Promise<void>((r) => (resolve = r));
    this._handler = () => {
      if (this._hadSignal) {
        if (!this._armedForSecond) return;
        this.disarm();
        options.onForcedExit();
        return;
      }
      this._hadSignal = true;
      resolve();
      this._timer = setTimeout(() => {
        this._armedForSecond = true;
      }, 1000);
      this._timer.unref();
    };
    process.on('SIGINT', this._handler);
    process.on('SIGTERM', this._handler);
  }

  hadSignal(): boolean {
    return this._hadSignal;
  }

  disarm(): void {
    clearTimeout(this._timer);
    process.off('SIGINT', this._handler);
    process.off('SIGTERM', this._handler);
  }
}
