// A small EDN reader: enough for Jepsen, Knossos and Elle histories (maps, vectors, lists, sets, keywords,
// symbols, strings, numbers, nil/true/false, comments, #_ discards and tagged literals). Keywords and symbols
// become plain strings without the colon; sets and lists become arrays; a tagged literal becomes its form.
import type { Value } from '../../../checkers/history.ts';

export class EdnSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number, source: string) {
    super(`${source}:${line}:${column}: ${message}`);
    this.name = 'EdnSyntaxError';
    this.line = line;
    this.column = column;
  }
}

const delimiters = new Set(['(', ')', '[', ']', '{', '}', '"', ';', ',', ' ', '\t', '\n', '\r', '\f']);
const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class EdnReader {
  private pos = 0;
  private readonly text: string;
  private readonly source: string;
  constructor(text: string, source: string) {
    this.text = text;
    this.source = source;
  }

  private error(message: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new EdnSyntaxError(message, line, at - lineStart + 1, this.source);
  }

  /** Skips whitespace, commas and comments; returns false at the end of input. */
  private skip(): boolean {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === ';') {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl === -1 ? t.length : nl + 1;
      } else if (c === ' ' || c === ',' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
        this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  /** Reads every top-level form. */
  readAll(): Value[] {
    const forms: Value[] = [];
    while (this.skip()) {
      const form = this.readForm();
      if (form !== discarded) forms.push(form);
    }
    return forms;
  }

  private readForm(): Value | typeof discarded {
    if (!this.skip()) this.error('unexpected end of input');
    const t = this.text;
    const c = t[this.pos]!;
    switch (c) {
      case '[':
      case '(':
        return this.readSequence(closers[c]!);
      case '{':
        return this.readMap();
      case '"':
        return this.readString();
      case ')':
      case ']':
      case '}':
        return this.error(`unexpected '${c}'`);
      case '#':
        return this.readDispatch();
      case '\\': {
        // A character literal, e.g. \a or \newline: read as a one-character string.
        const start = ++this.pos;
        while (this.pos < t.length && !delimiters.has(t[this.pos]!)) this.pos++;
        const name = t.slice(start, this.pos);
        const named: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r' };
        return named[name] ?? name;
      }
      default:
        return this.readAtom();
    }
  }

  private readSequence(close: string): Value[] {
    this.pos++;
    const items: Value[] = [];
    for (;;) {
      if (!this.skip()) this.error(`missing '${close}'`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      const form = this.readForm();
      if (form !== discarded) items.push(form);
    }
  }

  private readMap(): { [key: string]: Value } {
    const start = this.pos;
    const items = this.readSequence('}');
    if (items.length % 2 !== 0) this.error('a map needs an even number of forms', start);
    const map: { [key: string]: Value } = {};
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i]!;
      map[typeof k === 'string' ? k : JSON.stringify(k)] = items[i + 1]!;
    }
    return map;
  }

  private readString(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '"') {
        out += t.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\\') {
        out += t.slice(chunk, this.pos);
        const e = t[this.pos + 1];
        const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
        if (e === 'u') {
          out += String.fromCharCode(parseInt(t.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          out += (e !== undefined ? escapes[e] : undefined) ?? e ?? '';
          this.pos += 2;
        }
        chunk = this.pos;
      } else {
        this.pos++;
      }
    }
    return this.error('unterminated string', start);
  }

  private readDispatch(): Value | typeof discarded {
    const t = this.text;
    const next = t[this.pos + 1];
    if (next === '{') {
      this.pos++;
      return this.readSequence('}');
    }
    if (next === '_') {
      this.pos += 2;
      this.readForm();
      return discarded;
    }
    // A tagged literal (#inst "...", #object[...], #jepsen.history.Op{...}): keep the form, drop the tag.
    this.pos++;
    while (this.pos < t.length && !delimiters.has(t[this.pos]!)) this.pos++;
    return this.readForm();
  }

  private readAtom(): Value {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !delimiters.has(t[this.pos]!)) this.pos++;
    const token = t.slice(start, this.pos);
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token.startsWith(':')) return token.slice(1);
    if (/^[+-]?\d+N?$/.test(token)) return Number(token.replace(/N$/, ''));
    if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?M?$/.test(token)) return Number(token.replace(/M$/, ''));
    if (/^[+-]?\d+\/\d+$/.test(token)) {
      const [n, d] = token.split('/').map(Number);
      return n! / d!;
    }
    return token;
  }
}

const discarded = Symbol('discarded');

/** Parses every top-level EDN form in `text`. `source` names the file in errors. */
export function parseEdn(text: string, source = 'input.edn'): Value[] {
  return new EdnReader(text, source).readAll();
}
