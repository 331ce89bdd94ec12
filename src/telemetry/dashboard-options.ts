import { isIP } from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { KernelError } from '../errors.js';
import { expectObject, invalid } from '../validate.js';

/** Options of `serveDashboard` / `kernel.serve`. */
export interface DashboardOptions {
  /** TCP port; 0 picks a free one (read it from the returned `url`). @default 0 */
  readonly port?: number;
  /**
   * Interface to bind. Loopback (`127.0.0.0/8`, `::1`, `localhost`) unless a `token` is set:
   * anything else is refused without one. @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * When set, every route requires `Authorization: Bearer <token>`; the page and its event stream
   * also accept `?token=` (browsers can't set headers on a link or an `EventSource`). Visible
   * ASCII, 16 to 1,024 characters.
   */
  readonly token?: string;
  /** Least time between two pushed snapshots, ms (at most 10 per second). @default 100 */
  readonly updateIntervalMs?: number;
  /** Time between keep-alive comments on idle event streams, ms. @default 15000 */
  readonly heartbeatMs?: number;
  /** Signals kept for the page's log (the newest). @default 100 */
  readonly signalLogSize?: number;
  /** Event streams open at once; more are answered 503. @default 64 */
  readonly maxClients?: number;
  /** Time source for the throttle and heartbeat timers. @default systemClock */
  readonly clock?: Clock;
}

/** {@link DashboardOptions} with every default applied. */
export interface ResolvedDashboardOptions {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
  readonly updateIntervalMs: number;
  readonly heartbeatMs: number;
  readonly signalLogSize: number;
  readonly maxClients: number;
  readonly clock: Clock;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const TOKEN = /^[\x21-\x7e]{16,1024}$/;

/**
 * True for a loopback host: `localhost`, an IPv4 address in 127.0.0.0/8, `::1` (bracketed or
 * not) or an IPv4-mapped loopback (`::ffff:127.x.x.x`).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === 'localhost.') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    // The URL parser canonicalises IPv6 (`0:0:0:0:0:0:0:1` → `[::1]`, `::ffff:127.0.0.1` → `[::ffff:7f00:1]`).
    let canonical: string;
    try {
      canonical = new URL(`http://[${h}]/`).hostname;
    } catch {
      return false; // a zone id (`fe80::1%eth0`) is never loopback
    }
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

function intIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    invalid(name, `an integer from ${min} to ${max}`, value);
  return value;
}

/**
 * Validates and defaults the dashboard options.
 * @throws KernelError `INVALID_ARGUMENT` for a bad option, and for a non-loopback `host`
 * without a `token`
 */
export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  expectObject('options', options);
  const port = intIn('port', options.port ?? 0, 0, 65_535);
  const host = options.host ?? '127.0.0.1';
  if (
    typeof host !== 'string' ||
    (isIP(host.replace(/^\[(.*)\]$/, '$1')) === 0 && !HOSTNAME.test(host))
  )
    invalid('host', 'an IP address or a host name', host);
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || !TOKEN.test(token)))
    invalid('token', 'a string of 16 to 1,024 visible ASCII characters', token);
  if (token === undefined && !isLoopbackHost(host)) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`token\` to be set when \`host\` is not loopback, got \`host\` ${JSON.stringify(host)} without a token (anyone who can reach it would see every agent and its spend)`,
      { details: { argument: 'token', host } },
    );
  }
  const clock = options.clock ?? systemClock;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  )
    invalid('clock', 'a Clock ({ now, setTimeout, clearTimeout })', clock);
  return {
    port,
    host: host.replace(/^\[(.*)\]$/, '$1'),
    token,
    updateIntervalMs: intIn('updateIntervalMs', options.updateIntervalMs ?? 100, 100, 60_000),
    heartbeatMs: intIn('heartbeatMs', options.heartbeatMs ?? 15_000, 1_000, 3_600_000),
    signalLogSize: intIn('signalLogSize', options.signalLogSize ?? 100, 1, 10_000),
    maxClients: intIn('maxClients', options.maxClients ?? 64, 1, 10_000),
    clock,
  };
}
