/**
 * A Salesforce REST API simulator: a real HTTP server on loopback that the unmodified jsforce client
 * talks to (DESIGN.md §4, API-NOTES §5). The base URL is both the OAuth login URL and the instance
 * URL. Tests seed and inspect data through the in-process store API, which is neither HTTP nor counted.
 */
import {
  type CallCounts,
  type Fault,
  type SimHandler,
  type SimRequest,
  type SimRoute,
  SimServer,
} from '../sim-http.js';
import { AuthState, type Credentials, DEFAULT_CREDENTIALS } from './auth.js';
import { type ConversionResult, type ConvertLeadOptions, convertLead } from './convert.js';
import { restError } from './http-util.js';
import { CompositeRoutes } from './routes-composite.js';
import { QueryRoutes } from './routes-query.js';
import { RecordRoutes } from './routes-records.js';
import { objectDef } from './schema.js';
import { NO_CLIENT, type RecordMeta, SalesforceStore, UI_ORIGIN } from './store.js';
import type { SfRecord } from './values.js';

export { type Credentials, DEFAULT_CREDENTIALS } from './auth.js';
export type { ConversionResult, ConvertLeadOptions } from './convert.js';
export { API_USER_ID, KEY_PREFIXES, ORG_ID, UI_USER_ID } from './ids.js';
export type { RecordMeta } from './store.js';
export type { FieldValue, SfRecord } from './values.js';
export { NO_CLIENT };

export interface SalesforceSimulatorOptions extends Partial<Credentials> {
  /** Clock for stamps (ms since epoch); stamps keep whole seconds. Default Date.now. */
  now?: () => number;
  /** REST calls allowed before 403 REQUEST_LIMIT_EXCEEDED (default 100000). */
  dailyApiLimit?: number;
  /** Floor for `Sforce-Query-Options: batchSize` (Salesforce: 200). Lower it to page small data sets. */
  minQueryBatchSize?: number;
}

/** Thrown by the store API when Salesforce would refuse the edit (same codes as the REST answers). */
export class SalesforceSimError extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly fields: string[],
  ) {
    super(`${statusCode}: ${message}`);
  }
}

const DATA = '/services/data/:version';

export class SalesforceSimulator {
  readonly credentials: Credentials;
  private readonly now: () => number;
  private readonly store: SalesforceStore;
  private readonly auth: AuthState;
  private readonly server: SimServer;
  private base = '';
  private apiUsed = 0;
  private apiLimit: number;

  constructor(options: SalesforceSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.apiLimit = options.dailyApiLimit ?? 100_000;
    this.credentials = { ...DEFAULT_CREDENTIALS, ...definedOnly(options) };
    this.store = new SalesforceStore(this.now);
    this.auth = new AuthState(this.credentials, this.now, () => this.base);
    const query = new QueryRoutes(this.store, options.minQueryBatchSize ?? 200);
    const composite = new CompositeRoutes(this.store, this.now);
    const records = new RecordRoutes(this.store);
    const api = (
      method: string,
      path: string,
      name: string,
      write: boolean,
      handler: SimHandler,
    ): SimRoute => ({
      method,
      pattern: `${DATA}${path}`,
      name,
      write,
      handler: (req) => this.guard(req, handler),
    });
    this.server = new SimServer('salesforce', [
      {
        method: 'POST',
        pattern: '/services/oauth2/token',
        name: 'token',
        write: false,
        handler: (r) => this.auth.handleToken(r),
      },
      api('GET', '/query', 'query', false, (r) => query.query(r, false)),
      api('GET', '/queryAll', 'query-all', false, (r) => query.query(r, true)),
      api('GET', '/query/:locator', 'query-more', false, (r) => query.queryMore(r)),
      api('GET', '/queryAll/:locator', 'query-more', false, (r) => query.queryMore(r)),
      api('PATCH', '/composite/sobjects', 'composite-update', true, (r) => composite.update(r)),
      api('POST', '/composite/sobjects', 'composite-create', true, (r) => composite.create(r)),
      api('GET', '/composite/sobjects/:object', 'composite-retrieve', false, (r) => composite.retrieve(r)),
      api('POST', '/composite/sobjects/:object', 'composite-retrieve', false, (r) => composite.retrieve(r)),
      api('GET', '/sobjects', 'describe-global', false, (r) => records.describeGlobal(r)),
      api('GET', '/sobjects/:object/describe', 'describe', false, (r) => records.describe(r)),
      api('GET', '/sobjects/:object/:id', 'sobject-get', false, (r) => records.get(r)),
      api('PATCH', '/sobjects/:object/:id', 'sobject-update', true, (r) => records.update(r)),
      api('DELETE', '/sobjects/:object/:id', 'sobject-delete', true, (r) => records.remove(r)),
      api('POST', '/sobjects/:object', 'sobject-create', true, (r) => records.create(r)),
      api('GET', '/limits', 'limits', false, () => ({
        status: 200,
        body: {
          DailyApiRequests: { Max: this.apiLimit, Remaining: Math.max(0, this.apiLimit - this.apiUsed) },
        },
      })),
    ]);
    // Every REST answer carries the usage figures jsforce parses into conn.limitInfo (API-NOTES §1.4).
    this.server.decorate = (route): Record<string, string> =>
      route.name === 'token' ? {} : { 'Sforce-Limit-Info': `api-usage=${this.apiUsed}/${this.apiLimit}` };
  }

  /** Starts listening on 127.0.0.1; returns the base URL (login URL and instance URL alike). */
  async start(port = 0): Promise<string> {
    this.base = await this.server.listen(port);
    return this.base;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  get baseUrl(): string {
    return this.base;
  }

  // ---- HTTP bookkeeping (delegates to SimServer) ----
  calls(): CallCounts {
    return this.server.calls();
  }

  resetCalls(): void {
    this.server.resetCalls();
  }

  injectFault(fault: Fault): void {
    this.server.injectFault(fault);
  }

  clearFaults(): void {
    this.server.clearFaults();
  }

  // ---- Sessions and API budget ----
  /** Invalidates every access token issued so far; the refresh-token flow still works. */
  expireSessions(): void {
    this.auth.expireSessions();
  }

  apiUsage(): { used: number; limit: number } {
    return { used: this.apiUsed, limit: this.apiLimit };
  }

  /** Sets the day's usage (e.g. close to the limit) and optionally a new limit. */
  setApiUsage(used: number, limit = this.apiLimit): void {
    this.apiUsed = used;
    this.apiLimit = limit;
  }

  // ---- In-process store API (not HTTP, not counted; writes count as UI edits) ----
  /** Creates a record as a user in the UI would; returns its 18-char id. Throws SalesforceSimError. */
  insert(object: string, fields: Record<string, unknown>): string {
    const outcome = this.store.apply(this.store.prepareCreate(object, fields), UI_ORIGIN);
    if (!outcome.ok)
      throw new SalesforceSimError(outcome.error.statusCode, outcome.error.message, outcome.error.fields);
    return outcome.id;
  }

  /** Edits a record as a user in the UI would: validated, bumps LastModifiedDate and SystemModstamp. */
  update(object: string, id: string, fields: Record<string, unknown>): void {
    const outcome = this.store.apply(this.store.prepareUpdate(object, id, fields), UI_ORIGIN);
    if (!outcome.ok)
      throw new SalesforceSimError(outcome.error.statusCode, outcome.error.message, outcome.error.fields);
  }

  /** Deletes a record (to the recycle bin) as a UI user. */
  delete(object: string, id: string): void {
    const outcome = this.store.remove(object, id, UI_ORIGIN);
    if (!outcome.ok)
      throw new SalesforceSimError(outcome.error.statusCode, outcome.error.message, outcome.error.fields);
  }

  /** A copy of the record's fields; undefined when missing, deleted or of another object. */
  get(object: string, id: string): SfRecord | undefined {
    const record = this.store.find(id);
    const def = objectDef(object);
    if (!record || record.deleted || record.object !== def?.name) return undefined;
    return { ...record.fields };
  }

  /** Copies of all live records of `object`, in creation order. */
  all(object: string): SfRecord[] {
    const def = objectDef(object);
    return def ? this.store.records(def.name).map((r) => ({ ...r.fields })) : [];
  }

  /** How the record was last written: via API (with its Sforce-Call-Options client) or the UI. */
  meta(id: string): RecordMeta | undefined {
    const record = this.store.find(id);
    return record ? { ...record.meta } : undefined;
  }

  /** Records written through the API, per Sforce-Call-Options client (NO_CLIENT when absent). */
  writesByClient(): Record<string, number> {
    return this.store.writeCounts();
  }

  convertLead(leadId: string, options: ConvertLeadOptions = {}): ConversionResult {
    return convertLead(this.store, this.now, leadId, options);
  }

  /** Auth first (401 is not counted), then the daily budget, then the handler. */
  private async guard(req: SimRequest, handler: SimHandler) {
    if (!/^v\d+\.\d+$/.test(req.params.version ?? '')) {
      return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const authorization = req.headers.authorization;
    if (!this.auth.accepts(Array.isArray(authorization) ? authorization[0] : authorization)) {
      return restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    if (this.apiUsed >= this.apiLimit) {
      return restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    this.apiUsed += 1;
    return handler(req);
  }
}

function definedOnly(options: SalesforceSimulatorOptions): Partial<Credentials> {
  const out: Partial<Credentials> = {};
  for (const key of [
    'accessToken',
    'clientId',
    'clientSecret',
    'refreshToken',
    'username',
    'password',
  ] as const) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
