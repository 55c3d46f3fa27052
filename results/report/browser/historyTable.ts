// The history as a searchable, filterable table. Only the rows in view exist in the DOM (fixed row height,
// absolutely positioned), so 100,000 ops scroll as smoothly as 100.
import { formatDuration, formatRunTime } from '../format.ts';
import type { ReportData } from '../model.ts';
import { statusNames, valueText } from './describeOp.ts';
import { el } from './element.ts';
import type { Selection } from './selection.ts';

const rowHeight = 24;
const overscan = 10;
const columns = ['op', 'process', 'f', 'key', 'input', 'output', 'status', 'invoked', 'latency', 'node', 'error'];

export class HistoryTable {
  private readonly _data: ReportData;
  private readonly _selection: Selection;
  private readonly _scroll: HTMLDivElement;
  private readonly _body: HTMLDivElement;
  private readonly _count: HTMLSpanElement;
  private readonly _search: HTMLInputElement;
  private readonly _status: HTMLSelectElement;
  private readonly _f: HTMLSelectElement;
  private readonly _key: HTMLSelectElement;
  private readonly _onlyHighlighted: HTMLInputElement;
  /** Lower-cased text per op, built on the first search. */
  private _haystack: string[] | null = null;
  private _rows: Int32Array = new Int32Array(0);
  private _frame = 0;

  constructor(root: HTMLElement, data: ReportData, selection: Selection) {
    this._data = data;
    this._selection = selection;
    this._search = el('input', {
      attrs: {
        type: 'search',
        placeholder: 'Search values, errors, keys, processes…',
        'aria-label': 'Search the history',
      },
    });
    this._status = el(
      'select',
      { attrs: { 'aria-label': 'Outcome' } },
      ...['all outcomes', ...statusNames].map((s) => el('option', { text: s })),
    );
    this._f = el(
      'select',
      { attrs: { 'aria-label': 'Operation' } },
      ...['all ops', ...data.fNames].map((s) => el('option', { text: s })),
    );
    // Multi-key workloads: one key's sub-history is what a per-key checker looked at.
    this._key = el(
      'select',
      { attrs: { 'aria-label': 'Key' } },
      ...['all keys', ...data.keys.slice(0, 1000)].map((s) => el('option', { text: s })),
    );
    this._key.hidden = data.keys.length === 0;
    this._onlyHighlighted = el('input', { attrs: { type: 'checkbox' } });
    this._count = el('span', { className: 'history-count grow' });
    const toolbar = el(
      'div',
      { className: 'toolbar' },
      this._search,
      this._status,
      this._f,
      this._key,
      el('label', {}, this._onlyHighlighted, ' only the highlighted anomaly'),
      this._count,
    );
    const header = el('div', { className: 'history-header' }, ...columns.map((c) => el('div', { text: c })));
    this._body = el('div', { className: 'history-body' });
    this._scroll = el('div', { className: 'history-scroll' }, header, this._body);
    root.append(toolbar, el('div', { className: 'history-table' }, this._scroll));
    let debounce = 0;
    this._search.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = window.setTimeout(() => {
        this._filter();
      }, 150);
    });
    for (const control of [this._status, this._f, this._key, this._onlyHighlighted])
      control.addEventListener('change', () => {
        this._filter();
      });
    this._scroll.addEventListener('scroll', () => {
      this._schedule();
    });
    this._body.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.history-row');
      if (row?.dataset.op !== undefined) this._selection.select(Number(row.dataset.op));
    });
    selection.subscribe((state, reason) => {
      if (reason === 'highlight' && this._onlyHighlighted.checked) this._filter();
      else this._schedule();
      if (reason === 'select' && state.selected !== null) this.reveal(state.selected);
    });
    this._filter();
  }

  private _text(id: number): string {
    const { ops } = this._data;
    const key = ops.key[id] ?? -1;
    const node = ops.node[id] ?? -1;
    return [
      `#${id}`,
      `p${ops.process[id]}`,
      this._data.fNames[ops.f[id] ?? 0],
      key >= 0 ? this._data.keys[key] : '',
      JSON.stringify(ops.input[id]),
      JSON.stringify(ops.output[id]),
      statusNames[ops.status[id] ?? 2],
      node >= 0 ? this._data.nodeNames[node] : '',
      ops.error[id] ?? '',
    ]
      .join(' ')
      .toLowerCase();
  }

  private _filter(): void {
    const { ops } = this._data;
    const query = this._search.value.trim().toLowerCase();
    const status = this._status.selectedIndex - 1;
    const f = this._f.selectedIndex - 1;
    const key = this._key.selectedIndex - 1;
    const only = this._onlyHighlighted.checked ? this._selection.state.highlighted : null;
    if (query !== '' && this._haystack === null) {
      this._haystack = [];
      for (let id = 0; id < ops.count; id++) this._haystack.push(this._text(id));
    }
    const out = new Int32Array(ops.count);
    let n = 0;
    for (let id = 0; id < ops.count; id++) {
      if (status >= 0 && ops.status[id] !== status) continue;
      if (f >= 0 && ops.f[id] !== f) continue;
      if (key >= 0 && ops.key[id] !== key) continue;
      if (only !== null && !only.has(id)) continue;
      if (query !== '' && !this._haystack![id]!.includes(query)) continue;
      out[n++] = id;
    }
    this._rows = out.subarray(0, n);
    this._body.style.height = `${n * rowHeight}px`;
    // Short histories get a short table; long ones scroll inside 480 px.
    this._scroll.style.height = `${Math.min(480, (n + 1) * rowHeight + 8)}px`;
    this._count.textContent = `${n.toLocaleString()} of ${ops.count.toLocaleString()} ops`;
    this._paint();
  }

  /** Scrolls the table to an op, if the filters let it through. */
  reveal(id: number): void {
    const position = this._rows.indexOf(id);
    if (position < 0) return;
    const top = position * rowHeight;
    if (top < this._scroll.scrollTop || top > this._scroll.scrollTop + this._scroll.clientHeight - 2 * rowHeight) {
      this._scroll.scrollTop = Math.max(0, top - this._scroll.clientHeight / 2);
    }
    this._paint();
  }

  private _schedule(): void {
    if (this._frame !== 0) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._paint();
    });
  }

  private _paint(): void {
    const { ops } = this._data;
    const first = Math.max(0, Math.floor(this._scroll.scrollTop / rowHeight) - overscan);
    const last = Math.min(
      this._rows.length,
      Math.ceil((this._scroll.scrollTop + this._scroll.clientHeight) / rowHeight) + overscan,
    );
    const { highlighted, selected } = this._selection.state;
    const rows: HTMLElement[] = [];
    for (let position = first; position < last; position++) {
      const id = this._rows[position]!;
      const status = ops.status[id] ?? 2;
      const call = ops.call[id] ?? 0;
      const ret = ops.ret[id] ?? -1;
      const key = ops.key[id] ?? -1;
      const node = ops.node[id] ?? -1;
      const cells = [
        `#${id}`,
        `p${ops.process[id]}`,
        this._data.fNames[ops.f[id] ?? 0] ?? '',
        key >= 0 ? (this._data.keys[key] ?? '') : '',
        ops.input[id] === null ? '' : valueText(ops.input[id]),
        status === 0 ? valueText(ops.output[id]) : '',
        statusNames[status],
        formatRunTime(call),
        ret < 0 || status === 2 ? '?' : formatDuration(ret - call),
        node >= 0 ? (this._data.nodeNames[node] ?? '') : '',
        ops.error[id] ?? '',
      ];
      const row = el(
        'div',
        {
          className: `history-row${highlighted.has(id) ? ' highlighted' : ''}${selected === id ? ' selected' : ''}`,
          attrs: { 'data-op': String(id) },
        },
        ...cells.map((text, i) => el('div', { text, title: text, className: i === 6 ? `st-${text}` : '' })),
      );
      row.style.top = `${position * rowHeight}px`;
      rows.push(row);
    }
    this._body.replaceChildren(...rows);
  }
}
