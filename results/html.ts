// Server-side HTML building for the report and the store index. Every interpolated value is escaped unless it
// is already SafeHtml, so a value a system returned (`<script>`) can only ever show up as text.

const safeHtmlBrand: unique symbol = Symbol('SafeHtml');

/** HTML that is known to be safe to insert: built by `html` or explicitly trusted with `rawHtml`. */
export interface SafeHtml {
  readonly [safeHtmlBrand]: true;
  readonly html: string;
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/** Marks a string as trusted HTML. Only for markup faultline itself wrote (bundled scripts, CSS). */
export function rawHtml(html: string): SafeHtml {
  return { [safeHtmlBrand]: true, html };
}

function isSafeHtml(v: unknown): v is SafeHtml {
  return typeof v === 'object' && v !== null && safeHtmlBrand in v;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafeHtml(value)) return value.html;
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.map(render).join('');
}

/** Tagged template: `html\`<td>${userText}</td>\`` escapes userText; arrays are joined; null/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return rawHtml(out);
}

/**
 * JSON for a `<script type="application/json">` island. Escaping `<` (and the JS line separators) means no
 * value can close the script element or open a comment, whatever it contains.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline script text: a bundled script must not contain `</script` (esbuild escapes it, but make sure). */
export function scriptText(js: string): SafeHtml {
  return rawHtml(js.replace(/<\/(script)/gi, '<\\/$1'));
}
