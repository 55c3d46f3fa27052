// Playwright's SigIntWatcher: the first Ctrl-C (or SIGTERM) interrupts the run so teardown heals faults and
// stops nodes; npm's duplicate SIGINT within 1 s is ignored; after that the handler removes itself, so a
// second Ctrl-C kills the process the default way.

export class SigIntWatcher {
  readonly promise: Promise<void>;
  private _hadSignal = false;
  private readonly _handler: () => void;
  private _timer: NodeJS.Timeout | undefined;

  constructor() {
    let resolve!: () => void;
    this.promise = new Promise<void>((r) => (resolve = r));
    this._handler = () => {
      if (this._hadSignal) return;
      this._hadSignal = true;
      resolve();
      this._timer = setTimeout(() => {
        this.disarm();
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
