// The one piece of shared state in the page: which ops are highlighted (an anomaly's) and which op is
// selected. The timeline, the table and the anomaly cards all follow it.

export interface SelectionState {
  highlighted: ReadonlySet<number>;
  /** The anomaly whose ops are highlighted, if any. */
  anomaly: number | null;
  selected: number | null;
}

export type SelectionListener = (state: SelectionState, reason: 'highlight' | 'select') => void;

export class Selection {
  private _state: SelectionState = { highlighted: new Set(), anomaly: null, selected: null };
  private readonly _listeners: SelectionListener[] = [];

  get state(): SelectionState {
    return this._state;
  }

  subscribe(listener: SelectionListener): void {
    this._listeners.push(listener);
  }

  highlight(ops: readonly number[], anomaly: number | null): void {
    this._state = { ...this._state, highlighted: new Set(ops), anomaly };
    for (const l of this._listeners) l(this._state, 'highlight');
  }

  select(op: number | null): void {
    this._state = { ...this._state, selected: op };
    for (const l of this._listeners) l(this._state, 'select');
  }
}
