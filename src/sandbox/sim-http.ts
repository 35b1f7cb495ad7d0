/**
 * The little HTTP kit both CRM simulators share: routing, per-route call counting and fault injection.
 * The simulators are real servers on loopback so that the unmodified jsforce and HubSpot clients talk
 * to them exactly as they talk to the vendors (DESIGN.md §4).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body, or the form fields of an x-www-form-urlencoded body, or undefined. */
  body: unknown;
  params: Record<string, string>;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface SimRoute {
  method: string;
  /** Path pattern with `:name` segments, e.g. `/services/data/:version/query`. */
  pattern: string;
  /** Counting label, e.g. `query`, `composite-update`. */
  name: string;
  /** True for calls that change data: tests assert echo-free syncs from these counts. */
  write: boolean;
  handler: SimHandler;
}

export interface Fault {
  /** Route name to hit; `*` for every route. */
  route: string;
  /** How many calls the fault applies to (default: 1). */
  times?: number;
  /** Reply with this status and body instead of the real handler. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  /** Destroy the socket without an answer. */
  drop?: boolean;
}

export interface CallCounts {
  total: number;
  writes: number;
  reads: number;
  byRoute: Record<string, number>;
}

export class SimServer {
  private readonly compiled: Array<SimRoute & { regex: RegExp; keys: string[] }>;
  private readonly faults: Array<Fault & { left: number }> = [];
  private counts: CallCounts = { total: 0, writes: 0, reads: 0, byRoute: {} };
  private server: Server | undefined;
  /** Extra headers added to every answer (rate-limit figures and the like). */
  decorate: (route: SimRoute, req: SimRequest) => Record<string, string> = () => ({});

  constructor(
    readonly name: string,
    routes: SimRoute[],
  ) {
    this.compiled = routes.map((route) => {
      const keys: string[] = [];
      const source = route.pattern
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          keys.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { ...route, regex: new RegExp(`^${source}/?$`), keys };
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  calls(): CallCounts {
    return { ...this.counts, byRoute: { ...this.counts.byRoute } };
  }

  resetCalls(): void {
    this.counts = { total: 0, writes: 0, reads: 0, byRoute: {} };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = this.match(method, url.pathname);
    if (!match) {
      return send(res, {
        status: 404,
        body: { message: `${this.name} simulator: no route ${method} ${url.pathname}` },
      });
    }
    const { route, params } = match;
    const simReq: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
      params,
    };
    this.counts.total += 1;
    if (route.write) this.counts.writes += 1;
    else this.counts.reads += 1;
    this.counts.byRoute[route.name] = (this.counts.byRoute[route.name] ?? 0) + 1;

    const fault = this.faults.find((f) => f.left > 0 && (f.route === '*' || f.route === route.name));
    if (fault) {
      fault.left -= 1;
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        return send(res, { status: fault.status, body: fault.body, headers: fault.headers });
      }
    }
    try {
      const answer = await route.handler(simReq);
      send(res, { ...answer, headers: { ...this.decorate(route, simReq), ...answer.headers } });
    } catch (error) {
      send(res, {
        status: 500,
        body: { message: `${this.name} simulator crashed: ${(error as Error).message}` },
      });
    }
  }

  private match(method: string, path: string) {
    for (const route of this.compiled) {
      if (route.method !== method) continue;
      const found = route.regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, answer: SimResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  headers['content-type'] ??= 'application/json;charset=UTF-8';
  res.writeHead(answer.status, headers);
  res.end(payload);
}
