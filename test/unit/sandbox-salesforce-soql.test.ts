import { beforeEach, describe, expect, it } from 'vitest';
import { parseSoql, SoqlSyntaxError } from '../../src/sandbox/salesforce/soql.js';
import { compileSoql, renderRow, runQuery, SoqlError } from '../../src/sandbox/salesforce/soql-eval.js';
import { apiOrigin, SalesforceStore } from '../../src/sandbox/salesforce/store.js';

let clock = Date.parse('2024-05-01T10:40:00.250Z');
let store: SalesforceStore;

function insert(object: string, fields: Record<string, unknown>): string {
  const outcome = store.apply(store.prepareCreate(object, fields), apiOrigin('test'));
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.id;
}

function ids(soql: string): string[] {
  return runQuery(compileSoql(soql, store), store, false).map((r) => String(r.fields.Id));
}

function rows(soql: string) {
  const q = compileSoql(soql, store);
  return runQuery(q, store, false).map((r) => renderRow(q, store, r, 'v62.0'));
}

function soqlError(soql: string): SoqlError {
  try {
    compileSoql(soql, store);
  } catch (error) {
    if (error instanceof SoqlError) return error;
    throw error;
  }
  throw new Error('expected a SoqlError');
}

beforeEach(() => {
  clock = Date.parse('2024-05-01T10:40:00.250Z');
  store = new SalesforceStore(() => clock);
});

describe('SOQL parser', () => {
  it('parses the keyset capture query into OR / AND / compare nodes with two sort keys', () => {
    const q = parseSoql(
      "SELECT Id, SystemModstamp, Email FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z OR (SystemModstamp = 2024-05-01T10:40:00Z AND Id > '00Q000000000001EAA') ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000",
    );
    expect(q.select.map((f) => f.path)).toEqual(['Id', 'SystemModstamp', 'Email']);
    expect(q.from.name).toBe('Lead');
    expect(q.limit).toBe(2000);
    expect(q.orderBy.map((o) => [o.field.path, o.descending])).toEqual([
      ['SystemModstamp', false],
      ['Id', false],
    ]);
    expect(q.where?.type).toBe('or');
    const or = q.where as { type: 'or'; operands: Array<{ type: string }> };
    expect(or.operands.map((o) => o.type)).toEqual(['compare', 'and']);
  });

  it('reads both datetime literal spellings and offsets as the same instant', () => {
    const instants = [
      '2024-05-01T10:40:00Z',
      '2024-05-01T10:40:00.000+0000',
      '2024-05-01T12:40:00+02:00',
    ].map((lit) => {
      const q = parseSoql(`SELECT Id FROM Lead WHERE SystemModstamp = ${lit}`);
      const where = q.where as { type: 'compare'; value: { kind: string; value: number } };
      expect(where.value.kind).toBe('datetime');
      return where.value.value;
    });
    expect(new Set(instants)).toEqual(new Set([Date.parse('2024-05-01T10:40:00Z')]));
  });

  it("unescapes \\' inside string literals", () => {
    const q = parseSoql("SELECT Id FROM Contact WHERE LastName = 'O\\'Brien'");
    expect((q.where as { value: { value: string } }).value.value).toBe("O'Brien");
  });

  it('reports a syntax error at the column Salesforce points to', () => {
    expect(() => parseSoql('SELECT Id FROM Lead WHERE')).toThrow(SoqlSyntaxError);
    try {
      parseSoql('SELECT Id FROM Lead WHERE');
    } catch (error) {
      expect((error as SoqlSyntaxError).column).toBe(26);
      expect((error as SoqlSyntaxError).message).toBe("unexpected token: '<EOF>'");
    }
  });

  it('refuses AND and OR mixed without parentheses, like Salesforce', () => {
    expect(() => parseSoql("SELECT Id FROM Lead WHERE Email = 'a' AND Phone = 'b' OR Title = 'c'")).toThrow(
      "unexpected token: 'OR'",
    );
    expect(() =>
      parseSoql("SELECT Id FROM Lead WHERE Email = 'a' AND (Phone = 'b' OR Title = 'c')"),
    ).not.toThrow();
  });

  it('rejects an unterminated string and a trailing token', () => {
    expect(() => parseSoql("SELECT Id FROM Lead WHERE Email = 'abc")).toThrow(SoqlSyntaxError);
    expect(() => parseSoql('SELECT Id FROM Lead LIMIT 5 extra')).toThrow("unexpected token: 'extra'");
  });
});

describe('SOQL evaluation', () => {
  it('resumes strictly after a (SystemModstamp, Id) pair when several records share the second', () => {
    const a = insert('Lead', { LastName: 'A', Company: 'X' });
    const b = insert('Lead', { LastName: 'B', Company: 'X' });
    const c = insert('Lead', { LastName: 'C', Company: 'X' });
    clock += 1000;
    const d = insert('Lead', { LastName: 'D', Company: 'X' });
    const query = (after: string) =>
      ids(
        `SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z OR (SystemModstamp = 2024-05-01T10:40:00.000+0000 AND Id > '${after}') ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000`,
      );
    expect(query(a)).toEqual([b, c, d]);
    expect(query(c)).toEqual([d]);
    expect(ids('SELECT Id FROM Lead WHERE SystemModstamp > 2024-05-01T10:40:00Z')).toEqual([d]);
  });

  it('matches Email IN case-insensitively and Id IN with 15- or 18-char ids', () => {
    const one = insert('Contact', { LastName: 'One', Email: 'Ann.Smith@Example.com' });
    const two = insert('Contact', { LastName: 'Two', Email: 'bob@example.com' });
    insert('Contact', { LastName: 'Three', Email: 'carol@example.com' });
    expect(ids("SELECT Id FROM Contact WHERE Email IN ('ann.smith@example.COM','BOB@example.com')")).toEqual([
      one,
      two,
    ]);
    expect(ids(`SELECT Id FROM Contact WHERE Id IN ('${one.slice(0, 15)}', '${two}')`)).toEqual([one, two]);
    expect(ids(`SELECT Id FROM Contact WHERE Id NOT IN ('${one}')`)).toHaveLength(2);
  });

  it('renders relationship paths as nested objects, null when the lookup is empty', () => {
    const account = insert('Account', { Name: 'Acme' });
    insert('Contact', { LastName: 'Linked', AccountId: account });
    insert('Contact', { LastName: 'Alone' });
    const out = rows('SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName');
    expect(out[0]).toMatchObject({ LastName: 'Alone', Account: null });
    expect(out[1]).toMatchObject({
      LastName: 'Linked',
      Account: {
        attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${account}` },
        Name: 'Acme',
      },
    });
    expect(out[1]!.attributes).toEqual({
      type: 'Contact',
      url: expect.stringMatching(/\/sobjects\/Contact\/003/),
    });
    expect(ids("SELECT Id FROM Contact WHERE Account.Name = 'acme'")).toHaveLength(1);
  });

  it('filters with LIKE, NOT, = null / != null, numbers, booleans and dates', () => {
    const big = insert('Lead', {
      LastName: 'Big',
      Company: 'Acme Corp',
      NumberOfEmployees: 500,
      Email: 'a@b.co',
    });
    const small = insert('Lead', { LastName: 'Small', Company: '100% Org', NumberOfEmployees: 10 });
    const none = insert('Lead', { LastName: 'None', Company: 'Other' });
    expect(ids("SELECT Id FROM Lead WHERE Company LIKE 'acme%'")).toEqual([big]);
    expect(ids("SELECT Id FROM Lead WHERE Company LIKE '100\\% O_g'")).toEqual([small]);
    expect(ids('SELECT Id FROM Lead WHERE NumberOfEmployees >= 50')).toEqual([big]);
    expect(ids('SELECT Id FROM Lead WHERE NumberOfEmployees = null')).toEqual([none]);
    expect(ids('SELECT Id FROM Lead WHERE Email != null')).toEqual([big]);
    expect(ids('SELECT Id FROM Lead WHERE NOT (NumberOfEmployees < 50)')).toEqual([big, none]);
    expect(ids('SELECT Id FROM Lead WHERE IsConverted = false AND NumberOfEmployees > 5')).toEqual([
      big,
      small,
    ]);
    const opp = insert('Opportunity', { Name: 'O', StageName: 'Prospecting', CloseDate: '2024-06-30' });
    expect(
      ids('SELECT Id FROM Opportunity WHERE CloseDate > 2024-06-01 AND CloseDate <= 2024-06-30'),
    ).toEqual([opp]);
    expect(ids('SELECT Id FROM Opportunity WHERE CloseDate < 2024-06-30')).toEqual([]);
  });

  it('orders DESC with nulls last, and applies LIMIT / OFFSET after sorting', () => {
    const a = insert('Lead', { LastName: 'a', Company: 'X', AnnualRevenue: 5 });
    const b = insert('Lead', { LastName: 'b', Company: 'X' });
    const c = insert('Lead', { LastName: 'c', Company: 'X', AnnualRevenue: 9 });
    expect(ids('SELECT Id FROM Lead ORDER BY AnnualRevenue DESC')).toEqual([c, a, b]);
    expect(ids('SELECT Id FROM Lead ORDER BY AnnualRevenue ASC')).toEqual([b, a, c]);
    expect(ids('SELECT Id FROM Lead ORDER BY AnnualRevenue ASC NULLS LAST LIMIT 2')).toEqual([a, c]);
    expect(ids('SELECT Id FROM Lead ORDER BY LastName DESC LIMIT 1 OFFSET 1')).toEqual([b]);
  });

  it('counts with SELECT COUNT()', () => {
    insert('Lead', { LastName: 'a', Company: 'X' });
    insert('Lead', { LastName: 'b', Company: 'X', Status: 'Working - Contacted' });
    const q = compileSoql("SELECT COUNT() FROM Lead WHERE Status = 'Working - Contacted'", store);
    expect(q.count).toBe(true);
    expect(runQuery(q, store, false)).toHaveLength(1);
  });
});

describe('SOQL resolution errors', () => {
  it('names an unknown column with INVALID_FIELD and its column', () => {
    const error = soqlError('SELECT Id, Foo__c FROM Lead');
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(error.column).toBe(12);
    expect(error.detail).toMatch(/^No such column 'Foo__c' on entity 'Lead'/);
  });

  it('refuses Company on Contact and an unknown relationship', () => {
    expect(soqlError('SELECT Id, Company FROM Contact').errorCode).toBe('INVALID_FIELD');
    expect(soqlError('SELECT Id, Foo.Name FROM Contact').detail).toMatch(
      /Didn't understand relationship 'Foo'/,
    );
  });

  it('refuses an unknown object with INVALID_TYPE', () => {
    expect(soqlError('SELECT Id FROM Widget__c').errorCode).toBe('INVALID_TYPE');
  });

  it('refuses a quoted datetime and an unquoted string, as Salesforce does', () => {
    expect(soqlError("SELECT Id FROM Lead WHERE SystemModstamp > '2024-05-01T10:40:00Z'").detail).toBe(
      "value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in quotes",
    );
    expect(soqlError('SELECT Id FROM Lead WHERE Email = 5').errorCode).toBe('INVALID_FIELD');
    expect(soqlError("SELECT Id FROM Lead WHERE IsConverted = 'true'").errorCode).toBe('INVALID_FIELD');
  });

  it('refuses a duplicate selected field and a malformed id literal', () => {
    expect(soqlError('SELECT Id, SystemModstamp, id FROM Lead').errorCode).toBe('MALFORMED_QUERY');
    expect(soqlError("SELECT Id FROM Lead WHERE Id IN ('nope')").errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
  });
});
