// A small EDN reader: enough for Jepsen, Knossos and Elle histories (maps, vectors, lists, sets, keywords,
// symbols, strings, numbers, nil/true/false, comments, #_ discards and tagged literals). Keywords and symbols
// become plain strings without the colon; sets and lists become arrays; a tagged literal becomes its form.
// EdnStream reads top-level forms from text pushed in pieces, holding only the form being read.
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

/** Thrown inside the reader when the text ends mid-form and more may follow; never escapes EdnStream. */
const incomplete = new Error('the text ends inside a form');

// By char code: a Set of one-character strings made token scanning a fifth of reading a kv log.
const isDelimiter = new Uint8Array(128);
for (const c of '()[]{}";, \t\n\r\f') isDelimiter[c.charCodeAt(0)] = 1;
const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class EdnReader {
  pos = 0;
  private readonly text: string;
  private readonly source: string;
  /** False while more text may follow: running out of text mid-form then means "wait", not an error. */
  private readonly final: boolean;
  /** Line and column of the text's first character in the whole file. */
  private readonly baseLine: number;
  private readonly baseColumn: number;
  constructor(text: string, source: string, final = true, baseLine = 1, baseColumn = 1) {
    this.text = text;
    this.source = source;
    this.final = final;
    this.baseLine = baseLine;
    this.baseColumn = baseColumn;
  }

  /** Line and column in the whole file of position `at` of this text. */
  where(at: number): { line: number; column: number } {
    let line = this.baseLine;
    let lineStart = -1;
    // indexOf, not a loop over every character: a stream asks this once per chunk it reads.
    for (let i = this.text.indexOf('\n'); i >= 0 && i < at; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i;
    }
    return { line, column: lineStart === -1 ? this.baseColumn + at : at - lineStart };
  }

  private error(message: string, at = this.pos): never {
    const { line, column } = this.where(at);
    throw new EdnSyntaxError(message, line, column, this.source);
  }

  /** An error for running out of text: only a real one when no more text can follow. */
  private endOfText(message: string, at = this.pos): never {
    if (!this.final) throw incomplete;
    return this.error(message, at);
  }

  /** Where a token ends; a token that runs to the end of text may continue in text not yet pushed. */
  private tokenEnd(from: number): number {
    const t = this.text;
    let i = from;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c < 128 && isDelimiter[c] === 1) break;
      i++;
    }
    if (i === t.length && !this.final) throw incomplete;
    return i;
  }

  /** Skips whitespace, commas and comments; returns false at the end of input. */
  skipToNext(): boolean {
    return this.skip();
  }

  private skip(): boolean {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === ';') {
        const nl = t.indexOf('\n', this.pos);
        if (nl === -1 && !this.final) throw incomplete;
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

  /** The next top-level form, or undefined at the end of the text. */
  readTopLevel(): Value | typeof discarded | undefined {
    return this.skip() ? this.readForm() : undefined;
  }

  private readForm(): Value | typeof discarded {
    if (!this.skip()) this.endOfText('unexpected end of input');
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
        this.pos = this.tokenEnd(start);
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
      if (!this.skip()) this.endOfText(`missing '${close}'`);
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
        if (this.pos + 6 >= t.length && !this.final) throw incomplete;
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
    return this.endOfText('unterminated string', start);
  }

  private readDispatch(): Value | typeof discarded {
    const t = this.text;
    if (this.pos + 1 >= t.length) this.endOfText('unexpected end of input after #');
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
    this.pos = this.tokenEnd(this.pos + 1);
    return this.readForm();
  }

  private readAtom(): Value {
    const t = this.text;
    const start = this.pos;
    this.pos = this.tokenEnd(start);
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

/**
 * Reads top-level forms from text pushed in pieces of any size, calling `onForm` with each form. Holds only the unfinished form. With `unwrap`, a file that opens with '[' or '(' has that
 * one enclosing sequence's items read as the top-level forms (Knossos writes a history as one vector).
 */
export class EdnStream {
  private pending = '';
  private line = 1;
  private column = 1;
  private readonly source: string;
  private readonly onForm: (form: Value, line: () => number) => void;
  private unwrap: boolean;
  /** The closing character of the enclosing sequence being unwrapped, once its opening is read. */
  private closer: string | null = null;
  private closed = false;

  /** `onForm` gets each form and, to name it in an error, a function giving the line the form ends on. */
  constructor(source: string, onForm: (form: Value, line: () => number) => void, options: { unwrap?: boolean } = {}) {
    this.source = source;
    this.onForm = onForm;
    this.unwrap = options.unwrap ?? false;
  }

  push(text: string): void {
    this.read(this.pending + text, false);
  }

  end(): void {
    this.read(this.pending, true);
    if (this.closer !== null && !this.closed) {
      throw new EdnSyntaxError(`missing '${this.closer}'`, this.line, this.column, this.source);
    }
  }

  private read(text: string, final: boolean): void {
    const reader = new EdnReader(text, this.source, final, this.line, this.column);
    let consumed = 0;
    try {
      for (;;) {
        if (this.unwrap || this.closer !== null) {
          // Whitespace and comments before the enclosing sequence, its items, or its close.
          const next = this.peek(reader, text);
          if (next === undefined) {
            consumed = reader.pos;
            break;
          }
          if (this.unwrap) {
            this.unwrap = false;
            if (next === '[' || next === '(') {
              this.closer = next === '[' ? ']' : ')';
              reader.pos++;
              consumed = reader.pos;
              continue;
            }
          } else if (next === this.closer && !this.closed) {
            this.closed = true;
            reader.pos++;
            consumed = reader.pos;
            continue;
          } else if (this.closed) {
            const { line, column } = reader.where(reader.pos);
            throw new EdnSyntaxError(
              `a form after the history's closing '${this.closer ?? ''}'`,
              line,
              column,
              this.source,
            );
          }
        }
        const form = reader.readTopLevel();
        if (form === undefined) {
          consumed = reader.pos;
          break;
        }
        if (form !== discarded) {
          // Lazy: finding a line scans the pending text, which only an error needs.
          const end = reader.pos - 1;
          this.onForm(form, () => reader.where(end).line);
        }
        consumed = reader.pos;
      }
    } catch (e) {
      if (e !== incomplete) throw e;
    }
    const { line, column } = reader.where(consumed);
    this.line = line;
    this.column = column;
    this.pending = text.slice(consumed);
  }

  /** The next significant character, skipping whitespace and comments; undefined at the end of text. */
  private peek(reader: EdnReader, text: string): string | undefined {
    return reader.skipToNext() ? text[reader.pos] : undefined;
  }
}
