/**
 * Parser for the SOQL subset the daemon issues (see the grammar below). Produces a plain AST; field
 * names are resolved against the schema later (soql-eval.ts), so a syntax error and an unknown field
 * are reported with different codes, as Salesforce does (MALFORMED_QUERY vs INVALID_FIELD).
 *
 *   query     := SELECT (COUNT '(' ')' | path (',' path)*) FROM name [WHERE cond]
 *                [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST] (',' ...)*] [LIMIT n] [OFFSET n]
 *   cond      := term ((AND term)* | (OR term)*)      -- mixing AND and OR needs parentheses
 *   term      := NOT term | '(' cond ')' | path op literal | path [NOT] IN '(' literal, ... ')'
 *              | path LIKE 'pattern'
 */
import { SoqlSyntaxError, type Token, tokenize } from './soql-lexer.js';
import { parseDateTime } from './values.js';

export { SoqlSyntaxError } from './soql-lexer.js';

export type Literal =
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; value: number }
  | { kind: 'date'; value: string };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface FieldPath {
  /** As written, e.g. `ConvertedOpportunity.StageName`. */
  path: string;
  column: number;
}

export type Condition =
  | { type: 'and' | 'or'; operands: Condition[] }
  | { type: 'not'; operand: Condition }
  | { type: 'compare'; field: FieldPath; op: CompareOp; value: Literal; column: number }
  | { type: 'in'; field: FieldPath; negated: boolean; values: Literal[]; column: number }
  | { type: 'like'; field: FieldPath; pattern: string; column: number };

export interface OrderItem {
  field: FieldPath;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  /** Empty for `SELECT COUNT()`. */
  select: FieldPath[];
  count: boolean;
  from: { name: string; column: number };
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).query();
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  query(): SoqlQuery {
    this.keyword('SELECT');
    let count = false;
    const select: FieldPath[] = [];
    if (this.isKeyword('COUNT') && this.peek(1).text === '(') {
      this.next();
      this.punct('(');
      this.punct(')');
      count = true;
    } else {
      do select.push(this.path());
      while (this.accept(','));
    }
    this.keyword('FROM');
    const fromToken = this.expect('ident');
    const query: SoqlQuery = {
      select,
      count,
      from: { name: fromToken.text, column: fromToken.column },
      orderBy: [],
    };
    if (this.acceptKeyword('WHERE')) query.where = this.condition();
    if (this.acceptKeyword('ORDER')) {
      this.keyword('BY');
      do {
        const field = this.path();
        const descending = this.acceptKeyword('DESC');
        if (!descending) this.acceptKeyword('ASC');
        let nullsLast = descending;
        if (this.acceptKeyword('NULLS')) {
          if (this.acceptKeyword('LAST')) nullsLast = true;
          else {
            this.keyword('FIRST');
            nullsLast = false;
          }
        }
        query.orderBy.push({ field, descending, nullsLast });
      } while (this.accept(','));
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.integer();
    if (this.acceptKeyword('OFFSET')) query.offset = this.integer();
    this.expect('eof');
    return query;
  }

  private condition(): Condition {
    const first = this.term();
    const joiner = this.isKeyword('AND') ? 'and' : this.isKeyword('OR') ? 'or' : undefined;
    if (!joiner) return first;
    const operands = [first];
    while (this.acceptKeyword(joiner.toUpperCase())) operands.push(this.term());
    // Salesforce refuses `a AND b OR c`: the other joiner at the same level is a syntax error.
    if (this.isKeyword(joiner === 'and' ? 'OR' : 'AND')) this.unexpected();
    return { type: joiner, operands };
  }

  private term(): Condition {
    if (this.acceptKeyword('NOT')) return { type: 'not', operand: this.term() };
    if (this.accept('(')) {
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    const field = this.path();
    const at = this.peek();
    if (at.kind === 'op') {
      this.next();
      return { type: 'compare', field, op: at.text as CompareOp, value: this.literal(), column: at.column };
    }
    if (this.acceptKeyword('LIKE')) {
      const pattern = this.expect('string');
      return { type: 'like', field, pattern: pattern.raw ?? pattern.text, column: at.column };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.punct('(');
      const values: Literal[] = [];
      do values.push(this.literal());
      while (this.accept(','));
      this.punct(')');
      return { type: 'in', field, negated, values, column: at.column };
    }
    return this.unexpected();
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text, raw: t.raw ?? t.text };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'datetime':
        return { kind: 'datetime', value: parseDateTime(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'null') return { kind: 'null' };
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        break;
      }
    }
    this.i -= 1;
    return this.unexpected();
  }

  private path(): FieldPath {
    const t = this.expect('ident');
    return { path: t.text, column: t.column };
  }

  private integer(): number {
    const t = this.expect('number');
    const n = Number(t.text);
    if (!Number.isInteger(n) || n < 0) throw new SoqlSyntaxError(t.column, `unexpected token: '${t.text}'`);
    return n;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i += 1;
    return true;
  }

  private keyword(word: string): void {
    if (!this.acceptKeyword(word)) this.unexpected();
  }

  private accept(punct: string): boolean {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== punct) return false;
    this.i += 1;
    return true;
  }

  private punct(punct: string): void {
    if (!this.accept(punct)) this.unexpected();
  }

  private expect(kind: Token['kind']): Token {
    if (this.peek().kind !== kind) this.unexpected();
    return this.next();
  }

  private unexpected(): never {
    const t = this.peek();
    throw new SoqlSyntaxError(t.column, `unexpected token: '${t.text}'`);
  }
}
