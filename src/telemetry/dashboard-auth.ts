import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from './dashboard-options.js';

/** The outcome of checking a request: let it through, ask for a token, or refuse its Host. */
export type AuthOutcome = 'ok' | 'unauthorized' | 'foreign-host';

/**
 * Decides whether a dashboard request may proceed.
 *
 * With a token: the request must carry `Authorization: Bearer <token>`, or, where `allowQuery`
 * (the page and its event stream, which browsers open without custom headers), `?token=<token>`.
 * Compared in constant time.
 *
 * Without a token (only allowed on loopback): the `Host` header must name a loopback host too.
 * Otherwise a web page the operator visits could rebind its own domain name to 127.0.0.1 and
 * read the dashboard from the browser (DNS rebinding); such a request carries the page's name
 * in `Host`.
 */
export class DashboardAuth {
  readonly #digest: Buffer | undefined;

  /** @param token the bearer token, or undefined for an open (loopback-only) dashboard */
  constructor(token: string | undefined) {
    this.#digest = token === undefined ? undefined : digest(token);
  }

  /** True when a token is required. */
  get required(): boolean {
    return this.#digest !== undefined;
  }

  /** Checks `req` (whose parsed URL is `url`). */
  check(req: IncomingMessage, url: URL, allowQuery: boolean): AuthOutcome {
    if (this.#digest === undefined) return hostIsLoopback(req) ? 'ok' : 'foreign-host';
    const header = req.headers.authorization;
    const bearer =
      header === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
    if (bearer !== undefined && this.#matches(bearer)) return 'ok';
    const query = allowQuery ? url.searchParams.get('token') : null;
    if (query !== null && this.#matches(query)) return 'ok';
    return 'unauthorized';
  }

  #matches(candidate: string): boolean {
    // Hashing first gives equal lengths, so timingSafeEqual leaks neither content nor length.
    return timingSafeEqual(digest(candidate), this.#digest as Buffer);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function hostIsLoopback(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined || host === '') return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(hostname);
}
