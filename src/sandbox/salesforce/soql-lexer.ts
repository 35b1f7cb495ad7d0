/**
 * SOQL tokens. Datetime and date literals are unquoted in SOQL (`SystemModstamp > 2024-05-01T10:40:00Z`),
 * so the lexer recognises them before plain numbers. Every token keeps its 1-based column for the
 * `ERROR at Row:1:Column:N` messages Salesforce prints.
 */

export type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for strings: the unescaped value). */
  text: string;
  /** For strings: the text between the quotes with escapes kept (LIKE needs `\%` / `\_`). */
  raw?: string;
  column: number;
}

export class SoqlSyntaxError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** A query Salesforce would refuse, with the error code and the column the caret points at. */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    readonly column: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  "'": "'",
  '"': '"',
  '\\': '\\',
};

export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const column = i + 1;
    const rest = soql.slice(i);
    if (ch === "'") {
      let value = '';
      let raw = '';
      let j = i + 1;
      for (;;) {
        if (j >= soql.length)
          throw new SoqlSyntaxError(column, `line 1:${i} mismatched character '<EOF>' expecting '''`);
        const c = soql.charAt(j);
        if (c === "'") break;
        if (c === '\\') {
          const next = soql.charAt(j + 1);
          raw += c + next;
          // `\%` and `\_` only mean something inside LIKE patterns; elsewhere they are the bare char.
          value += next === '%' || next === '_' ? next : (ESCAPES[next] ?? next);
          j += 2;
          continue;
        }
        raw += c;
        value += c;
        j += 1;
      }
      tokens.push({ kind: 'string', text: value, raw, column });
      i = j + 1;
      continue;
    }
    const literal = DATETIME.exec(rest) ?? null;
    if (literal) {
      tokens.push({ kind: 'datetime', text: literal[0], column });
      i += literal[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', text: date[0], column });
      i += date[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number && (ch !== '-' || /^[-]\d/.test(rest))) {
      tokens.push({ kind: 'number', text: number[0], column });
      i += number[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], column });
      i += ident[0].length;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', text: op[0] === '<>' ? '!=' : op[0], column });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, column });
      i += 1;
      continue;
    }
    throw new SoqlSyntaxError(column, `line 1:${i} no viable alternative at character '${ch}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', column: soql.length + 1 });
  return tokens;
}
