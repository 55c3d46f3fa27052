// The store index's in-page code: filter the run table by text and verdict, sort it by a column.

declare global {
  interface Window {
    __ready?: boolean;
  }
}

function start(): void {
  const table = document.getElementById('runs');
  const body = table?.querySelector('tbody');
  const filter = document.getElementById('filter') as HTMLInputElement | null;
  const verdict = document.getElementById('verdict-filter') as HTMLSelectElement | null;
  const count = document.getElementById('run-count');
  if (table === null || body === null || body === undefined || filter === null || verdict === null) {
    window.__ready = true;
    return;
  }
  const rows = [...body.querySelectorAll<HTMLTableRowElement>('tr')];
  const text = new Map(rows.map((r) => [r, (r.textContent ?? '').toLowerCase()]));
  const apply = () => {
    const query = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const visible = (verdict.value === '' || row.dataset.verdict === verdict.value) && (query === '' || (text.get(row) ?? '').includes(query));
      row.hidden = !visible;
      if (visible) shown++;
    }
    if (count !== null) count.textContent = `${shown} of ${rows.length} runs`;
  };
  filter.addEventListener('input', apply);
  verdict.addEventListener('change', apply);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-campaign]')) {
    link.addEventListener('click', (e) => {
      e.preventDefault();
      filter.value = link.dataset.campaign ?? '';
      apply();
    });
  }
  const headers = [...table.querySelectorAll<HTMLTableCellElement>('thead th')];
  headers.forEach((th, column) => {
    const type = th.dataset.sortType;
    if (type === undefined) return;
    th.addEventListener('click', () => {
      const descending = th.getAttribute('aria-sort') === 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      const key = (row: HTMLTableRowElement) => {
        const cell = row.cells[column];
        return cell?.dataset.sort ?? cell?.textContent ?? '';
      };
      const compare = (a: HTMLTableRowElement, b: HTMLTableRowElement) =>
        type === 'number' ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b));
      rows.sort((a, b) => (descending ? -compare(a, b) : compare(a, b)));
      body.append(...rows);
    });
  });
  apply();
  window.__ready = true;
}

start();

export {};
