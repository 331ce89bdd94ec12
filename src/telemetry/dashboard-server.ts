import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { KernelError } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { invalid } from '../validate.js';
import { DashboardAuth } from './dashboard-auth.js';
import { resolveDashboardOptions, type DashboardOptions } from './dashboard-options.js';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './dashboard-page.js';
import { buildDashboardSnapshot, SignalLog } from './dashboard-snapshot.js';
import { createMetrics, type KernelMetrics } from './kernel-metrics.js';
import { SnapshotStream } from './snapshot-stream.js';

/** A running dashboard. */
export interface DashboardServer {
  /** The page's address, e.g. `http://127.0.0.1:43117/` (never contains the token). */
  readonly url: string;
  /** Event streams open now. */
  readonly clients: number;
  /** Ends every stream, unsubscribes from the kernel and stops listening. Idempotent. */
  close(): Promise<void>;
}

const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

/** Routes, and whether each accepts `?token=` (for a browser that can't send headers). */
const ROUTES: ReadonlyMap<string, { readonly query: boolean }> = new Map([
  ['/', { query: true }],
  ['/index.html', { query: true }],
  ['/events', { query: true }],
  ['/status', { query: false }],
  ['/metrics', { query: false }],
]);

/**
 * Serves a live dashboard of `kernel` over HTTP:
 * - `/` one self-contained page: per-agent budget bars and states, the signal log, spend by
 *   model, cache savings, pool utilization and limits, updated live;
 * - `/events` server-sent events: a full snapshot on connect and on each change (at most one per
 *   `updateIntervalMs`), heartbeat comments while idle;
 * - `/status` the same snapshot as JSON: `kernel.status()` plus `spendByModel`, `cache` and
 *   `signals` (the log starts when the dashboard does);
 * - `/metrics` Prometheus text ({@link createMetrics}, on a registry of its own).
 *
 * With `token`, every route requires `Authorization: Bearer <token>`. The page and `/events` also
 * accept `?token=`, because a browser can't put headers on a link or an `EventSource`; a token in
 * a URL can end up in browser history and proxy logs, so the page removes it from the address bar
 * on load, every response sends `Referrer-Policy: no-referrer`, and `/status` and `/metrics`
 * (read by programs, which can send headers) accept only the header. Without `token` the server
 * binds only to loopback and answers only requests whose `Host` is loopback (DNS rebinding).
 * @throws KernelError `INVALID_ARGUMENT` (as a rejection) for a bad option, a non-loopback host
 * without a token, or a port that can't be bound; `KERNEL_CLOSED` for a closed kernel
 * @example
 * const server = await serveDashboard(kernel, { port: 8080 });
 * console.log(`dashboard at ${server.url}`);
 */
export async function serveDashboard(
  kernel: Kernel,
  options: DashboardOptions = {},
): Promise<DashboardServer> {
  if (kernel === null || typeof kernel !== 'object' || typeof kernel.status !== 'function')
    invalid('kernel', 'a Kernel', kernel);
  const o = resolveDashboardOptions(options);
  if (kernel.closed) throw new KernelError('KERNEL_CLOSED', 'The kernel is closed');

  const signals = new SignalLog(o.signalLogSize);
  const snapshotJson = (): string => JSON.stringify(buildDashboardSnapshot(kernel, signals));
  const stream = new SnapshotStream({
    clock: o.clock,
    updateIntervalMs: o.updateIntervalMs,
    heartbeatMs: o.heartbeatMs,
    maxClients: o.maxClients,
    snapshot: snapshotJson,
    onError: (error) => warn('could not build a snapshot', error),
  });
  const metrics = createMetrics(kernel);
  const changed = (): void => stream.changed();
  const unsubscribe = [
    kernel.on('signal', (e) => {
      signals.push(e);
      stream.changed();
    }),
    kernel.on('record', changed),
    kernel.on('agent', changed),
  ];
  const auth = new DashboardAuth(o.token);
  const server = createServer((req, res) => {
    handle(req, res, { auth, stream, metrics, snapshotJson }).catch((error: unknown) => {
      warn(`failed to answer ${req.method ?? '?'} ${req.url ?? '?'}`, error);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  const stopWatching = (): void => {
    for (const off of unsubscribe) off();
    stream.close();
    metrics.close();
  };
  try {
    await listen(server, o.port, o.host);
  } catch (error) {
    stopWatching();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${isIP(o.host) === 6 ? `[${o.host}]` : o.host}:${port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    get clients() {
      return stream.clients;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        stopWatching();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface Handlers {
  readonly auth: DashboardAuth;
  readonly stream: SnapshotStream;
  readonly metrics: KernelMetrics;
  readonly snapshotJson: () => string;
}

async function handle(req: IncomingMessage, res: ServerResponse, h: Handlers): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const route = ROUTES.get(url.pathname);
  const outcome = h.auth.check(req, url, route?.query ?? false);
  if (outcome === 'foreign-host') {
    send(res, 403, 'text/plain; charset=utf-8', 'Host not allowed: use a loopback address\n');
    return;
  }
  if (outcome === 'unauthorized') {
    res.setHeader('WWW-Authenticate', 'Bearer realm="token-kernel"');
    send(res, 401, 'text/plain; charset=utf-8', 'Bearer token required\n');
    return;
  }
  if (route === undefined) {
    send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
    return;
  }
  const method = req.method ?? 'GET';
  const allowed = url.pathname === '/events' ? ['GET'] : ['GET', 'HEAD'];
  if (!allowed.includes(method)) {
    res.setHeader('Allow', allowed.join(', '));
    send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    return;
  }
  switch (url.pathname) {
    case '/events':
      for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
      if (!h.stream.accept(req, res)) {
        res.setHeader('Retry-After', '5');
        send(res, 503, 'text/plain; charset=utf-8', 'Too many event streams\n');
      }
      return;
    case '/status':
      send(res, 200, 'application/json; charset=utf-8', h.snapshotJson(), method === 'HEAD');
      return;
    case '/metrics':
      send(res, 200, h.metrics.contentType, await h.metrics.text(), method === 'HEAD');
      return;
    default:
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      res.setHeader('X-Frame-Options', 'DENY');
      send(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML, method === 'HEAD');
  }
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headOnly = false,
): void {
  for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(headOnly ? undefined : body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const code = error.code ?? '';
      if (['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND'].includes(code)) {
        reject(
          new KernelError(
            'INVALID_ARGUMENT',
            `Expected \`port\` ${port} on \`host\` ${JSON.stringify(host)} to be bindable, got ${code}`,
            { cause: error, details: { argument: 'port', port, host, code } },
          ),
        );
      } else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function warn(what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`token-kernel dashboard ${what}: ${message}`, 'TokenKernelWarning');
}
